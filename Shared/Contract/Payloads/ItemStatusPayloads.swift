/// `<item>.rejected`: not eligible for the one-stop path; the family is sent to the offline process.
public struct ItemRejected: Codable, Sendable, Equatable {
    /// Machine-readable, e.g. `hukou-not-local`.
    public var reasonCode: String
    /// For the family, in plain words.
    public var reason: String

    public init(reasonCode: String, reason: String) {
        self.reasonCode = reasonCode
        self.reason = reason
    }
}

/// `<item>.held`: waiting for manual review.
public struct ItemHeld: Codable, Sendable, Equatable {
    /// Machine-readable, e.g. `possible-duplicate`.
    public var reasonCode: String
    public var reason: String
    /// When the review is due.
    public var deadline: Timestamp

    public init(reasonCode: String, reason: String, deadline: Timestamp) {
        self.reasonCode = reasonCode
        self.reason = reason
        self.deadline = deadline
    }
}

/// `<item>.reversed`: the item's action was undone after `death.voided`.
public struct ItemReversed: Codable, Sendable, Equatable {
    /// Why, e.g. `death-voided`.
    public var reason: String
    /// What was undone, e.g. the registration reinstated.
    public var detail: String

    public init(reason: String, detail: String) {
        self.reason = reason
        self.detail = detail
    }
}
