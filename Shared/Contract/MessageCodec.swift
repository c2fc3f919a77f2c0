import FoundationEssentials

/// The one JSON codec of the contract: camelCase keys in declaration order (the envelope's fields
/// first), RFC 3339 times with offset.
public struct MessageCodec: Sendable {
    public init() {}

    public func encode<P>(_ envelope: Envelope<P>) throws -> Data {
        Data(try StreamingJSONEncoder().encode(envelope))
    }

    /// Reads only the envelope's fields, to route and deduplicate before the payload is decoded.
    public func decodeHeader(_ data: Data) throws -> EnvelopeHeader {
        try IndexedJSONDecoder().decode(EnvelopeHeader.self, from: data)
    }

    public func decode<P>(_ data: Data, as payload: P.Type = P.self) throws -> Envelope<P> {
        try IndexedJSONDecoder().decode(Envelope<P>.self, from: data)
    }

    /// Encodes any contract value (payloads, fixtures) the same way envelopes are encoded.
    public func encodeValue<T: Encodable>(_ value: T) throws -> Data {
        Data(try StreamingJSONEncoder().encode(value))
    }
}
