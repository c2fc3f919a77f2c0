import Foundation
import HoushiContract
import HoushiStorage

/// Writes contract messages to the service's outbox, in the caller's transaction.
public enum EventOutbox {
    private static let codec = MessageCodec()

    /// Adds `envelope` to the outbox, to be published on `houshi.events` under its routing key.
    public static func enqueue<P>(_ envelope: Envelope<P>, trace: TraceParent, on db: PostgresConnection) throws {
        try Outbox.enqueue(OutboxMessage(
            messageId: envelope.id, exchange: Topology.eventsExchange, routingKey: envelope.messageType.routingKey,
            caseId: envelope.caseId, headers: [TraceParent.header: trace.description],
            body: try codec.encode(envelope)), on: db)
    }
}

/// An envelope of any payload type that can be written to the outbox.
public protocol OutboxWritable: Sendable {
    var messageType: MessageType { get }
    func enqueue(trace: TraceParent, on db: PostgresConnection) throws
}

extension Envelope: OutboxWritable {
    public func enqueue(trace: TraceParent, on db: PostgresConnection) throws {
        try EventOutbox.enqueue(self, trace: trace, on: db)
    }
}
