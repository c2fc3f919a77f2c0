import FoundationEssentials
import HoushiHTTPClient
import HoushiRuntime
import Logging
import NIOCore

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

/// Posts each message as JSON (`{"id", "phone", "text"}`) to the provider's webhook, an
/// `http://` URL (an `https` provider is reached through a TLS proxy beside intake); any answer
/// but 2xx is a failure.
struct WebhookSMSGateway: SMSGateway {
    private let post: HTTPClientRequest
    private let timeout = TimeAmount.seconds(10)

    /// The webhook's body.
    private struct WebhookMessage: Encodable {
        let id: Int64
        let phone: String
        let text: String
    }

    struct Rejected: Error, CustomStringConvertible {
        let status: Int
        var description: String { "the SMS webhook answered \(status)" }
    }

    /// Throws when `url` is not an `http://` URL, so a wrong setting stops intake at start.
    init(url: String) throws {
        post = try HTTPClientRequest("POST", url: url)
    }

    func send(_ sms: SMS) async throws {
        let body = try JSONEncoder().encode(WebhookMessage(id: sms.id, phone: sms.phone, text: sms.text))
        var request = post
        request.headers = [("Content-Type", "application/json"), ("Idempotency-Key", String(sms.id))]
        request.body = Array(body)
        let response = try await HTTPClient.shared.execute(request, timeout: timeout)
        guard (200..<300).contains(response.status) else { throw Rejected(status: response.status) }
    }
}
