import Foundation
import HoushiContract
import Testing

/// The chaos run (`deploy/local/chaos`) in a small form, on its own broker and database: two
/// replicas of every department, every service SIGKILLed three times, RabbitMQ and PostgreSQL
/// restarted once, every tenth case withdrawn meanwhile, and afterwards every case completed (or
/// undone in every department) with nothing lost, done twice or left half-undone.
@Suite(.serialized)
struct ChaosRunTests {
    @Test("a small chaos run loses no case and does nothing twice")
    func smallChaosRun() async throws {
        let environment = try TestEnvironment.load()
        let script = TestEnvironment.repository.appendingPathComponent("deploy/local/chaos")
        // runCommand fails the test with the script's whole output when it exits non-zero.
        let output = try await runCommand(script, [], environment: [
            "HOUSHI_BIN_DIR": environment.binDirectory.path,
            "HOUSHI_CHAOS_RUN_DIR": environment.runDirectory.appendingPathComponent("chaos").path,
            "HOUSHI_CHAOS_CASES": "60", "HOUSHI_CHAOS_RATE": "10", "HOUSHI_CHAOS_KILLS": "3",
        ])
        let lines = output.split(separator: "\n")
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
}
