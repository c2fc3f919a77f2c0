import FoundationEssentials
import NIOCore

/// One HTTP request: method, an `http://` or `https://` URL, headers and an optional body.
public struct HTTPClientRequest: Sendable {
    public let method: String
    public let endpoint: Endpoint
    /// Path and query, as sent on the request line.
    public let target: String
    public var headers: [(name: String, value: String)]
    public var body: [UInt8]?

    /// Reads `url`, an `http://` or `https://` URL.
    public init(_ method: String, url: String, headers: [(name: String, value: String)] = [], body: [UInt8]? = nil) throws {
        guard let components = URLComponents(string: url), let host = components.host, !host.isEmpty else {
            throw HTTPClientError.BadURL(url: url, reason: "not a URL with a host")
        }
        let scheme = components.scheme?.lowercased()
        guard scheme == "http" || scheme == "https" else {
            throw HTTPClientError.BadURL(url: url, reason: "only http:// and https:// are supported")
        }
        self.method = method
        let tls = scheme == "https"
        endpoint = Endpoint(host: host, port: components.port ?? (tls ? 443 : 80), tls: tls)
        let path = components.percentEncodedPath.isEmpty ? "/" : components.percentEncodedPath
        target = components.percentEncodedQuery.map { "\(path)?\($0)" } ?? path
        self.headers = headers
        self.body = body
    }
}

/// A whole HTTP response.
public struct HTTPClientResponse: Sendable {
    public let status: Int
    /// Header fields by lower-cased name (a repeated field keeps its last value).
    public let headers: [String: String]
    public let body: [UInt8]
    /// Whether the connection may carry another request.
    let keepAlive: Bool
}

/// What can go wrong before a whole response arrives.
public enum HTTPClientError {
    public struct BadURL: Error, CustomStringConvertible {
        public let url: String
        public let reason: String
        public var description: String { "bad HTTP URL \(url): \(reason)" }
    }

    public struct CannotConnect: Error, CustomStringConvertible {
        public let endpoint: String
        public let reason: String
        public var description: String { "cannot connect to \(endpoint): \(reason)" }
    }

    /// The connection closed before any of the response arrived.
    public struct ClosedBeforeResponse: Error, CustomStringConvertible {
        public var description: String { "the connection closed before a response" }
    }

    /// The connection closed in the middle of the response.
    public struct ClosedInResponse: Error, CustomStringConvertible {
        public var description: String { "the connection closed in the middle of the response" }
    }

    public struct TimedOut: Error, CustomStringConvertible {
        public let timeout: TimeAmount
        public var description: String { "no whole response within \(timeout.nanoseconds / 1_000_000) ms" }
    }
}
