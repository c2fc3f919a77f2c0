/// `medical-account.settlement-requested`: what social security needs to settle the medical-insurance
/// personal account (医保个人帐户).
public struct MedicalAccountSettlementRequested: Codable, Sendable, Equatable {
    /// The death certificate's number.
    public var certificateNumber: String
    public var deceased: DeceasedIdentity
    public var diedAt: Timestamp
    public var beneficiary: Beneficiary
    public var attachments: [AttachmentReference]
    /// Set when this is a correction of the case's request (`RequestCorrection`); nil for the first.
    public var correction: RequestCorrection? = nil

    public init(
        certificateNumber: String, deceased: DeceasedIdentity, diedAt: Timestamp, beneficiary: Beneficiary,
        attachments: [AttachmentReference]
    ) {
        self.certificateNumber = certificateNumber
        self.deceased = deceased
        self.diedAt = diedAt
        self.beneficiary = beneficiary
        self.attachments = attachments
    }
}

/// `medical-account.settled`: the account's balance was paid out and the account closed.
public struct MedicalAccountSettled: Codable, Sendable, Equatable {
    public var balancePaidFen: Int64
    public var closedAt: Timestamp
    public var payee: Payee
    /// What the family is reminded of, e.g. to settle unfinished reimbursements first.
    public var reminder: String

    public init(balancePaidFen: Int64, closedAt: Timestamp, payee: Payee, reminder: String) {
        self.balancePaidFen = balancePaidFen
        self.closedAt = closedAt
        self.payee = payee
        self.reminder = reminder
    }
}
