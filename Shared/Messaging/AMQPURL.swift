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
        // `percentEncodedHost`: `host` would load ICU's IDNA tables (megabytes resident) for a
        // name that is an address or a plain service name.
        guard let components = URLComponents(string: text), components.scheme == "amqp",
              let host = components.percentEncodedHost.flatMap(Self.percentDecoded), !host.isEmpty
        else { return nil }
        self.host = host
        self.port = components.port ?? 5672
        self.user = components.user ?? "guest"
        self.password = components.password ?? "guest"
        let path = components.percentEncodedPath
        if path.isEmpty || path == "/" {
            vhost = "/"
        } else {
            guard let decoded = Self.percentDecoded(String(path.dropFirst())) else { return nil }
            vhost = decoded
        }
    }

    /// The URL without its password, for logs.
    public var description: String { "amqp://\(user)@\(host):\(port)/\(vhost == "/" ? "%2F" : vhost)" }

    /// `text` with each `%XX` replaced by its byte; nil when an escape is broken or the bytes are not UTF-8.
    static func percentDecoded(_ text: String) -> String? {
        var bytes: [UInt8] = []
        var iterator = text.utf8.makeIterator()
        while let byte = iterator.next() {
            guard byte == UInt8(ascii: "%") else {
                bytes.append(byte)
                continue
            }
            guard let high = iterator.next().flatMap(Self.hexValue), let low = iterator.next().flatMap(Self.hexValue) else {
                return nil
            }
            bytes.append(high << 4 | low)
        }
        return String(validating: bytes, as: UTF8.self)
    }

    private static func hexValue(_ digit: UInt8) -> UInt8? {
        switch digit {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): digit - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): digit - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): digit - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}
