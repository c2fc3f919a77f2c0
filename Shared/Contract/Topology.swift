/// Exchange, queue and binding names, defined once for every service and for provisioning.
public enum Topology {
    /// The durable topic exchange all events travel on.
    public static let eventsExchange = "houshi.events"
    /// The durable direct exchange dead letters go to, routed by the consuming service's name.
    public static let deadLetterExchange = "houshi.dead-letters"
    /// Deliveries past this count are dead-lettered by the broker (a safety net behind the
    /// service's own bounded retries).
    public static let deliveryLimit = 10

    /// The durable quorum queue a service's replicas compete on.
    public static func queue(of department: Department) -> String { department.rawValue }
    /// Where the service's failed or undecodable messages go, with their reason.
    public static func deadLetterQueue(of department: Department) -> String { "\(department.rawValue).dead-letter" }
    /// The routing key on the dead-letter exchange that puts a replayed dead letter back on the
    /// service's own queue (and no other service's).
    public static func replayRoutingKey(of department: Department) -> String { "\(department.rawValue).replay" }

    /// The message types each service consumes: its queue's bindings.
    public static func subscriptions(of department: Department) -> [MessageType] {
        switch department {
        case .intake:
            Item.allCases.flatMap { [MessageType.rejected($0), .held($0), .reversed($0)] }
                + [.hukouCancelled, .cremationCertified, .cremationCompleted, .pensionSettled, .medicalAccountSettled]
        case .publicSecurity:
            [.hukouCancellationRequested]
        case .civilAffairs:
            [.cremationRequested, .hukouCancelled]
        case .socialSecurity:
            [.pensionClaimRequested, .medicalAccountSettlementRequested, .hukouCancelled, .rejected(.hukou)]
        }
    }
}
