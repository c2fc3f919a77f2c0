import Foundation
import HoushiContract
import Testing

/// The broker, database and binaries `deploy/local/test` prepared: `HOUSHI_TEST_ENV_DIR` holds
/// one env file per service plus `admin.env`; `HOUSHI_BIN_DIR` holds the built executables and
/// `HOUSHI_SERVICE_BIN_DIR` the services' copies, which run as `HOUSHI_SERVICE_USER` (admin.env)
/// when the tests run as root.
struct TestEnvironment: Sendable {
    let envDirectory: URL
    let binDirectory: URL
    let serviceBinDirectory: URL
    let admin: [String: String]

    struct Missing: Error, CustomStringConvertible {
        let variable: String
        var description: String { "\(variable) is not set: run the tests with deploy/local/test" }
    }

    static func load() throws -> TestEnvironment {
        let environment = ProcessInfo.processInfo.environment
        guard let env = environment["HOUSHI_TEST_ENV_DIR"] else { throw Missing(variable: "HOUSHI_TEST_ENV_DIR") }
        guard let bin = environment["HOUSHI_BIN_DIR"] else { throw Missing(variable: "HOUSHI_BIN_DIR") }
        let directory = URL(fileURLWithPath: env)
        return TestEnvironment(envDirectory: directory, binDirectory: URL(fileURLWithPath: bin),
                               serviceBinDirectory: URL(fileURLWithPath: environment["HOUSHI_SERVICE_BIN_DIR"] ?? bin),
                               admin: try readEnvFile(directory.appendingPathComponent("admin.env")))
    }

    /// The variables a service runs with (its own broker user and database role).
    func serviceEnvironment(_ department: Department) throws -> [String: String] {
        try serviceEnvironment(named: department.rawValue)
    }

    /// The variables the service of that executable runs with (e.g. `housing-fund`).
    func serviceEnvironment(named name: String) throws -> [String: String] {
        try Self.readEnvFile(envDirectory.appendingPathComponent("\(name).env"))
    }

    func adminValue(_ name: String) throws -> String {
        guard let value = admin[name] else { throw Missing(variable: "\(name) in admin.env") }
        return value
    }

    /// Whether the broker, the database, the services and nginx speak TLS only (`HOUSHI_TLS`, on
    /// by default).
    var tls: Bool { admin["HOUSHI_TLS"] != "off" }

    /// The local CA that signed the servers' certificate (`HOUSHI_TLS_CA`).
    var tlsCA: URL { get throws { URL(fileURLWithPath: try adminValue("HOUSHI_TLS_CA")) } }

    /// `deploy/local/infra start-nginx|stop-nginx` on `webPort`, in front of the services of
    /// `basePort` (intake's port; the departments' follow).
    func nginx(_ subcommand: String, webPort: Int, servicesFrom basePort: Int = Houshi.basePort) async throws {
        _ = try await runCommand(Self.repository.appendingPathComponent("deploy/local/infra"), [subcommand], environment: [
            "HOUSHI_RUN_DIR": runDirectory.path, "HOUSHI_WEB_PORT": String(webPort),
            "HOUSHI_HTTP_BASE_PORT": String(basePort),
        ])
    }

    /// A service's address when it listens on `port` on this host: https when the run speaks TLS
    /// (its certificate holds the address too).
    func serviceAddress(port: Int) -> String { tls ? "https://127.0.0.1:\(port)" : "http://127.0.0.1:\(port)" }

    /// nginx's address when it listens on `port`: https on the name its certificate holds.
    func webAddress(port: Int) -> String { tls ? "https://localhost:\(port)" : "http://127.0.0.1:\(port)" }

    var runDirectory: URL { URL(fileURLWithPath: admin["HOUSHI_RUN_DIR"] ?? envDirectory.deletingLastPathComponent().path) }

    func binary(_ name: String) -> URL { binDirectory.appendingPathComponent(name) }

    /// What the service printed when it refused to start with its env file changed by `changes`
    /// (on HTTP port 0); a start that does not fail is recorded as an issue.
    func startupRefusal(_ department: Department, changing changes: [String: String]) async throws -> String {
        var variables = try serviceEnvironment(department).merging(changes) { $1 }
        variables["HOUSHI_HTTP_PORT"] = "0"
        do {
            _ = try await runCommand(binary(department.rawValue), [], environment: variables)
            Issue.record("\(department.rawValue) started with \(changes.keys.sorted())")
            return ""
        } catch let failed as CommandFailed {
            #expect(failed.status != 0)
            return failed.output
        }
    }

    /// The local CA as the services read it: their own copy when they run as `serviceUser`.
    var serviceCA: URL {
        get throws {
            serviceUser == nil ? try tlsCA : serviceBinDirectory.deletingLastPathComponent().appendingPathComponent("ca.pem")
        }
    }

    /// The unprivileged user the services run as, when the tests run as root.
    var serviceUser: String? { admin["HOUSHI_SERVICE_USER"].flatMap { $0.isEmpty ? nil : $0 } }

    /// How a service is started: its executable, as `serviceUser` (setpriv execs it, so the
    /// child's pid is the service's) with HOME its folder when there is one, as deploy/local does.
    func serviceCommand(named name: String) -> (executable: URL, arguments: [String], home: String?) {
        let executable = serviceBinDirectory.appendingPathComponent(name)
        guard let user = serviceUser else { return (executable, [], nil) }
        return (URL(fileURLWithPath: "/usr/bin/setpriv"),
                ["--reuid=\(user)", "--regid=\(user)", "--init-groups", "--inh-caps=-all", "--", executable.path],
                serviceBinDirectory.deletingLastPathComponent().path)
    }

    /// `KEY=value` or `KEY='value'` lines; blank lines and `#` comments are skipped.
    static func readEnvFile(_ url: URL) throws -> [String: String] {
        var values: [String: String] = [:]
        for line in try String(contentsOf: url, encoding: .utf8).split(separator: "\n") {
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            guard !trimmed.isEmpty, !trimmed.hasPrefix("#"), let equals = trimmed.firstIndex(of: "=") else { continue }
            let value = trimmed[trimmed.index(after: equals)...]
            let quoted = value.count >= 2 && value.hasPrefix("'") && value.hasSuffix("'")
            values[String(trimmed[..<equals])] = String(quoted ? value.dropFirst().dropLast() : value)
        }
        return values
    }

    /// The repository's root folder.
    static let repository = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
}

/// Runs a command to completion and returns its output (standard output and error); throws
/// with that output on a non-zero exit.
@discardableResult
func runCommand(_ executable: URL, _ arguments: [String], environment: [String: String]) async throws -> String {
    let output = FileManager.default.temporaryDirectory.appendingPathComponent("houshi-command-\(UUID()).log")
    defer { try? FileManager.default.removeItem(at: output) }
    let child = try ChildProcess(executable, arguments,
                                 environment: ProcessInfo.processInfo.environment.merging(environment) { $1 },
                                 output: output)
    let status = await child.waitForExit()
    let text = (try? String(contentsOf: output, encoding: .utf8)) ?? ""
    guard status == 0 else {
        throw CommandFailed(command: ([executable.path] + arguments).joined(separator: " "), status: status, output: text)
    }
    return text
}

struct CommandFailed: Error, CustomStringConvertible {
    let command: String
    let status: Int32
    let output: String
    var description: String { "\(command) exited with \(status):\n\(output)" }
}

/// Polls `condition` every 100 ms until it holds or `timeout` passes.
func eventually(timeout: Duration = .seconds(30), _ what: String,
                _ condition: () async throws -> Bool) async throws {
    let deadline = ContinuousClock.now + timeout
    while ContinuousClock.now < deadline {
        if try await condition() { return }
        try await Task.sleep(for: .milliseconds(100))
    }
    throw TimedOut(what: what, timeout: timeout)
}

struct TimedOut: Error, CustomStringConvertible {
    let what: String
    let timeout: Duration
    var description: String { "timed out after \(timeout) waiting for \(what)" }
}
