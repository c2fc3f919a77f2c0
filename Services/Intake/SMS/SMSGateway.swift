import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import HoushiRuntime
import Logging

/// Where text messages go: the operator's SMS provider, behind one call.
protocol SMSGateway: Sendable {
    /// Sends one message; throws when the provider did not accept it (it will be retried).
    func send(_ sms: SMS) async throws
}

/// Writes messages to the log (phone masked) instead of sending them: the default, for local runs.
struct LogSMSGateway: SMSGateway {
    let logger: Logger

    func send(_ sms: SMS) async throws {
        logger.info("SMS", metadata: ["case": "\(sms.caseId.lowercased)", "to": "\(Redact.phone(sms.phone))",
                                      "text": "\(sms.text)"])
    }
}

/// Posts each message as JSON (`{"id", "phone", "text"}`) to the provider's webhook; any answer
/// but 2xx is a failure.
struct WebhookSMSGateway: SMSGateway {
    let url: URL
    var timeout: TimeInterval = 10

    struct Rejected: Error, CustomStringConvertible {
        let status: Int
        var description: String { "the SMS webhook answered \(status)" }
    }

    func send(_ sms: SMS) async throws {
        var request = URLRequest(url: url, timeoutInterval: timeout)
        request.httpMethod = "POST"
        request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        request.setValue(String(sms.id), forHTTPHeaderField: "Idempotency-Key")
        request.httpBody = try JSONSerialization.data(withJSONObject: ["id": sms.id, "phone": sms.phone, "text": sms.text])
        let (_, response) = try await URLSession.shared.data(for: request)
        let status = (response as? HTTPURLResponse)?.statusCode ?? 0
        guard (200..<300).contains(status) else { throw Rejected(status: status) }
    }
}
