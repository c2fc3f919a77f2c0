import FoundationEssentials

/// The one JSON codec of the contract: Foundation's coders, keys sorted (so that the same value
/// is always the same text), slashes unescaped, RFC 3339 times with offset (`Timestamp`).
public struct MessageCodec: Sendable {
    public init() {}

    public func encode<P>(_ envelope: Envelope<P>) throws -> Data {
        try Self.encoder.encode(envelope)
    }

    /// Reads only the envelope's fields, to route and deduplicate before the payload is decoded.
    public func decodeHeader(_ data: Data) throws -> EnvelopeHeader {
        try JSONDecoder().decode(EnvelopeHeader.self, from: data)
    }

    public func decode<P>(_ data: Data, as payload: P.Type = P.self) throws -> Envelope<P> {
        try JSONDecoder().decode(Envelope<P>.self, from: data)
    }

    /// Encodes any contract value (payloads, fixtures) the same way envelopes are encoded.
    public func encodeValue<T: Encodable>(_ value: T) throws -> Data {
        try Self.encoder.encode(value)
    }

    private static var encoder: JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }
}
