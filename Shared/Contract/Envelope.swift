import FoundationEssentials

/// The one envelope every message travels in; `Payload` is the type's body.
///
/// Coded as one JSON object: the header's fields beside `payload`.
public struct Envelope<Payload: Codable & Sendable>: Codable, Sendable {
    /// Every field but the payload.
    public var header: EnvelopeHeader
    public var payload: Payload

    public init(
        id: UUID = .timeOrdered(), type: MessageType, caseId: UUID, causationId: UUID? = nil,
        occurredAt: Timestamp = .now(), producer: Department, payload: Payload
    ) {
        self.init(id: id, type: type, caseId: caseId, causationId: causationId, occurredAt: occurredAt,
                  producer: producer.identity, payload: payload)
    }

    /// An envelope published by `producer`, a department or a subscriber.
    public init(
        id: UUID = .timeOrdered(), type: MessageType, caseId: UUID, causationId: UUID? = nil,
        occurredAt: Timestamp = .now(), producer: ServiceIdentity, payload: Payload
    ) {
        header = EnvelopeHeader(id: id, type: type.name, version: type.version, caseId: caseId,
                                causationId: causationId, occurredAt: occurredAt, producer: producer.brokerUser)
        self.payload = payload
    }

    // The header's fields, for convenience; see `EnvelopeHeader`.
    public var id: UUID { get { header.id } set { header.id = newValue } }
    public var type: String { get { header.type } set { header.type = newValue } }
    public var version: Int { get { header.version } set { header.version = newValue } }
    public var caseId: UUID { get { header.caseId } set { header.caseId = newValue } }
    public var causationId: UUID? { get { header.causationId } set { header.causationId = newValue } }
    public var occurredAt: Timestamp { get { header.occurredAt } set { header.occurredAt = newValue } }
    public var producer: String { get { header.producer } set { header.producer = newValue } }
    public var messageType: MessageType { header.messageType }

    private enum CodingKeys: String, CodingKey {
        case payload
    }

    public init(from decoder: any Decoder) throws {
        header = try EnvelopeHeader(from: decoder)
        payload = try decoder.container(keyedBy: CodingKeys.self).decode(Payload.self, forKey: .payload)
    }

    public func encode(to encoder: any Encoder) throws {
        try header.encode(to: encoder)
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(payload, forKey: .payload)
    }
}

extension Envelope: Equatable where Payload: Equatable {}

/// The envelope without its payload: enough to route and deduplicate a message.
public struct EnvelopeHeader: Codable, Sendable, Equatable {
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
    /// The broker user of the service that published it: a department's name, or a subscriber's
    /// `subscriber.<name>`. Consumers trust the AMQP `user_id` the broker checked, not this.
    public var producer: String

    public var messageType: MessageType { MessageType(type, version: version) }

    private enum CodingKeys: String, CodingKey {
        case id, type, version, caseId, causationId, occurredAt, producer
    }

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

extension EnvelopeHeader {
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        id = try container.decodeUUID(forKey: .id)
        type = try container.decode(String.self, forKey: .type)
        version = try container.decode(Int.self, forKey: .version)
        caseId = try container.decodeUUID(forKey: .caseId)
        causationId = try container.decodeUUIDIfPresent(forKey: .causationId)
        occurredAt = try container.decode(Timestamp.self, forKey: .occurredAt)
        producer = try container.decode(String.self, forKey: .producer)
        guard !producer.isEmpty else {
            throw DecodingError.dataCorruptedError(forKey: .producer, in: container, debugDescription: "producer is empty")
        }
    }
}
