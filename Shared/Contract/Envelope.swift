import Foundation

/// The one envelope every message travels in; `Payload` is the type's body.
public struct Envelope<Payload: Codable & Sendable>: Codable, Sendable {
    /// Message id: the deduplication key and the AMQP `message_id`.
    public var id: UUID
    /// Dotted type name, e.g. `hukou.cancelled`.
    public var type: String
    /// Schema version of `type`.
    public var version: Int
    /// The case; also the AMQP `correlation_id`.
    public var caseId: UUID
    /// The message that caused this one, if any.
    public var causationId: UUID?
    public var occurredAt: Timestamp
    public var producer: Department
    public var payload: Payload

    public init(
        id: UUID = UUID(), type: MessageType, caseId: UUID, causationId: UUID? = nil,
        occurredAt: Timestamp = .now(), producer: Department, payload: Payload
    ) {
        self.id = id
        self.type = type.name
        self.version = type.version
        self.caseId = caseId
        self.causationId = causationId
        self.occurredAt = occurredAt
        self.producer = producer
        self.payload = payload
    }

    public var messageType: MessageType { MessageType(type, version: version) }

    /// The envelope's fields without the payload.
    public var header: EnvelopeHeader {
        EnvelopeHeader(id: id, type: type, version: version, caseId: caseId, causationId: causationId,
                       occurredAt: occurredAt, producer: producer)
    }

    enum CodingKeys: String, CodingKey {
        case id, type, version, caseId, causationId, occurredAt, producer, payload
    }

    /// Encodes the header's fields (UUIDs in lowercase), then the payload.
    public func encode(to encoder: any Encoder) throws {
        try header.encode(to: encoder)
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(payload, forKey: .payload)
    }
}

extension Envelope: Equatable where Payload: Equatable {}

/// The envelope without its payload: enough to route and deduplicate a message.
public struct EnvelopeHeader: Codable, Sendable, Equatable {
    public var id: UUID
    public var type: String
    public var version: Int
    public var caseId: UUID
    public var causationId: UUID?
    public var occurredAt: Timestamp
    public var producer: Department

    public var messageType: MessageType { MessageType(type, version: version) }

    /// UUIDs are written in lowercase, as RFC 9562 asks; reading accepts either case.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(id.lowercased, forKey: .id)
        try container.encode(type, forKey: .type)
        try container.encode(version, forKey: .version)
        try container.encode(caseId.lowercased, forKey: .caseId)
        try container.encodeIfPresent(causationId?.lowercased, forKey: .causationId)
        try container.encode(occurredAt, forKey: .occurredAt)
        try container.encode(producer, forKey: .producer)
    }
}

extension UUID {
    /// The canonical lowercase text form.
    var lowercased: String { uuidString.lowercased() }
}
