import HoushiContract

/// A death notice as the hospital posts it: the death certificate (死亡医学证明) data and the
/// family's registration form (登记表), field by field (see shared/examples/death-notice.json).
struct DeathNotice: Codable, Sendable, Equatable {
    var certificate: DeathCertificate
    var deceased: Deceased
    var applicant: Applicant
    var beneficiary: Beneficiary?
    var body: BodyLocation
    var ashes: Ashes
    var requestedItems: [Item]
    var commitments: Commitments
    var applicantSignedAt: Timestamp
    /// Scanned materials, sealed and referenced by every request.
    var attachments: [NoticeAttachment]?

    struct Deceased: Codable, Sendable, Equatable {
        var name: String
        var idNumber: String
        var sex: Sex
        var age: Int
        var ethnicity: String?
        var hukouAddress: String
        var residenceTownship: String?
        var diedAt: Timestamp
        var causeOfDeath: String?
        var mannerOfDeath: MannerOfDeath
        var employerType: EmployerType
    }

    struct Applicant: Codable, Sendable, Equatable {
        var name: String
        var phone: String
        var idNumber: String
        var address: String
        var relation: ApplicantRelation
    }

    /// 文明节俭办丧事 and 所填信息真实 on the form.
    struct Commitments: Codable, Sendable, Equatable {
        var civilizedFuneral: Bool
        var truthful: Bool
    }
}
