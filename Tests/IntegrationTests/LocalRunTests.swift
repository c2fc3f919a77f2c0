import Foundation
import HoushiContract
import Testing

/// `deploy/local/run SERVICE ARGS...` runs each service's own commands with a suite's environment:
/// here the test suite's run directory, not the default `.run`, with its own database and ports.
@Suite(.serialized)
final class LocalRunTests {
    let houshi: Houshi

    init() async throws {
        houshi = try await Houshi.start()
    }

    private func run(_ arguments: [String]) async throws -> String {
        try await runCommand(TestEnvironment.repository.appendingPathComponent("deploy/local/run"), arguments,
                             environment: ["HOUSHI_RUN_DIR": houshi.environment.runDirectory.path])
    }

    @Test("the wrapper runs every service's commands against a run directory that is not the default")
    func everyServicesCommands() async throws {
        let suffix = String(UInt32.random(in: 0...UInt32.max), radix: 36)
        let token = try await run(["intake", "institutions", "add", "--code", "RUN-\(suffix)", "--name", "测试卫生院"])
            .trimmingCharacters(in: .whitespacesAndNewlines)
        let known = try await houshi.infrastructure.count("""
            SELECT count(*) AS count FROM intake.institutions WHERE code = $1 AND token_sha256 = sha256(convert_to($2, 'UTF8'))
            """, ["RUN-\(suffix)", token])
        #expect(known == 1, "the token printed is the one stored in the test suite's database")

        let officer = try await run(["public-security", "officers", "add", "--name", "测试民警", "--login", "run-\(suffix)"])
        #expect(officer.contains("login: run-\(suffix)"))
        let stored = try await houshi.infrastructure.count(
            "SELECT count(*) AS count FROM public_security.officers WHERE login = $1", ["run-\(suffix)"])
        #expect(stored == 1)

        let homes = FileManager.default.temporaryDirectory.appendingPathComponent("homes-\(suffix).csv")
        try "code,name,local,address,takes_pickups\nRUN\(suffix),测试殡仪馆\(suffix),true,测试路1号,false\n"
            .write(to: homes, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: homes) }
        _ = try await run(["civil-affairs", "funeral-homes", "import", homes.path])
        #expect(try await houshi.infrastructure.count(
            "SELECT count(*) AS count FROM civil_affairs.funeral_homes WHERE code = $1", ["RUN\(suffix)"]) == 1)

        let paid = try await run(["social-security", "pay-month", "2026-12"])
        #expect(paid.contains("2026-12:"), "\(paid)")
        let letters = try await run(["civil-affairs", "dead-letters", "list"])
        #expect(letters.contains("dead letter") && letters.contains(Topology.deadLetterQueue(of: .civilAffairs)),
                "the list says how many letters wait, also none: \(letters)")
        let again = try await run(["social-security", "pay-month", "2026-12"])
        #expect(again.contains("0 pensions paid now") && again.contains("paid before"), "\(again)")

        await #expect(throws: (any Error).self) { _ = try await self.run(["no-such-service", "--help"]) }
    }

    @Test("registering the demo institution twice keeps its token (deploy/local/up run twice)")
    func demoTokenSurvivesASecondUp() async throws {
        let tokenFile = houshi.environment.runDirectory.appendingPathComponent("demo-token")
        try? FileManager.default.removeItem(at: tokenFile)
        let binDirectory = houshi.environment.binary("intake").deletingLastPathComponent().path
        let script = """
            . deploy/local/lib.sh && houshi_config && register_demo_institution "$1" && cat "$RUN_DIR/demo-token" \
                && register_demo_institution "$1" && cat "$RUN_DIR/demo-token"
            """
        let output = try await runCommand(URL(fileURLWithPath: "/bin/bash"), ["-c", "cd \"$2\" && " + script, "bash",
                                                                             binDirectory, TestEnvironment.repository.path],
                                          environment: ["HOUSHI_RUN_DIR": houshi.environment.runDirectory.path])
        let tokens = output.split(separator: "\n").filter { !$0.hasPrefix("[houshi]") && !$0.isEmpty }
        #expect(tokens.count == 2 && tokens[0] == tokens[1], "\(output)")
        #expect(output.contains("still valid"), "the second run keeps the token and says so")
    }

    @Test("each service's --help names every variable its code reads, and --version its release and schema")
    func helpNamesEveryVariable() async throws {
        let folders: [Department: String] = [.intake: "Intake", .publicSecurity: "PublicSecurity",
                                             .civilAffairs: "CivilAffairs", .socialSecurity: "SocialSecurity"]
        let shared = try Self.variablesRead(under: "Shared")
        #expect(shared.contains("HOUSHI_PUBLIC_URL") && shared.contains("HOUSHI_AMQP_URL"))
        for (department, folder) in folders {
            let help = try await run([department.rawValue, "--help"])
            let read = shared.union(try Self.variablesRead(under: "Services/\(folder)"))
            let missing = read.filter { !help.contains($0) }.sorted()
            #expect(missing.isEmpty, "\(department.rawValue) --help does not name \(missing)")
            let version = try await run([department.rawValue, "--version"])
            let form = try Regex("^\(department.rawValue) [0-9]{4}\\.[0-9]{1,2}\\.[0-9]+ \\(schema [0-9]+, messages up to v[0-9]+\\)\n$")
            #expect(version.wholeMatch(of: form) != nil, "\(version)")
        }
        #expect(try Self.variablesRead(under: "Services/Intake").isSuperset(of: ["HOUSHI_SEAL_KEY", "HOUSHI_SMS_WEBHOOK_URL"]))
    }

    @Test("intake refuses to start without its seal key, and says which variable to set")
    func intakeNeedsItsSealKey() async throws {
        let refusal = try await houshi.environment.startupRefusal(.intake, changing: [
            "HOUSHI_SEAL_KEY_FILE": "", "HOUSHI_SEAL_KEY": ""])
        #expect(refusal.contains("HOUSHI_SEAL_KEY is not set (nor HOUSHI_SEAL_KEY_FILE)"), "\(refusal)")
    }

    @Test("infra status shows each service, judged from its port")
    func statusShowsTheServices() async throws {
        let output = try await servicesStatus()
        for (index, department) in Department.allCases.enumerated() {
            #expect(output.contains("\(department.rawValue): ready, 127.0.0.1:\(Houshi.basePort + index)"), "\(output)")
        }
        await houshi.services[.civilAffairs]?.terminate()
        let after = try await servicesStatus()
        try await houshi.start(.civilAffairs)
        #expect(after.contains("civil-affairs: stopped, 127.0.0.1:\(Houshi.basePort + 2)"), "\(after)")
    }

    /// What `infra status` prints of the services, for this suite's run directory and ports.
    private func servicesStatus() async throws -> String {
        try await runCommand(
            URL(fileURLWithPath: "/bin/bash"),
            ["-c", "cd \"$1\" && . deploy/local/lib.sh && houshi_config && HTTP_BASE_PORT=$2 && services_status", "bash",
             TestEnvironment.repository.path, String(Houshi.basePort)],
            environment: ["HOUSHI_RUN_DIR": houshi.environment.runDirectory.path])
    }

    /// The `HOUSHI_…` names in the Swift sources under `folder` of the repository.
    private static func variablesRead(under folder: String) throws -> Set<String> {
        let root = TestEnvironment.repository.appendingPathComponent(folder)
        let files = FileManager.default.enumerator(at: root, includingPropertiesForKeys: nil)?
            .compactMap { $0 as? URL }.filter { $0.pathExtension == "swift" } ?? []
        let pattern = try Regex("HOUSHI_[A-Z_]*[A-Z]")
        return Set(try files.flatMap { file in
            try String(contentsOf: file, encoding: .utf8).matches(of: pattern).map { String($0.output[0].substring ?? "") }
        })
    }
}
