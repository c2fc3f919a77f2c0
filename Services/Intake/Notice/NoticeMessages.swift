import FoundationEssentials
import HoushiContract
import HoushiRuntime

/// The messages a notice publishes: the shared death fact, one request per requested item, each
/// with only the personal data its department needs, and the public fact for subscribers outside.
enum NoticeMessages {
    /// `correction`, when given, marks the requests as a correction's (`RequestCorrection`).
    static func envelopes(for notice: DeathNotice, caseId: UUID, place: MedicalInstitutionRef,
                          attachments: [AttachmentReference] = [], correction: RequestCorrection? = nil) throws
        -> (notified: Envelope<DeathNotified>, requests: [any OutboxWritable], recorded: Envelope<DeathRecorded>) {
        let deceased = try identity(of: notice)
        let diedAt = notice.deceased.diedAt
        let certificateNumber = notice.certificate.number
        let notified = Envelope(type: .deathNotified, caseId: caseId, producer: .intake, payload: DeathNotified(
            certificate: notice.certificate, deceased: deceased, diedAt: diedAt,
            mannerOfDeath: notice.deceased.mannerOfDeath, place: place,
            residenceTownship: notice.deceased.residenceTownship, requestedItems: notice.requestedItems))
        let causation = notified.id
        func request<P: CorrectableRequest>(_ item: Item, _ payload: P) -> any OutboxWritable {
            var payload = payload
            payload.correction = correction
            return Envelope(type: .request(for: item), caseId: caseId, causationId: causation, producer: .intake,
                            payload: payload)
        }
        let requests: [any OutboxWritable] = try notice.requestedItems.map { item in
            switch item {
            case .cremation:
                return request(item, CremationRequested(
                    certificateNumber: certificateNumber, deceased: deceased, diedAt: diedAt, body: notice.body,
                    ashes: notice.ashes,
                    contact: FamilyContact(name: notice.applicant.name, phone: notice.applicant.phone,
                                           relation: notice.applicant.relation),
                    civilizedFuneral: notice.commitments.civilizedFuneral, attachments: attachments))
            case .hukou:
                return request(item, HukouCancellationRequested(
                    certificate: notice.certificate, deceased: deceased, diedAt: diedAt,
                    hukouAddress: notice.deceased.hukouAddress,
                    applicant: ApplicantIdentity(name: notice.applicant.name, idNumber: notice.applicant.idNumber,
                                                 relation: notice.applicant.relation),
                    attachments: attachments))
            case .pension:
                return request(item, PensionClaimRequested(
                    certificateNumber: certificateNumber, deceased: deceased, diedAt: diedAt,
                    employerType: notice.deceased.employerType, beneficiary: try beneficiary(of: notice),
                    attachments: attachments, hukouRequested: notice.requestedItems.contains(.hukou)))
            case .medicalAccount:
                return request(item, MedicalAccountSettlementRequested(
                    certificateNumber: certificateNumber, deceased: deceased, diedAt: diedAt,
                    beneficiary: try beneficiary(of: notice), attachments: attachments))
            }
        }
        return (notified, requests, recorded(notice, deceased: deceased, caseId: caseId, causationId: causation))
    }

    /// The public fact of the notice's death (`PublicFacts.deathRecorded`).
    static func recorded(_ notice: DeathNotice, caseId: UUID, causationId: UUID) throws -> Envelope<DeathRecorded> {
        recorded(notice, deceased: try identity(of: notice), caseId: caseId, causationId: causationId)
    }

    private static func recorded(_ notice: DeathNotice, deceased: DeceasedIdentity, caseId: UUID,
                                 causationId: UUID) -> Envelope<DeathRecorded> {
        Envelope(type: PublicFacts.deathRecorded, caseId: caseId, causationId: causationId, producer: .intake,
                 payload: DeathRecorded(idNumber: deceased.idNumber, name: deceased.name, sex: deceased.sex,
                                        diedAt: notice.deceased.diedAt, certificateNumber: notice.certificate.number))
    }

    /// A notice reached message building without passing `NoticeValidation`: a programming error.
    struct UnvalidatedNotice: Error {
        let field: String
    }

    private static func identity(of notice: DeathNotice) throws -> DeceasedIdentity {
        let id = try ResidentIDNumber(notice.deceased.idNumber)
        return DeceasedIdentity(name: notice.deceased.name, idNumber: id.value, sex: id.sex, birthDate: id.birthDate,
                                age: notice.deceased.age)
    }

    private static func beneficiary(of notice: DeathNotice) throws -> Beneficiary {
        guard let beneficiary = notice.beneficiary?.directRelative else { throw UnvalidatedNotice(field: "beneficiary") }
        return beneficiary
    }
}
