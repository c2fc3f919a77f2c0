/// `hukou.cancellation-requested`: what public security needs to cancel the registration (户口注销).
public struct HukouCancellationRequested: Codable, Sendable, Equatable {
    public var certificate: DeathCertificate
    public var deceased: DeceasedIdentity
    public var diedAt: Timestamp
    /// The registered household address (户籍地址).
    public var hukouAddress: String
    public var applicant: ApplicantIdentity
    public var attachments: [AttachmentReference]
    /// Set when this is a correction of the case's request (`RequestCorrection`); nil for the first.
    public var correction: RequestCorrection? = nil

    public init(
        certificate: DeathCertificate, deceased: DeceasedIdentity, diedAt: Timestamp, hukouAddress: String,
        applicant: ApplicantIdentity, attachments: [AttachmentReference]
    ) {
        self.certificate = certificate
        self.deceased = deceased
        self.diedAt = diedAt
        self.hukouAddress = hukouAddress
        self.applicant = applicant
        self.attachments = attachments
    }
}

/// The applicant (申请人) as identified to public security.
public struct ApplicantIdentity: Codable, Sendable, Equatable {
    public var name: String
    public var idNumber: String
    public var relation: ApplicantRelation

    public init(name: String, idNumber: String, relation: ApplicantRelation) {
        self.name = name
        self.idNumber = idNumber
        self.relation = relation
    }
}

/// `hukou.cancelled`: the registration was cancelled; the hukou item is done.
public struct HukouCancelled: Codable, Sendable, Equatable {
    public var deceasedIdNumber: String
    /// The household's number (户号).
    public var householdNumber: String
    public var cancelledAt: Timestamp
    /// The police station and officer that decided.
    public var decidedBy: String
    /// True when the registration had been cancelled before this case (e.g. by the family at the
    /// police station) and an officer confirmed it; `cancelledAt` is then the confirmation.
    public var previouslyCancelled: Bool?

    public init(deceasedIdNumber: String, householdNumber: String, cancelledAt: Timestamp, decidedBy: String,
                previouslyCancelled: Bool? = nil) {
        self.deceasedIdNumber = deceasedIdNumber
        self.householdNumber = householdNumber
        self.cancelledAt = cancelledAt
        self.decidedBy = decidedBy
        self.previouslyCancelled = previouslyCancelled
    }
}
