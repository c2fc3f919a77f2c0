/// `case.completed`: every requested item ended.
public struct CaseCompleted: Codable, Sendable, Equatable {
    public var completedAt: Timestamp
    /// One entry per requested item.
    public var items: [ItemOutcome]

    public init(completedAt: Timestamp, items: [ItemOutcome]) {
        self.completedAt = completedAt
        self.items = items
    }
}

/// How one requested item ended.
public struct ItemOutcome: Codable, Sendable, Equatable {
    public var item: Item
    public var outcome: Outcome
    /// For the family, e.g. what was paid or where to go offline.
    public var summary: String

    public init(item: Item, outcome: Outcome, summary: String) {
        self.item = item
        self.outcome = outcome
        self.summary = summary
    }
}

/// The end state of an item.
public enum Outcome: String, ContractEnumeration {
    /// Done on the one-stop path.
    case done
    /// Sent to the offline process.
    case rejected
}
