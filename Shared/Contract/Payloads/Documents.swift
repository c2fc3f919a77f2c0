import FoundationEssentials

/// The death certificate (死亡医学证明) as issued.
public struct DeathCertificate: Codable, Sendable, Equatable {
    public var form: CertificateForm
    public var number: String
    public var issuedAt: Timestamp
    /// The issuing doctor, when given.
    public var doctor: String?

    public init(form: CertificateForm, number: String, issuedAt: Timestamp, doctor: String? = nil) {
        self.form = form
        self.number = number
        self.issuedAt = issuedAt
        self.doctor = doctor
    }
}

/// A scanned material held by intake, referenced by id and sealed so a department can verify it.
public struct AttachmentReference: Codable, Sendable, Equatable {
    public var id: UUID
    public var kind: AttachmentKind
    /// SHA-256 of the file, lowercase hex.
    public var sha256: String
    /// Intake's Ed25519 signature, base64, over the UTF-8 text `<id of the case>\n<kind>\n<sha256>`
    /// (the case id lowercase, no final newline).
    public var seal: String
    /// The id of the key that made the seal (`GET /v1/seal/public-keys` lists them); absent in
    /// messages from before keys had ids.
    public var sealKeyId: String?

    public init(id: UUID, kind: AttachmentKind, sha256: String, seal: String, sealKeyId: String? = nil) {
        self.id = id
        self.kind = kind
        self.sha256 = sha256
        self.seal = seal
        self.sealKeyId = sealKeyId
    }

    enum CodingKeys: String, CodingKey {
        case id, kind, sha256, seal, sealKeyId
    }

    /// Writes the id in lowercase like every contract UUID.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(id.lowercased, forKey: .id)
        try container.encode(kind, forKey: .kind)
        try container.encode(sha256, forKey: .sha256)
        try container.encode(seal, forKey: .seal)
        try container.encodeIfPresent(sealKeyId, forKey: .sealKeyId)
    }
}
