import Foundation

/// The stand-in SMS provider (`sms_sink.py`) on a random local port: it writes each message it
/// accepts as a JSON line to `received` and refuses the first `failFirst` requests.
final class SMSSink: @unchecked Sendable {
    let port = Int.random(in: 30_000...39_000)
    let received = FileManager.default.temporaryDirectory.appendingPathComponent("sms-\(UUID()).jsonl")
    private let process: ChildProcess

    init(failFirst: Int = 0) throws {
        process = try ChildProcess(URL(fileURLWithPath: "/usr/bin/env"),
                                   ["python3", TestEnvironment.repository.appendingPathComponent("Tests/IntegrationTests/Support/sms_sink.py").path,
                                    String(port), received.path, String(failFirst)],
                                   environment: ProcessInfo.processInfo.environment,
                                   output: FileManager.default.temporaryDirectory.appendingPathComponent("sms-sink-\(port).log"))
    }

    /// Intake's setting that sends the family's SMS here.
    var webhookURL: String { "http://127.0.0.1:\(port)/sms" }

    deinit {
        process.signal(SIGKILL)
        try? FileManager.default.removeItem(at: received)
    }
}
