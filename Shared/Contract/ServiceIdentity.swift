/// Who a running service is on the broker and in the database: one of Houshi's four
/// departments, or a subscriber of the public facts running on the same runtime (the housing
/// fund). The runtime asks it for names, bindings and rights; only the names differ.
public struct ServiceIdentity: Hashable, Sendable, CustomStringConvertible {
    private enum Kind: Hashable, Sendable {
        case department(Department)
        case subscriber(Subscriber)
    }

    private let kind: Kind

    public init(_ department: Department) { kind = .department(department) }

    public init(_ subscriber: Subscriber) { kind = .subscriber(subscriber) }

    /// The department it is, if it is one of the four.
    public var department: Department? {
        guard case .department(let department) = kind else { return nil }
        return department
    }

    /// The subscriber it is, if it is one.
    public var subscriber: Subscriber? {
        guard case .subscriber(let subscriber) = kind else { return nil }
        return subscriber
    }

    /// Its short name: the log label, the HTTP server's name, its migrations' owner
    /// (`intake`, `housing-fund`).
    public var name: String {
        switch kind {
        case .department(let department): department.rawValue
        case .subscriber(let subscriber): subscriber.name
        }
    }

    /// Its broker user, the AMQP `user_id` of what it publishes and the envelope's `producer`.
    public var brokerUser: String {
        switch kind {
        case .department(let department): department.rawValue
        case .subscriber(let subscriber): subscriber.queue
        }
    }

    /// Its database schema and login role.
    public var schema: String { name.replacing("-", with: "_") }

    /// The durable quorum queue its replicas compete on.
    public var queue: String {
        switch kind {
        case .department(let department): Topology.queue(of: department)
        case .subscriber(let subscriber): subscriber.queue
        }
    }

    /// Where its failed or undecodable messages go, with their reason.
    public var deadLetterQueue: String { Topology.deadLetterQueue(forQueue: queue) }
    /// The routing key on the dead-letter exchange that puts a dead letter back on its queue.
    public var replayRoutingKey: String { Topology.replayRoutingKey(forQueue: queue) }

    /// The message types it consumes: its queue's bindings, each on its type's exchange.
    public var subscriptions: [MessageType] {
        switch kind {
        case .department(let department): Topology.subscriptions(of: department)
        case .subscriber: PublicFacts.types
        }
    }

    /// Whether its broker user may publish on `exchange` with `routingKey`: what its
    /// permissions let through, decided without the broker.
    public func mayPublish(exchange: String, routingKey: String) -> Bool {
        switch (kind, exchange) {
        case (.department(let department), _):
            Topology.mayPublish(department, exchange: exchange, routingKey: routingKey)
        case (.subscriber, Topology.deadLetterExchange):
            Topology.deadLetterRoutingKeys(forQueue: queue).contains(routingKey)
        case (.subscriber, PublicFacts.outcomesExchange):
            routingKey == PublicFacts.subscriberOutcome.routingKey
        case (.subscriber, _):
            false
        }
    }

    public var description: String { brokerUser }
}

extension Department {
    /// The department as a running service.
    public var identity: ServiceIdentity { ServiceIdentity(self) }
}
