import HoushiContract
import HoushiMessaging

/// Declares Houshi's exchanges, queues and bindings (names from `Topology`), idempotently.
public enum BrokerTopology {
    /// Everything, for provisioning with an administrator's rights: both exchanges, then every
    /// service's queues and bindings, so no message is published before its queue exists.
    public static func declareAll(on amqp: AMQPConnection) throws {
        try declareExchanges(on: amqp, passive: false)
        for department in Department.allCases {
            try declareQueues(of: department, on: amqp)
        }
    }

    /// What a service declares at start-up with its own rights: the exchanges must exist
    /// (checked passively), its own queues and bindings are declared.
    public static func declare(for department: Department, on amqp: AMQPConnection) throws {
        try declareExchanges(on: amqp, passive: true)
        try declareQueues(of: department, on: amqp)
    }

    /// The arguments of a service queue: quorum, bounded redelivery, at-least-once
    /// dead-lettering into the service's dead-letter queue.
    public static func queueArguments(of department: Department) -> [String: AMQPFieldValue] {
        [
            "x-queue-type": .string("quorum"),
            "x-delivery-limit": .int(Int64(Topology.deliveryLimit)),
            "x-dead-letter-exchange": .string(Topology.deadLetterExchange),
            "x-dead-letter-routing-key": .string(Topology.queue(of: department)),
            "x-dead-letter-strategy": .string("at-least-once"),
            "x-overflow": .string("reject-publish"),
        ]
    }

    private static func declareExchanges(on amqp: AMQPConnection, passive: Bool) throws {
        try amqp.declareExchange(Topology.eventsExchange, type: "topic", passive: passive)
        try amqp.declareExchange(Topology.deadLetterExchange, type: "direct", passive: passive)
    }

    private static func declareQueues(of department: Department, on amqp: AMQPConnection) throws {
        let queue = Topology.queue(of: department)
        let deadLetters = Topology.deadLetterQueue(of: department)
        try amqp.declareQueue(deadLetters, arguments: ["x-queue-type": .string("quorum")])
        try amqp.bindQueue(deadLetters, exchange: Topology.deadLetterExchange, routingKey: queue)
        try amqp.declareQueue(queue, arguments: queueArguments(of: department))
        try amqp.bindQueue(queue, exchange: Topology.deadLetterExchange, routingKey: Topology.replayRoutingKey(of: department))
        for type in Topology.subscriptions(of: department) {
            try amqp.bindQueue(queue, exchange: Topology.eventsExchange, routingKey: type.routingKey)
        }
    }
}
