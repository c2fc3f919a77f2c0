/// The name and schema version of a message; `routingKey` is how it travels on the exchange.
public struct MessageType: Hashable, Sendable, CustomStringConvertible {
    /// Dotted name, e.g. `hukou.cancelled`.
    public let name: String
    /// Integer schema version of that name.
    public let version: Int

    public init(_ name: String, version: Int = 1) {
        self.name = name
        self.version = version
    }

    /// `<name>.v<version>`, the AMQP routing key on `houshi.events`.
    public var routingKey: String { "\(name).v\(version)" }

    public var description: String { routingKey }

    /// Parses a routing key of the form `<name>.v<version>`: a non-empty name, a positive
    /// version without sign or leading zeros.
    public init?(routingKey: String) {
        guard let dot = routingKey.lastIndex(of: "."), dot > routingKey.startIndex else { return nil }
        let suffix = routingKey[routingKey.index(after: dot)...]
        guard suffix.first == "v", let version = Int(asciiDigits: suffix.dropFirst()), version > 0,
              "v\(version)" == suffix
        else { return nil }
        self.init(String(routingKey[..<dot]), version: version)
    }
}

extension MessageType {
    // Intake: the shared death fact and one request per requested item.
    public static let deathNotified = MessageType("death.notified")
    public static let cremationRequested = MessageType("cremation.requested")
    public static let hukouCancellationRequested = MessageType("hukou.cancellation-requested")
    public static let pensionClaimRequested = MessageType("pension.claim-requested")
    public static let medicalAccountSettlementRequested = MessageType("medical-account.settlement-requested")
    public static let caseCompleted = MessageType("case.completed")
    public static let deathVoided = MessageType("death.voided")
    public static let deathCorrected = MessageType("death.corrected")

    // Department outcomes.
    public static let hukouCancelled = MessageType("hukou.cancelled")
    public static let cremationCertified = MessageType("cremation.certified")
    public static let cremationCompleted = MessageType("cremation.completed")
    public static let pensionSettled = MessageType("pension.settled")
    public static let medicalAccountSettled = MessageType("medical-account.settled")

    /// The item is not eligible for the one-stop path and goes to the offline process.
    public static func rejected(_ item: Item) -> MessageType { MessageType("\(item.rawValue).rejected") }
    /// The item waits for manual review.
    public static func held(_ item: Item) -> MessageType { MessageType("\(item.rawValue).held") }
    /// The item's action was undone after `death.voided`.
    public static func reversed(_ item: Item) -> MessageType { MessageType("\(item.rawValue).reversed") }

    /// The request intake sends to the department for an item.
    public static func request(for item: Item) -> MessageType {
        switch item {
        case .cremation: .cremationRequested
        case .hukou: .hukouCancellationRequested
        case .pension: .pensionClaimRequested
        case .medicalAccount: .medicalAccountSettlementRequested
        }
    }
}
