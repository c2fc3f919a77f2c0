import AsyncHTTPClient
import Foundation
import HoushiRuntime
import Logging
import NIOCore
import NIOSSL

/// Where text messages go: the operator's SMS provider, behind one call.
protocol SMSGateway: Sendable {
    /// Sends one message; throws when the provider did not accept it (it will be retried).
    func send(_ sms: SMS) async throws
    /// Releases what the gateway holds (connections), once nothing more is sent.
    func shutdown() async throws
}

extension SMSGateway {
    func shutdown() async throws {}
}

/// Writes messages to the log (phone masked) instead of sending them: the default, for local runs.
struct LogSMSGateway: SMSGateway {
    let logger: Logger

    func send(_ sms: SMS) async throws {
        logger.info("SMS", metadata: ["case": "\(sms.caseId.lowercased)", "to": "\(Redact.phone(sms.phone))",
                                      "text": "\(sms.text)"])
    }
}

/// Posts each message as JSON (`{"id", "phone", "text"}`) to the provider's webhook with
/// async-http-client, the message id as its `Idempotency-Key` (a retried message is not sent
/// twice by a provider that honours it); any answer but 2xx is a failure. The webhook is HTTPS,
/// its certificate verified against the system's roots and, when given, a CA of the operator's
/// (`HOUSHI_SMS_CA_FILE`); plain HTTP only to a relay on this host (127.0.0.1, ::1, localhost).
final class WebhookSMSGateway: SMSGateway {
    private let url: String
    private let client: HTTPClient
    /// How long a message may take, connecting included.
    static let timeout = TimeAmount.seconds(10)
    /// The most of a provider's answer read (the answer is not used beyond its status).
    static let answerLimit = 64 * 1024

    /// The webhook's body.
    private struct WebhookMessage: Encodable {
        let id: Int64
        let phone: String
        let text: String
    }

    struct Rejected: Error, CustomStringConvertible {
        let status: UInt
        var description: String { "the SMS webhook answered \(status)" }
    }

    struct RefusedURL: Error, CustomStringConvertible {
        let url: String
        var description: String {
            "HOUSHI_SMS_WEBHOOK_URL must be an https:// URL (http:// only to 127.0.0.1, ::1 or localhost): \(url)"
        }
    }

    /// Throws when `url` is not one the gateway may post to, or the CA file cannot be read, so a
    /// wrong setting stops intake at start.
    init(url: String, caFile: String? = nil) throws {
        guard Self.acceptable(url) else { throw RefusedURL(url: url) }
        var tls = TLSConfiguration.makeClientConfiguration()
        tls.minimumTLSVersion = .tlsv12
        if let caFile, !caFile.isEmpty {
            tls.additionalTrustRoots = [.certificates(try NIOSSLCertificate.fromPEMFile(caFile))]
        }
        var configuration = HTTPClient.Configuration(tlsConfiguration: tls, redirectConfiguration: .disallow,
                                                     timeout: .init(connect: .seconds(5), read: Self.timeout))
        configuration.httpVersion = .http1Only
        // A connection that cannot be made (refused, or a certificate not trusted) fails the
        // message at once with its reason; the outbox retries it with back-off.
        configuration.connectionPool.retryConnectionEstablishment = false
        self.url = url
        client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
    }

    /// Whether the gateway posts to `url`: HTTPS anywhere, plain HTTP only on this host.
    static func acceptable(_ url: String) -> Bool {
        guard let parsed = URL(string: url), let scheme = parsed.scheme?.lowercased(), let host = parsed.host(),
              !host.isEmpty else { return false }
        return scheme == "https" || scheme == "http" && ["127.0.0.1", "::1", "[::1]", "localhost"].contains(host.lowercased())
    }

    func send(_ sms: SMS) async throws {
        var request = HTTPClientRequest(url: url)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        request.headers.add(name: "Idempotency-Key", value: String(sms.id))
        request.body = .bytes(ByteBuffer(bytes: try JSONEncoder().encode(WebhookMessage(id: sms.id, phone: sms.phone,
                                                                                         text: sms.text))))
        let response = try await client.execute(request, timeout: Self.timeout)
        _ = try await response.body.collect(upTo: Self.answerLimit)
        guard (200..<300).contains(response.status.code) else { throw Rejected(status: response.status.code) }
    }

    func shutdown() async throws { try await client.shutdown() }
}
