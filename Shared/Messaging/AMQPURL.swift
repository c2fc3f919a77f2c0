import FoundationEssentials

/// Where and how to reach a broker: `amqp://user:password@host:port/vhost`, or
/// `amqps://…?cacertfile=/path/ca.pem` for TLS (vhost percent-encoded, `%2F` for `/`; port 5672,
/// 5671 with TLS, and vhost `/` when absent). Over TLS the broker's certificate is always
/// verified, its name included, against `cacertfile` (the system's CAs when absent).
public struct AMQPURL: Sendable, Equatable, CustomStringConvertible {
    public var host: String
    public var port: Int
    public var user: String
    public var password: String
    public var vhost: String
    /// TLS settings; nil for a plain `amqp://` connection.
    public var tls: TLS?

    /// How a TLS connection verifies the broker.
    public struct TLS: Sendable, Equatable {
        /// The PEM file of the certificate authorities to trust (`cacertfile`); nil for the system's.
        public var caCertificateFile: String?

        public init(caCertificateFile: String?) { self.caCertificateFile = caCertificateFile }
    }

    public init?(_ text: String) {
        // The services do not load ICU (LinkageTests), so `host` is only percent-decoded, no IDNA.
        guard let components = URLComponents(string: text), components.scheme == "amqp" || components.scheme == "amqps",
              let host = components.host, !host.isEmpty
        else { return nil }
        let secure = components.scheme == "amqps"
        let query = components.queryItems ?? []
        // Only the one setting is understood: anything else is a mistake, not something to ignore.
        guard query.allSatisfy({ secure && $0.name == "cacertfile" && $0.value?.isEmpty == false }) else { return nil }
        self.host = host
        self.port = components.port ?? (secure ? 5671 : 5672)
        self.user = components.user ?? "guest"
        self.password = components.password ?? "guest"
        self.tls = secure ? TLS(caCertificateFile: query.first?.value) : nil
        let path = components.percentEncodedPath
        if path.isEmpty || path == "/" {
            vhost = "/"
        } else {
            // `path` is empty when the escapes do not decode to UTF-8.
            let decoded = components.path
            guard !decoded.isEmpty else { return nil }
            vhost = String(decoded.dropFirst())
        }
    }

    /// The URL without its password, for logs.
    public var description: String {
        "\(tls == nil ? "amqp" : "amqps")://\(user)@\(host):\(port)/\(vhost == "/" ? "%2F" : vhost)"
    }
}
