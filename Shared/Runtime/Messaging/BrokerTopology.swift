import HoushiContract
import HoushiMessaging

/// Declares Houshi's exchanges, queues and bindings (names from `Topology`), idempotently.
public enum BrokerTopology {
    /// Everything, for provisioning with an administrator's rights: the exchanges, then every
    /// service's queues and bindings, so no message is published before its queue exists. An
    /// exchange of another type (the dead-letter exchange was once direct) is replaced on a new
    /// connection from `connect`, and the bindings that went with it are declared again.
    public static func declareAll(connect: () throws -> AMQPConnection) throws {
        var amqp = try connect()
        defer { amqp.close() }
        for (name, type) in exchanges {
            amqp = try declareExchange(name, type: type, on: amqp, replacingAnotherTypeWith: connect)
        }
        for department in Department.allCases {
            try declareQueues(of: department.identity, on: amqp)
        }
    }

    /// Declares exchange `name` of `type`; when the broker refuses because one of another type
    /// exists (406), deletes that one on a new connection and declares it again. Returns the
    /// connection to go on with: the given one, or the new one when the old was spent.
    public static func declareExchange(_ name: String, type: String, on amqp: AMQPConnection,
                                       replacingAnotherTypeWith connect: () throws -> AMQPConnection) throws -> AMQPConnection {
        do {
            try amqp.declareExchange(name, type: type)
            return amqp
        } catch let error as AMQPError where error.replyCode == 406 {
            amqp.close()
            let fresh = try connect()
            do {
                try fresh.deleteExchange(name)
                try fresh.declareExchange(name, type: type)
            } catch {
                fresh.close()
                throw error
            }
            return fresh
        }
    }

    /// What a service declares at start-up with its own rights: the exchanges must exist
    /// (checked passively), a department's own queues and bindings are declared; a subscriber's
    /// queue, which its user may not configure, must exist (made by `subscribers add`).
    public static func declare(for identity: ServiceIdentity, on amqp: AMQPConnection) throws {
        for (name, type) in exchanges { try amqp.declareExchange(name, type: type, passive: true) }
        guard let subscriber = identity.subscriber else { return try declareQueues(of: identity, on: amqp) }
        do {
            _ = try amqp.declareQueue(subscriber.queue, passive: true)
        } catch let error as AMQPError where error.replyCode == 404 {
            throw SubscriberQueueMissing(subscriber: subscriber)
        }
    }

    /// A subscriber's service started before the operator added the subscriber.
    public struct SubscriberQueueMissing: Error, CustomStringConvertible {
        public let subscriber: Subscriber
        public var description: String {
            "the queue \(subscriber.queue) does not exist: add the subscriber first (deploy/local/subscribers add \(subscriber.name))"
        }
    }

    /// The arguments of a service queue: quorum, bounded redelivery, at-least-once
    /// dead-lettering into the service's dead-letter queue.
    public static func queueArguments(of department: Department) -> [String: AMQPFieldValue] {
        queueArguments(deadLetterRoutingKey: Topology.queue(of: department))
    }

    private static func queueArguments(deadLetterRoutingKey: String) -> [String: AMQPFieldValue] {
        [
            "x-queue-type": .string("quorum"),
            "x-delivery-limit": .int(Int64(Topology.deliveryLimit)),
            "x-dead-letter-exchange": .string(Topology.deadLetterExchange),
            "x-dead-letter-routing-key": .string(deadLetterRoutingKey),
            "x-dead-letter-strategy": .string("at-least-once"),
            "x-overflow": .string("reject-publish"),
        ]
    }

    /// Every exchange and its type.
    static let exchanges = [(Topology.eventsExchange, "topic"), (Topology.deadLetterExchange, "topic"),
                            (PublicFacts.exchange, "topic"), (PublicFacts.outcomesExchange, "topic")]

    /// A subscriber's quorum queue, bound to every public fact type and nothing else, and its
    /// dead-letter queue; with an administrator's rights, idempotently.
    public static func declareQueues(of subscriber: Subscriber, on amqp: AMQPConnection) throws {
        try declareQueues(of: ServiceIdentity(subscriber), on: amqp)
    }

    /// Deletes a subscriber's queues, with whatever they still hold; returns how many messages
    /// that was in each.
    public static func deleteQueues(of subscriber: Subscriber, on amqp: AMQPConnection) throws -> (queue: Int, deadLetters: Int) {
        (try amqp.deleteQueue(subscriber.queue), try amqp.deleteQueue(subscriber.deadLetterQueue))
    }

    /// A consumer's quorum queue (`queueArguments`) bound to its subscriptions, each on its
    /// type's exchange, and its dead-letter queue, which it reaches through the dead-letter
    /// exchange under the queue's name; a replay comes back under its replay routing key.
    private static func declareQueues(of identity: ServiceIdentity, on amqp: AMQPConnection) throws {
        let queue = identity.queue
        try amqp.declareQueue(identity.deadLetterQueue, arguments: ["x-queue-type": .string("quorum")])
        try amqp.bindQueue(identity.deadLetterQueue, exchange: Topology.deadLetterExchange, routingKey: queue)
        try amqp.declareQueue(queue, arguments: queueArguments(deadLetterRoutingKey: queue))
        try amqp.bindQueue(queue, exchange: Topology.deadLetterExchange, routingKey: identity.replayRoutingKey)
        for type in identity.subscriptions {
            try amqp.bindQueue(queue, exchange: Topology.exchange(of: type), routingKey: type.routingKey)
        }
    }
}
