import Foundation

/// The stand-in SMS provider (`sms_sink.py`) on a random local port: it writes each message it
/// accepts as a JSON line to `received` and refuses the first `failFirst` requests. With the
/// run's TLS on it speaks HTTPS only, with the certificate the run's CA signed for localhost.
final class SMSSink: @unchecked Sendable {
    // Below Linux's ephemeral range (32768-60999), where an outgoing connection may hold the port.
    let port = Int.random(in: 30_000...32_700)
    let received = FileManager.default.temporaryDirectory.appendingPathComponent("sms-\(UUID()).jsonl")
    private let environment: TestEnvironment
    private let process: ChildProcess

    init(failFirst: Int = 0) throws {
        environment = try TestEnvironment.load()
        let tls = environment.runDirectory.appendingPathComponent("tls")
        let certificate = environment.tls ? [tls.appendingPathComponent("server.pem").path,
                                             tls.appendingPathComponent("server.key").path] : []
        process = try ChildProcess(URL(fileURLWithPath: "/usr/bin/env"),
                                   ["python3", TestEnvironment.repository.appendingPathComponent("Tests/IntegrationTests/Support/sms_sink.py").path,
                                    String(port), received.path, String(failFirst)] + certificate,
                                   environment: ProcessInfo.processInfo.environment,
                                   output: FileManager.default.temporaryDirectory.appendingPathComponent("sms-sink-\(port).log"))
    }

    /// Intake's settings that send the family's SMS here, trusting the run's CA.
    var intakeSettings: [String: String] {
        get throws {
            guard environment.tls else { return ["HOUSHI_SMS_WEBHOOK_URL": "http://127.0.0.1:\(port)/sms"] }
            return ["HOUSHI_SMS_WEBHOOK_URL": "https://localhost:\(port)/sms", "HOUSHI_SMS_CA_FILE": try environment.serviceCA.path]
        }
    }

    deinit {
        process.signal(SIGKILL)
        try? FileManager.default.removeItem(at: received)
    }
}
