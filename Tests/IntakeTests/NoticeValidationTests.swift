import Foundation
import HoushiContract
import HoushiRuntime
@testable import Intake
import Testing

@Suite struct NoticeValidationTests {
    static let now = Timestamp(rfc3339: "2026-11-29T09:00:00+08:00")!

    /// The shared example as the API takes it.
    static func example() throws -> DeathNotice {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("shared/examples/death-notice.json")
        return try JSONDecoder().decode(DeathNotice.self, from: Data(contentsOf: url))
    }

    @Test func theSharedExampleIsValid() throws {
        #expect(NoticeValidation.problems(in: try Self.example(), now: Self.now) == [])
    }

    @Test(arguments: [
        ("230883194103150244", "deceased.idNumber"),   // wrong check digit
        ("23088319410315024", "deceased.idNumber"),    // 17 characters
        ("230883194102300241", "deceased.idNumber"),   // 30 February
    ])
    func badDeceasedIDNumbers(idNumber: String, field: String) throws {
        var notice = try Self.example()
        notice.deceased.idNumber = idNumber
        #expect(NoticeValidation.problems(in: notice, now: Self.now).map(\.field).contains(field))
    }

    @Test func sexAndAgeMustAgreeWithTheIDNumber() throws {
        var notice = try Self.example()
        notice.deceased.sex = .male
        notice.deceased.age = 84
        #expect(Set(NoticeValidation.problems(in: notice, now: Self.now).map(\.field)) == ["deceased.sex", "deceased.age"])
    }

    @Test func timesMustBeInOrder() throws {
        var notice = try Self.example()
        notice.deceased.diedAt = Timestamp(rfc3339: "2026-11-30T06:15:00+08:00")!
        let fields = NoticeValidation.problems(in: notice, now: Self.now).map(\.field)
        #expect(fields.contains("deceased.diedAt"))
        #expect(fields.contains("certificate.issuedAt"))
    }

    @Test("every direct relative may receive the benefits", arguments: ["spouse", "child", "parent", "grandchild", "grandparent"])
    func directRelativesAreBeneficiaries(relation: String) throws {
        var notice = try Self.example()
        notice.beneficiary?.relation = relation
        #expect(NoticeValidation.problems(in: notice, now: Self.now) == [])
        #expect(notice.beneficiary?.directRelative?.relation.rawValue == relation)
    }

    @Test("any other relation is refused at its field for pension and medical account, not for hukou or cremation",
          arguments: ["sibling", "other-relative", "agent", "叔叔"])
    func otherRelationsAreRefusedForTheBenefits(relation: String) throws {
        var notice = try Self.example()
        notice.beneficiary?.relation = relation
        let problems = NoticeValidation.problems(in: notice, now: Self.now)
        #expect(problems.map(\.field) == ["beneficiary.relation"])
        #expect(problems.first?.messageZh.contains("直系亲属") == true)
        #expect(problems.first?.message.contains("direct relative") == true)
        notice.requestedItems = [.hukou, .cremation]
        #expect(NoticeValidation.problems(in: notice, now: Self.now) == [])
    }

    @Test("a relation the contract does not know decodes, and is refused at its field, not as undecodable JSON")
    func unknownRelationDecodes() throws {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("shared/examples/death-notice.json")
        let text = try String(contentsOf: url, encoding: .utf8)
            .replacingOccurrences(of: "\"relation\": \"child\",\n    \"idNumber\": \"230883196608020312\",\n    \"bankAccount\"",
                                  with: "\"relation\": \"sibling\",\n    \"idNumber\": \"230883196608020312\",\n    \"bankAccount\"")
        let notice = try JSONDecoder().decode(DeathNotice.self, from: Data(text.utf8))
        #expect(notice.beneficiary?.relation == "sibling")
        #expect(NoticeValidation.problems(in: notice, now: Self.now).map(\.field) == ["beneficiary.relation"])
    }

    @Test("a death just after midnight in 抚远 written in UTC: the age and the stored times are Beijing's")
    func deathWrittenInUTC() throws {
        var notice = try Self.example()
        // Born 1941-03-15: a death at 2026-03-15 00:30 in 抚远 (2026-03-14 16:30 UTC) is at 85.
        notice.deceased.diedAt = Timestamp(rfc3339: "2026-03-14T16:30:00Z")!
        notice.deceased.age = 85
        notice.certificate.issuedAt = Timestamp(rfc3339: "2026-03-15T09:00:00+08:00")!
        notice.body = .pickup(address: "抚远市人民医院住院部", at: Timestamp(rfc3339: "2026-03-15T14:00:00+08:00")!)
        notice.applicantSignedAt = Timestamp(rfc3339: "2026-03-15T10:00:00+08:00")!
        #expect(NoticeValidation.problems(in: notice, now: Self.now) == [])
        let stored = notice.inBeijingTime
        #expect(stored.deceased.diedAt.rfc3339 == "2026-03-15T00:30:00+08:00")
        #expect(stored.deceased.diedAt.date == notice.deceased.diedAt.date)
    }

    @Test func onlyANaturalDeathTakesTheOneStopPath() throws {
        var notice = try Self.example()
        notice.deceased.mannerOfDeath = .unnatural
        let problem = try #require(NoticeValidation.problems(in: notice, now: Self.now).first)
        #expect(problem.field == "deceased.mannerOfDeath")
        #expect(problem.message.contains("offline"))
        #expect(problem.messageZh.contains("线下"))
    }

    @Test func anInstitutionOutsideTheCityGoesOffline() throws {
        let problems = NoticeValidation.problems(in: try Self.example(), localInstitution: false, now: Self.now)
        #expect(problems.map(\.field) == ["institution"])
    }

    @Test func pensionNeedsABeneficiaryWithADigitsOnlyAccount() throws {
        var notice = try Self.example()
        notice.beneficiary?.bankAccount = "6217-0001"
        #expect(NoticeValidation.problems(in: notice, now: Self.now).map(\.field) == ["beneficiary.bankAccount"])
        notice.beneficiary = nil
        #expect(NoticeValidation.problems(in: notice, now: Self.now).map(\.field) == ["beneficiary"])
        notice.requestedItems = [.cremation, .hukou]
        #expect(NoticeValidation.problems(in: notice, now: Self.now) == [])
    }

    @Test(arguments: ["1390456123", "23904561234", "12904561234", "1390456123a"])
    func badPhoneNumbers(phone: String) throws {
        var notice = try Self.example()
        notice.applicant.phone = phone
        #expect(NoticeValidation.problems(in: notice, now: Self.now).map(\.field) == ["applicant.phone"])
    }

    @Test func itemsMustBeGivenOnceAndAtLeastOne() throws {
        var notice = try Self.example()
        notice.requestedItems = []
        #expect(NoticeValidation.problems(in: notice, now: Self.now).map(\.field) == ["requestedItems"])
        notice.requestedItems = [.hukou, .hukou]
        #expect(NoticeValidation.problems(in: notice, now: Self.now).map(\.field) == ["requestedItems"])
    }

    @Test func bodyLocationAndCommitmentsAreChecked() throws {
        var notice = try Self.example()
        notice.body = .pickup(address: " ", at: Timestamp(rfc3339: "2026-11-28T05:00:00+08:00")!)
        notice.commitments = .init(civilizedFuneral: false, truthful: false)
        #expect(NoticeValidation.problems(in: notice, now: Self.now).map(\.field)
            == ["body.pickupAddress", "commitments.civilizedFuneral", "commitments.truthful"])
        notice.body = .pickup(address: "医院", at: Timestamp(rfc3339: "2026-11-28T05:00:00+08:00")!)
        notice.commitments = .init(civilizedFuneral: true, truthful: true)
        #expect(NoticeValidation.problems(in: notice, now: Self.now).map(\.field) == ["body.pickupAt"])
        notice.body = .atFuneralHome(funeralHome: "")
        #expect(NoticeValidation.problems(in: notice, now: Self.now).map(\.field) == ["body.funeralHome"])
    }

    @Test func requestsCarryOnlyWhatTheirDepartmentNeeds() throws {
        let notice = try Self.example()
        let (notified, requests, recorded) = try NoticeMessages.envelopes(
            for: notice, caseId: UUID(), place: MedicalInstitutionRef(code: "H1", name: "抚远市人民医院"))
        let codec = MessageCodec()
        let shared = String(decoding: try codec.encode(notified), as: UTF8.self)
        let fact = String(decoding: try codec.encode(recorded), as: UTF8.self)
        for secret in [notice.applicant.phone, notice.beneficiary!.bankAccount, notice.deceased.hukouAddress] {
            #expect(!shared.contains(secret))
            #expect(!fact.contains(secret))
        }
        // The cause of death stays with the hospital: no department's request carries it.
        let cause = try #require(notice.deceased.causeOfDeath)
        #expect(!shared.contains(cause) && !fact.contains(cause))
        #expect(recorded.payload == DeathRecorded(idNumber: notice.deceased.idNumber, name: notice.deceased.name, sex: .female,
                                                  diedAt: notice.deceased.diedAt, certificateNumber: notice.certificate.number))
        #expect(recorded.causationId == notified.id)
        for request in requests {
            let body = String(decoding: try request.outboxMessage(trace: .start()).body, as: UTF8.self)
            #expect(!body.contains(cause), "\(request.messageType) carries the cause of death")
            #expect(!body.contains("causeOfDeath"))
        }
        #expect(requests.map(\.messageType) == notice.requestedItems.map(MessageType.request(for:)))
        #expect(notified.payload.deceased.birthDate == CalendarDate(year: 1941, month: 3, day: 15))
    }
}
