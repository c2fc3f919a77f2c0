import HoushiContract
import HoushiMessaging

/// Declares Houshi's exchanges, queues and bindings (names from `Topology`), idempotently.
public enum BrokerTopology {
    /// Everything, for provisioning with an administrator's rights: both exchanges, then every
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
            try declareQueues(of: department, on: amqp)
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
    /// (checked passively), its own queues and bindings are declared.
    public static func declare(for department: Department, on amqp: AMQPConnection) throws {
        for (name, type) in exchanges { try amqp.declareExchange(name, type: type, passive: true) }
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

    /// Both exchanges and their types.
    static let exchanges = [(Topology.eventsExchange, "topic"), (Topology.deadLetterExchange, "topic")]

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
