/// `cremation.requested`: what civil affairs needs for the cremation item.
public struct CremationRequested: Codable, Sendable, Equatable {
    /// The death certificate's number.
    public var certificateNumber: String
    public var deceased: DeceasedIdentity
    public var diedAt: Timestamp
    public var body: BodyLocation
    public var ashes: Ashes
    public var contact: FamilyContact
    /// The family committed to a civilized, frugal funeral (文明节俭治丧).
    public var civilizedFuneral: Bool
    public var attachments: [AttachmentReference]
    /// Set when this is a correction of the case's request (`RequestCorrection`); nil for the first.
    public var correction: RequestCorrection? = nil

    public init(
        certificateNumber: String, deceased: DeceasedIdentity, diedAt: Timestamp, body: BodyLocation, ashes: Ashes,
        contact: FamilyContact, civilizedFuneral: Bool, attachments: [AttachmentReference]
    ) {
        self.certificateNumber = certificateNumber
        self.deceased = deceased
        self.diedAt = diedAt
        self.body = body
        self.ashes = ashes
        self.contact = contact
        self.civilizedFuneral = civilizedFuneral
        self.attachments = attachments
    }
}

/// The family member the funeral home calls about the pickup.
public struct FamilyContact: Codable, Sendable, Equatable {
    public var name: String
    public var phone: String
    public var relation: ApplicantRelation

    public init(name: String, phone: String, relation: ApplicantRelation) {
        self.name = name
        self.phone = phone
        self.relation = relation
    }
}

/// `cremation.certified`: the cremation certificate (火化证明) was issued; the cremation item is done.
public struct CremationCertified: Codable, Sendable, Equatable {
    /// The cremation certificate's number.
    public var certificateNumber: String
    public var funeralHome: FuneralHomeRef
    public var issuedAt: Timestamp
    /// The scheduled body pickup; nil when the body is already at the funeral home.
    public var pickup: Pickup?

    public init(certificateNumber: String, funeralHome: FuneralHomeRef, issuedAt: Timestamp, pickup: Pickup? = nil) {
        self.certificateNumber = certificateNumber
        self.funeralHome = funeralHome
        self.issuedAt = issuedAt
        self.pickup = pickup
    }
}

/// When and where the funeral home collects the body.
public struct Pickup: Codable, Sendable, Equatable {
    public var address: String
    public var at: Timestamp

    public init(address: String, at: Timestamp) {
        self.address = address
        self.at = at
    }
}

/// `cremation.completed`: the cremation record (火化信息) for data sharing.
public struct CremationCompleted: Codable, Sendable, Equatable {
    /// The cremation certificate's number.
    public var certificateNumber: String
    public var funeralHome: FuneralHomeRef
    public var crematedAt: Timestamp
    public var ashes: Ashes

    public init(certificateNumber: String, funeralHome: FuneralHomeRef, crematedAt: Timestamp, ashes: Ashes) {
        self.certificateNumber = certificateNumber
        self.funeralHome = funeralHome
        self.crematedAt = crematedAt
        self.ashes = ashes
    }
}
