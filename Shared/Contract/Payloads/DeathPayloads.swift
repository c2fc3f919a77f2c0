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

/// `death.corrected`: the notice's facts were corrected; departments redo what depends on them.
public struct DeathCorrected: Codable, Sendable, Equatable {
    public var reason: String
    /// The certificate as corrected.
    public var certificate: DeathCertificate
    public var deceased: DeceasedIdentity
    public var diedAt: Timestamp
    public var correctedAt: Timestamp

    public init(
        reason: String, certificate: DeathCertificate, deceased: DeceasedIdentity, diedAt: Timestamp,
        correctedAt: Timestamp
    ) {
        self.reason = reason
        self.certificate = certificate
        self.deceased = deceased
        self.diedAt = diedAt
        self.correctedAt = correctedAt
    }
}
