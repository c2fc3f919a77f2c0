import Foundation
import HoushiContract
import Testing

/// The chaos run (`deploy/local/chaos`) in small forms, on their own broker and database: two
/// replicas of every department, every service SIGKILLed three times, RabbitMQ and PostgreSQL
/// restarted once, every tenth case withdrawn meanwhile, and afterwards every case completed (or
/// undone in every department) with nothing lost, done twice or left half-undone.
@Suite(.serialized)
struct ChaosRunTests {
    @Test("a small chaos run loses no case and does nothing twice")
    func smallChaosRun() async throws {
        let lines = try await chaos([], runDirectory: "chaos", cases: 60, kills: 3)
        #expect(lines.contains("CHAOS RUN PASSED: nothing lost, nothing done twice"))
        #expect(!lines.contains { $0.hasSuffix("MISS") })
        for department in Department.allCases {
            #expect(lines.contains("  \(department.rawValue): killed 3 times (SIGKILL) and restarted"))
        }
        #expect(lines.contains("  restarted: PostgreSQL RabbitMQ") || lines.contains("  restarted: RabbitMQ PostgreSQL"))
        let checked = lines.filter { $0.hasSuffix("  ok") }
        #expect(checked.count == 33, "\(checked.joined(separator: "\n"))")
        #expect(checked.contains { $0.hasPrefix("cases completed") && $0.contains(" 54 ") })
        #expect(checked.contains { $0.hasPrefix("withdrawn cases undone in every department") && $0.contains(" 6 6 ") })
    }

    /// `deploy/local/chaos --ha` in a small form: a three-node RabbitMQ cluster and a PostgreSQL
    /// primary with a synchronous standby; the node leading the service queues SIGKILLed twice
    /// (two different nodes), the database failed over to the standby, every service killed once.
    @Test("a small chaos run on the cluster and the standby pair survives failovers")
    func smallHighAvailabilityChaosRun() async throws {
        let lines = try await chaos(["--ha"], runDirectory: "chaos-ha", cases: 200, kills: 1)
        #expect(lines.contains("CHAOS RUN PASSED: nothing lost, nothing done twice"))
        #expect(!lines.contains { $0.hasSuffix("MISS") })
        let restarted = try #require(lines.first { $0.hasPrefix("  restarted: ") })
        let killedNodes = restarted.split(separator: " ").filter { $0.hasPrefix("houshi-") }
        #expect(killedNodes.count == 2 && Set(killedNodes).count == 2, "\(restarted)")
        #expect(restarted.contains("PostgreSQL (failed over from 127.0.0.1:"))
        let checked = lines.filter { $0.hasSuffix("  ok") }
        #expect(checked.count == 35, "\(checked.joined(separator: "\n"))")
        #expect(checked.contains { $0.hasPrefix("cases completed") && $0.contains(" 180 ") })
        #expect(checked.contains { $0.hasPrefix("service queues: quorum queues on 3 nodes") })
        #expect(checked.contains { $0.hasPrefix("PostgreSQL standby streaming synchronously") })
        #expect(lines.filter { $0.contains("leading the service queues, killed") || $0.contains("the standby promoted") }.count == 3)
    }

    /// Runs `deploy/local/chaos ARGUMENTS` at 10 cases/s in the test run's `runDirectory`; its output's
    /// lines. (runCommand fails the test with the script's whole output when it exits non-zero.)
    private func chaos(_ arguments: [String], runDirectory: String, cases: Int, kills: Int) async throws -> [Substring] {
        let environment = try TestEnvironment.load()
        let output = try await runCommand(TestEnvironment.repository.appendingPathComponent("deploy/local/chaos"), arguments,
                                          environment: [
                                              "HOUSHI_BIN_DIR": environment.binDirectory.path,
                                              "HOUSHI_CHAOS_RUN_DIR": environment.runDirectory.appendingPathComponent(runDirectory).path,
                                              "HOUSHI_CHAOS_CASES": String(cases), "HOUSHI_CHAOS_RATE": "10",
                                              "HOUSHI_CHAOS_KILLS": String(kills),
                                          ])
        return output.split(separator: "\n")
    }
}
