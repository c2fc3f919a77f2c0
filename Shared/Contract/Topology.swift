/// Exchange, queue and binding names, defined once for every service and for provisioning.
public enum Topology {
    /// The durable topic exchange all events travel on.
    public static let eventsExchange = "houshi.events"
    /// The durable topic exchange dead letters go to, routed by the consuming service's name (a
    /// topic exchange so that the broker's topic permissions keep each service to its own names).
    public static let deadLetterExchange = "houshi.dead-letters"
    /// Deliveries past this count are dead-lettered by the broker (a safety net behind the
    /// service's own bounded retries).
    public static let deliveryLimit = 10

    /// The durable quorum queue a service's replicas compete on.
    public static func queue(of department: Department) -> String { department.rawValue }
    /// Where the service's failed or undecodable messages go, with their reason.
    public static func deadLetterQueue(of department: Department) -> String { deadLetterQueue(forQueue: queue(of: department)) }
    /// The routing key on the dead-letter exchange that puts a replayed dead letter back on the
    /// service's own queue (and no other service's).
    public static func replayRoutingKey(of department: Department) -> String { replayRoutingKey(forQueue: queue(of: department)) }

    /// Where the failed or undecodable messages of any consumer's `queue` go (a department's or a
    /// subscriber's): `<queue>.dead-letter`.
    public static func deadLetterQueue(forQueue queue: String) -> String { "\(queue).dead-letter" }
    /// The routing key on the dead-letter exchange that puts a dead letter back on `queue`:
    /// `<queue>.replay`.
    public static func replayRoutingKey(forQueue queue: String) -> String { "\(queue).replay" }
    /// The routing keys the consumer of `queue` uses on `deadLetterExchange`: its dead letters'
    /// (the queue's name) and its replays'.
    public static func deadLetterRoutingKeys(forQueue queue: String) -> [String] { [queue, replayRoutingKey(forQueue: queue)] }

    /// The message types each service consumes: its queue's bindings.
    public static func subscriptions(of department: Department) -> [MessageType] {
        switch department {
        case .intake:
            Item.allCases.flatMap { [MessageType.rejected($0), .held($0), .reversed($0)] }
                + [.hukouCancelled, .cremationCertified, .cremationCompleted, .pensionSettled, .medicalAccountSettled,
                   PublicFacts.subscriberOutcome]
        case .publicSecurity:
            [.hukouCancellationRequested, .deathVoided]
        case .civilAffairs:
            [.cremationRequested, .hukouCancelled, .deathVoided]
        case .socialSecurity:
            [.pensionClaimRequested, .medicalAccountSettlementRequested, .hukouCancelled, .rejected(.hukou), .deathVoided]
        }
    }

    /// The exchange a message of `type` travels on: the public facts' or the subscribers'
    /// outcomes' own, else `eventsExchange`.
    public static func exchange(of type: MessageType) -> String {
        if PublicFacts.payloadTypes[type] != nil { return PublicFacts.exchange }
        return type == PublicFacts.subscriberOutcome ? PublicFacts.outcomesExchange : eventsExchange
    }

    /// Whether broker user `user` may publish a message of `type`: its owner
    /// (`ContractCatalog.producers`; intake for the public facts), or any subscriber's user for
    /// a subscriber's outcome.
    public static func mayBePublished(_ type: MessageType, by user: String) -> Bool {
        if type == PublicFacts.subscriberOutcome { return user.hasPrefix(Subscriber.userPrefix) }
        return publisher(of: type) == user
    }

    /// Who may publish a message of `type`, in words for a refusal.
    public static func publisher(of type: MessageType) -> String {
        if type == PublicFacts.subscriberOutcome { return "a subscriber (\(Subscriber.userPrefix)<name>)" }
        if PublicFacts.payloadTypes[type] != nil { return Department.intake.rawValue }
        return ContractCatalog.producers[type]?.rawValue ?? "nobody"
    }

    /// The broker's topic permissions of a service's user, one per exchange, as regular
    /// expressions over routing keys: on `eventsExchange` it may publish (`write`) the types it
    /// owns and bind its queue (`read`) to its subscriptions; on `deadLetterExchange` both only
    /// under its own names (its dead letters and its replays); on the public facts' exchange
    /// intake may publish the facts and nobody may bind (the subscribers' queues are bound at
    /// provisioning). Provisioning loads them from `deploy/broker/topic-permissions.json`, which
    /// a test keeps equal to these.
    public static func topicPermissions(of department: Department) -> [TopicPermission] {
        let owned = ContractCatalog.producers.filter { $0.value == department }.map(\.key.routingKey)
        let ownNames = deadLetterRoutingKeys(forQueue: queue(of: department))
        let facts = department == .intake ? PublicFacts.types.map(\.routingKey) : []
        func bound(on exchange: String) -> [String] {
            subscriptions(of: department).filter { self.exchange(of: $0) == exchange }.map(\.routingKey)
        }
        return [
            TopicPermission(exchange: eventsExchange, write: pattern(owned), read: pattern(bound(on: eventsExchange))),
            TopicPermission(exchange: deadLetterExchange, write: pattern(ownNames), read: pattern(ownNames)),
            TopicPermission(exchange: PublicFacts.exchange, write: pattern(facts), read: pattern([])),
            TopicPermission(exchange: PublicFacts.outcomesExchange, write: pattern([]),
                            read: pattern(bound(on: PublicFacts.outcomesExchange))),
        ]
    }

    /// A subscriber's topic permissions: dead letters and replays under its own queue's name,
    /// its outcomes, nothing else (its queue's bindings are made at provisioning).
    public static func topicPermissions(of subscriber: Subscriber) -> [TopicPermission] {
        let ownNames = deadLetterRoutingKeys(forQueue: subscriber.queue)
        return [
            TopicPermission(exchange: eventsExchange, write: pattern([]), read: pattern([])),
            TopicPermission(exchange: deadLetterExchange, write: pattern(ownNames), read: pattern([])),
            TopicPermission(exchange: PublicFacts.exchange, write: pattern([]), read: pattern([])),
            TopicPermission(exchange: PublicFacts.outcomesExchange, write: pattern([PublicFacts.subscriberOutcome.routingKey]),
                            read: pattern([])),
        ]
    }

    /// A subscriber's broker permissions, as regular expressions over names: it configures
    /// nothing, writes only to the dead-letter and outcomes exchanges (there only under its own
    /// names and its outcomes, by its topic permissions) and reads only its two queues.
    public static func permissions(of subscriber: Subscriber) -> (configure: String, write: String, read: String) {
        (pattern([]), pattern([deadLetterExchange, PublicFacts.outcomesExchange]),
         pattern([subscriber.queue, subscriber.deadLetterQueue]))
    }

    /// Whether `department`'s broker user may publish on `exchange` with `routingKey`: what its
    /// topic permissions let through, decided without the broker.
    public static func mayPublish(_ department: Department, exchange: String, routingKey: String) -> Bool {
        switch exchange {
        case eventsExchange:
            MessageType(routingKey: routingKey).flatMap { ContractCatalog.producers[$0] } == department
        case deadLetterExchange:
            deadLetterRoutingKeys(forQueue: queue(of: department)).contains(routingKey)
        case PublicFacts.exchange:
            department == .intake && MessageType(routingKey: routingKey).flatMap { PublicFacts.payloadTypes[$0] } != nil
        default:
            false
        }
    }

    /// An anchored alternation of exactly these keys; nothing at all when there are none.
    private static func pattern(_ keys: [String]) -> String {
        let escaped = keys.map { $0.replacing(".", with: "\\.") }.sorted()
        return escaped.isEmpty ? "^$" : "^(" + escaped.joined(separator: "|") + ")$"
    }
}

/// One RabbitMQ topic permission: what a broker user may publish (`write`) and bind (`read`) on
/// one topic exchange, as regular expressions over routing keys.
public struct TopicPermission: Sendable, Equatable {
    public let exchange: String
    public let write: String
    public let read: String
}
