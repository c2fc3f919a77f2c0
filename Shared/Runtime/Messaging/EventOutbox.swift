import FoundationEssentials
import HoushiContract
import HoushiStorage

/// Writes contract messages to the service's outbox, in the caller's transaction.
public enum EventOutbox {
    fileprivate static let codec = MessageCodec()

    /// Adds `envelope` to the outbox, to be published on `houshi.events` under its routing key.
    public static func enqueue<P>(_ envelope: Envelope<P>, trace: TraceParent, on db: PostgresConnection) throws {
        try Outbox.enqueue(envelope.outboxMessage(trace: trace), on: db)
    }
}

/// An envelope of any payload type that can be written to the outbox.
public protocol OutboxWritable: Sendable {
    var messageType: MessageType { get }
    /// The outbox row that publishes this envelope on `houshi.events` under its routing key.
    func outboxMessage(trace: TraceParent) throws -> OutboxMessage
}

extension Envelope: OutboxWritable {
    public func outboxMessage(trace: TraceParent) throws -> OutboxMessage {
        OutboxMessage(messageId: id, exchange: Topology.eventsExchange, routingKey: messageType.routingKey,
                      caseId: caseId, headers: [TraceParent.header: trace.description],
                      body: try EventOutbox.codec.encode(self))
    }
}
