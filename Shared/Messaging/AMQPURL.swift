import FoundationEssentials

/// Where and how to reach a broker: `amqp://user:password@host:port/vhost` (vhost
/// percent-encoded, `%2F` for `/`; port 5672 and vhost `/` when absent).
public struct AMQPURL: Sendable, Equatable, CustomStringConvertible {
    public var host: String
    public var port: Int
    public var user: String
    public var password: String
    public var vhost: String

    public init?(_ text: String) {
        // The services do not load ICU (LinkageTests), so `host` is only percent-decoded, no IDNA.
        guard let components = URLComponents(string: text), components.scheme == "amqp",
              let host = components.host, !host.isEmpty
        else { return nil }
        self.host = host
        self.port = components.port ?? 5672
        self.user = components.user ?? "guest"
        self.password = components.password ?? "guest"
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
    public var description: String { "amqp://\(user)@\(host):\(port)/\(vhost == "/" ? "%2F" : vhost)" }
}
