import FoundationEssentials
import HoushiContract
import HoushiStorage

/// The codec contract messages are written to the outbox with.
private let outboxCodec = MessageCodec()

/// An envelope of any payload type that can be written to the outbox.
public protocol OutboxWritable: Sendable {
    var messageType: MessageType { get }
    /// The outbox row that publishes this envelope on its exchange (`Topology.exchange(of:)`) under its routing key.
    func outboxMessage(trace: TraceParent) throws -> OutboxMessage
}

extension Envelope: OutboxWritable {
    public func outboxMessage(trace: TraceParent) throws -> OutboxMessage {
        OutboxMessage(messageId: id, exchange: Topology.exchange(of: messageType), routingKey: messageType.routingKey,
                      caseId: caseId, headers: [TraceParent.header: trace.description],
                      body: try outboxCodec.encode(self))
    }
}
