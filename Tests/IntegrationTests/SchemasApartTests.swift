import Foundation
import HoushiContract
import Testing

/// Any service's schema can live on a PostgreSQL server of its own: civil affairs on a second
/// server (started with `deploy/local/infra start-postgres` in a run dir of its own) while the
/// other services share the suite's, and a case still completes across both.
@Suite(.serialized)
struct SchemasApartTests {
    @Test("civil affairs on its own PostgreSQL server, the others on the shared one")
    func oneDepartmentOnItsOwnServer() async throws {
        let environment = try TestEnvironment.load()
        let infra = TestEnvironment.repository.appendingPathComponent("deploy/local/infra")
        let server: [String: String] = [
            "HOUSHI_RUN_DIR": environment.runDirectory.appendingPathComponent("apart").path,
            "HOUSHI_PG_PORT": String(try #require(Int(try environment.adminValue("HOUSHI_PG_PORT"))) + 5),
            "HOUSHI_TLS": environment.tls ? "on" : "off", "HOUSHI_HA": "off",
        ]
        try await runCommand(infra, ["start-postgres"], environment: server)
        do {
            try await completeCaseAcrossServers(environment: environment, infra: infra, server: server)
        } catch {
            _ = try? await runCommand(infra, ["destroy"], environment: server)
            throw error
        }
        try await runCommand(infra, ["destroy"], environment: server)
    }

    private func completeCaseAcrossServers(environment: TestEnvironment, infra: URL, server: [String: String]) async throws {
        let ownEnvironment = try TestEnvironment.readEnvFile(
            URL(fileURLWithPath: try #require(server["HOUSHI_RUN_DIR"])).appendingPathComponent("env/civil-affairs.env"))
        let ownDatabase = try #require(ownEnvironment["HOUSHI_DATABASE_URL"])
        #expect(ownDatabase != (try environment.serviceEnvironment(.civilAffairs)["HOUSHI_DATABASE_URL"]))
        let houshi = try await Houshi.start(overrides: [.civilAffairs: ["HOUSHI_DATABASE_URL": ownDatabase]])
        let (body, idNumber) = try TestNotices.fresh()
        try await houshi.registerForWholeFlow(idNumber: idNumber)
        let caseId = try await houshi.postFreshNotice((body, idNumber))
        for item in Item.allCases {
            try await eventually("\(item.rawValue) to be done") { try await houshi.itemStatus(caseId: caseId, item: item) == "done" }
        }
        // The certificate is on civil affairs' own server and only there; the other departments'
        // work is on the shared one.
        let certificates = "SELECT count(*) FROM civil_affairs.cremation_certificates WHERE case_id = '\(caseId.lowercased)'"
        let onOwnServer = try await runCommand(infra, ["psql", "-tAq", "-c", certificates], environment: server)
        #expect(onOwnServer.trimmingCharacters(in: .whitespacesAndNewlines) == "1")
        #expect(try await houshi.infrastructure.count("""
            SELECT count(*) AS count FROM civil_affairs.cremation_certificates WHERE case_id = $1::uuid
            """, [caseId.lowercased]) == 0)
        #expect(try await houshi.infrastructure.count("""
            SELECT count(*) AS count FROM public_security.cancellations WHERE case_id = $1::uuid
            """, [caseId.lowercased]) == 1)
        for department in Department.allCases { await houshi.services[department]?.terminate() }
    }
}
