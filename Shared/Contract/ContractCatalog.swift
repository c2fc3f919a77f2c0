/// Every v1 message type with its payload type and producer: the one list that tests, the
/// AsyncAPI document and consumers are checked against.
public enum ContractCatalog {
    private typealias Entry = (type: MessageType, producer: Department, payload: any (Codable & Sendable).Type)

    private static let entries: [Entry] = [
        (.deathNotified, .intake, DeathNotified.self),
        (.cremationRequested, .intake, CremationRequested.self),
        (.hukouCancellationRequested, .intake, HukouCancellationRequested.self),
        (.pensionClaimRequested, .intake, PensionClaimRequested.self),
        (.medicalAccountSettlementRequested, .intake, MedicalAccountSettlementRequested.self),
        (.caseCompleted, .intake, CaseCompleted.self),
        (.deathVoided, .intake, DeathVoided.self),
        (.deathCorrected, .intake, DeathCorrected.self),
        (.hukouCancelled, .publicSecurity, HukouCancelled.self),
        (.cremationCertified, .civilAffairs, CremationCertified.self),
        (.cremationCompleted, .civilAffairs, CremationCompleted.self),
        (.pensionSettled, .socialSecurity, PensionSettled.self),
        (.medicalAccountSettled, .socialSecurity, MedicalAccountSettled.self),
    ] + Item.allCases.flatMap { item -> [Entry] in
        [
            (.rejected(item), item.department, ItemRejected.self),
            (.held(item), item.department, ItemHeld.self),
            (.reversed(item), item.department, ItemReversed.self),
        ]
    }

    /// The payload type of each message type.
    public static let payloadTypes: [MessageType: any (Codable & Sendable).Type] =
        Dictionary(uniqueKeysWithValues: entries.map { ($0.type, $0.payload) })

    /// The one service that publishes each message type.
    public static let producers: [MessageType: Department] =
        Dictionary(uniqueKeysWithValues: entries.map { ($0.type, $0.producer) })
}
