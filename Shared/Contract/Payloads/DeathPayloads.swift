/// `death.notified`: the shared death fact (数据共享) for any subscriber.
/// Carries no phone number, bank account or address.
public struct DeathNotified: Codable, Sendable, Equatable {
    public var certificate: DeathCertificate
    public var deceased: DeceasedIdentity
    public var diedAt: Timestamp
    public var mannerOfDeath: MannerOfDeath
    /// The medical institution where the death occurred.
    public var place: MedicalInstitutionRef
    /// The township or street of residence (乡镇/街道), when known.
    public var residenceTownship: String?
    public var requestedItems: [Item]

    public init(
        certificate: DeathCertificate, deceased: DeceasedIdentity, diedAt: Timestamp, mannerOfDeath: MannerOfDeath,
        place: MedicalInstitutionRef, residenceTownship: String? = nil, requestedItems: [Item]
    ) {
        self.certificate = certificate
        self.deceased = deceased
        self.diedAt = diedAt
        self.mannerOfDeath = mannerOfDeath
        self.place = place
        self.residenceTownship = residenceTownship
        self.requestedItems = requestedItems
    }
}

/// `death.voided`: the notice was withdrawn (e.g. the wrong person); every department reverses its action.
public struct DeathVoided: Codable, Sendable, Equatable {
    public var reason: String
    public var voidedAt: Timestamp
    /// The person or office that withdrew the notice.
    public var voidedBy: String

    public init(reason: String, voidedAt: Timestamp, voidedBy: String) {
        self.reason = reason
        self.voidedAt = voidedAt
        self.voidedBy = voidedBy
    }
}

/// `death.corrected`: the notice's facts were corrected (not who died: a wrong deceased is a
/// withdrawal and a new notice). The shared fact for any subscriber: which fields changed, and
/// the new values of the death's own facts among them; no phone, address, bank account or
/// beneficiary. Each department gets what it needs of a correction as its item's request again,
/// carrying `RequestCorrection`.
public struct DeathCorrected: Codable, Sendable, Equatable {
    public var reason: String
    public var correctedAt: Timestamp
    /// The institution (and staff member) who corrected it.
    public var correctedBy: String
    /// 1 for the case's first correction, then 2, …: a department applies a correction only
    /// over an older one.
    public var sequence: Int
    /// The notice's fields that changed, as dotted paths (`deceased.diedAt`, `beneficiary.bankAccount`).
    public var changedFields: [String]
    /// The new time of death, when it changed.
    public var diedAt: Timestamp?
    public var mannerOfDeath: MannerOfDeath?
    /// The certificate as corrected, when it changed.
    public var certificate: DeathCertificate?
    public var residenceTownship: String?

    public init(reason: String, correctedAt: Timestamp, correctedBy: String, sequence: Int, changedFields: [String],
                diedAt: Timestamp? = nil, mannerOfDeath: MannerOfDeath? = nil, certificate: DeathCertificate? = nil,
                residenceTownship: String? = nil) {
        self.reason = reason
        self.correctedAt = correctedAt
        self.correctedBy = correctedBy
        self.sequence = sequence
        self.changedFields = changedFields
        self.diedAt = diedAt
        self.mannerOfDeath = mannerOfDeath
        self.certificate = certificate
        self.residenceTownship = residenceTownship
    }
}

/// What makes an item's request a correction of the one the department has: its department
/// replaces the recorded request with it (if `sequence` is newer) and redoes what depends on
/// `changedFields`.
public struct RequestCorrection: Codable, Sendable, Equatable {
    /// The case's correction this comes from (`DeathCorrected.sequence`).
    public var sequence: Int
    public var reason: String
    public var correctedAt: Timestamp
    /// The notice's fields that changed, as dotted paths.
    public var changedFields: [String]

    public init(sequence: Int, reason: String, correctedAt: Timestamp, changedFields: [String]) {
        self.sequence = sequence
        self.reason = reason
        self.correctedAt = correctedAt
        self.changedFields = changedFields
    }
}

/// An item's request, which a correction sends again with `correction` set.
public protocol CorrectableRequest: Codable, Sendable {
    var correction: RequestCorrection? { get set }
}

extension CremationRequested: CorrectableRequest {}
extension HukouCancellationRequested: CorrectableRequest {}
extension PensionClaimRequested: CorrectableRequest {}
extension MedicalAccountSettlementRequested: CorrectableRequest {}
