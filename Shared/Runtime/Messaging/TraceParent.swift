/// W3C trace context (`traceparent: 00-<trace-id>-<span-id>-<flags>`), carried in message
/// headers so one case can be followed across services.
public struct TraceParent: Sendable, Equatable, CustomStringConvertible {
    /// 32 lowercase hex digits, shared by every message of one case's trace.
    public let traceId: String
    /// 16 lowercase hex digits, this hop's id.
    public let spanId: String
    public let flags: String

    /// The AMQP/HTTP header name.
    public static let header = "traceparent"

    /// A new trace, e.g. for a death notice arriving over HTTP.
    public static func start() -> TraceParent {
        TraceParent(traceId: String.randomHex(bytes: 16), spanId: String.randomHex(bytes: 8), flags: "01")
    }

    /// Parses a `traceparent` header; nil when malformed or all-zero.
    public init?(header: String) {
        let parts = header.split(separator: "-")
        guard parts.count == 4, parts[0] == "00", parts[1].count == 32, parts[2].count == 16, parts[3].count == 2,
              parts.dropFirst().allSatisfy({ $0.allSatisfy(\.isHexDigit) }),
              parts[1].contains(where: { $0 != "0" }), parts[2].contains(where: { $0 != "0" })
        else { return nil }
        self.init(traceId: parts[1].lowercased(), spanId: parts[2].lowercased(), flags: String(parts[3]))
    }

    private init(traceId: String, spanId: String, flags: String) {
        self.traceId = traceId
        self.spanId = spanId
        self.flags = flags
    }

    /// The next hop in the same trace.
    public func child() -> TraceParent {
        TraceParent(traceId: traceId, spanId: String.randomHex(bytes: 8), flags: flags)
    }

    public var description: String { "00-\(traceId)-\(spanId)-\(flags)" }
}
