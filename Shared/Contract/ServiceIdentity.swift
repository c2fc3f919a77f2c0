/// Who a running service is on the broker and in the database: one of Houshi's four
/// departments, or a subscriber of the public facts running on the same runtime (the housing
/// fund). The runtime asks it for names, bindings and rights; only the names differ.
public struct ServiceIdentity: Hashable, Sendable, CustomStringConvertible {
    /// The department it is, if it is one of the four.
    public let department: Department?
    /// The subscriber it is, if it is one.
    public let subscriber: Subscriber?

    public init(_ department: Department) {
        self.department = department
        subscriber = nil
    }

    public init(_ subscriber: Subscriber) {
        department = nil
        self.subscriber = subscriber
    }

    /// Its short name: the log label, the HTTP server's name, its migrations' owner
    /// (`intake`, `housing-fund`).
    public var name: String { department?.rawValue ?? subscriber?.name ?? "" }
    /// Its broker user, the AMQP `user_id` of what it publishes and the envelope's `producer`.
    public var brokerUser: String { department?.rawValue ?? subscriber?.queue ?? "" }
    /// Its database schema and login role.
    public var schema: String { name.replacing("-", with: "_") }

    /// The durable quorum queue its replicas compete on.
    public var queue: String { department.map(Topology.queue(of:)) ?? subscriber?.queue ?? "" }
    /// Where its failed or undecodable messages go, with their reason.
    public var deadLetterQueue: String { department.map(Topology.deadLetterQueue(of:)) ?? subscriber?.deadLetterQueue ?? "" }
    /// The routing key on the dead-letter exchange that puts a dead letter back on its queue.
    public var replayRoutingKey: String {
        department.map(Topology.replayRoutingKey(of:)) ?? subscriber?.replayRoutingKey ?? ""
    }

    /// The message types it consumes: its queue's bindings, each on its type's exchange.
    public var subscriptions: [MessageType] {
        if let department { return Topology.subscriptions(of: department) }
        return PublicFacts.types
    }

    /// Whether its broker user may publish on `exchange` with `routingKey`: what its
    /// permissions let through, decided without the broker.
    public func mayPublish(exchange: String, routingKey: String) -> Bool {
        if let department { return Topology.mayPublish(department, exchange: exchange, routingKey: routingKey) }
        switch exchange {
        case Topology.deadLetterExchange: return routingKey == queue || routingKey == replayRoutingKey
        case PublicFacts.outcomesExchange: return routingKey == PublicFacts.subscriberOutcome.routingKey
        default: return false
        }
    }

    public var description: String { brokerUser }
}

extension Department {
    /// The department as a running service.
    public var identity: ServiceIdentity { ServiceIdentity(self) }
}
