import HoushiContract

/// A death notice as the hospital posts it: the death certificate (死亡医学证明) data and the
/// family's registration form (登记表), field by field (see shared/examples/death-notice.json).
struct DeathNotice: Codable, Sendable, Equatable {
    var certificate: DeathCertificate
    var deceased: Deceased
    var applicant: Applicant
    var beneficiary: NoticeBeneficiary?
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

    /// The benefit recipient (抚恤金领取人) as the family wrote them: the relation is any text here,
    /// so that a relation that may not receive benefits is refused at its field
    /// (`NoticeValidation`), never as an undecodable notice.
    struct NoticeBeneficiary: Codable, Sendable, Equatable {
        var name: String
        var relation: String
        var idNumber: String
        var bankAccount: String
        var bank: String

        /// The contract's beneficiary; nil unless the relation is a direct relative.
        var directRelative: Beneficiary? {
            BeneficiaryRelation(rawValue: relation).map {
                Beneficiary(name: name, relation: $0, idNumber: idNumber, bankAccount: bankAccount, bank: bank)
            }
        }
    }

    /// 文明节俭办丧事 and 所填信息真实 on the form.
    struct Commitments: Codable, Sendable, Equatable {
        var civilizedFuneral: Bool
        var truthful: Bool
    }
}

extension DeathNotice {
    /// The notice with every time written in Beijing time (+08:00), the same instants: done once,
    /// as the notice arrives, so that what is stored, compared and sent reads as the rules do.
    var inBeijingTime: DeathNotice {
        var notice = self
        notice.certificate.issuedAt = certificate.issuedAt.inBeijingTime
        notice.deceased.diedAt = deceased.diedAt.inBeijingTime
        notice.applicantSignedAt = applicantSignedAt.inBeijingTime
        if case .pickup(let address, let at) = body { notice.body = .pickup(address: address, at: at.inBeijingTime) }
        return notice
    }
}
