import Foundation
import HoushiContract
import HoushiRuntime
@testable import Intake
import Testing

/// Which corrections a notice takes, and what they change, decided without the database.
@Suite struct NoticeCorrectionTests {
    static let now = Timestamp(rfc3339: "2026-11-29T09:00:00+08:00")!

    struct Row: Sendable, CustomTestStringConvertible {
        let changes: String
        /// The fields it changes, or the fields of its problems.
        let changed: [String]
        let refused: [String]
        var testDescription: String { changes }
    }

    @Test("corrections taken and refused", arguments: [
        Row(changes: #"{"applicant": {"phone": "13900000001"}}"#, changed: ["applicant.phone"], refused: []),
        Row(changes: #"{"beneficiary": {"bankAccount": "6217000130009876543", "bank": "农业银行"}}"#,
            changed: ["beneficiary.bank", "beneficiary.bankAccount"], refused: []),
        Row(changes: #"{"ashes": {"placement": "funeral-home", "placeName": "抚远市殡仪馆"}}"#,
            changed: ["ashes.placeName", "ashes.placement"], refused: []),
        Row(changes: #"{"deceased": {"diedAt": "2026-11-28T05:50:00+08:00"}}"#, changed: ["deceased.diedAt"], refused: []),
        Row(changes: #"{"deceased": {"idNumber": "230883194103150243"}}"#, changed: [],
            refused: ["changes.deceased.idNumber"]),
        Row(changes: #"{"deceased": {"name": "王桂芝"}, "requestedItems": ["hukou"]}"#, changed: [],
            refused: ["changes.deceased.name", "changes.requestedItems"]),
        // Checked as a new notice: the age, the certificate and the pickup no longer agree either.
        Row(changes: #"{"deceased": {"diedAt": "2099-01-01T00:00:00+08:00"}}"#, changed: [],
            refused: ["deceased.age", "deceased.diedAt", "certificate.issuedAt", "body.pickupAt"]),
        Row(changes: #"{"applicant": {"phone": "12"}}"#, changed: [], refused: ["applicant.phone"]),
        Row(changes: #"{"applicant": {"phone": "13904561234"}}"#, changed: [], refused: ["changes"]),
        Row(changes: #"[1]"#, changed: [], refused: ["changes"]),
    ])
    func corrections(_ row: Row) throws {
        let changes = try JSONDecoder().decode(JSONValue.self, from: Data(row.changes.utf8))
        switch NoticeCorrection.apply(changes, to: try NoticeValidationTests.example(), localInstitution: true, now: Self.now) {
        case .success(let corrected):
            #expect(corrected.changed == row.changed)
            #expect(row.refused.isEmpty)
        case .failure(let error):
            #expect(error.fields.map(\.field) == row.refused, "\(error.fields)")
            #expect(row.changed.isEmpty)
        }
    }

    @Test("a wrong deceased ID number says to withdraw and post again, in both languages")
    func wrongIDNumberIsAWithdrawal() throws {
        let changes = JSONValue.object(["deceased": .object(["idNumber": .string("230883194103150243")])])
        guard case .failure(let error) = NoticeCorrection.apply(changes, to: try NoticeValidationTests.example(),
                                                                 localInstitution: true, now: Self.now)
        else { Issue.record("the ID number was corrected"); return }
        #expect(error.fields.first?.message.contains("withdraw") == true)
        #expect(error.fields.first?.messageZh.contains("撤回") == true)
    }

    @Test("merging replaces leaves and keeps what the changes do not name")
    func merging() {
        let base = JSONValue.object(["a": .object(["b": .integer(1), "c": .integer(2)]), "d": .array([.integer(1)])])
        let merged = NoticeCorrection.merged(base, .object(["a": .object(["b": .integer(3)]), "d": .array([])]))
        #expect(merged == .object(["a": .object(["b": .integer(3), "c": .integer(2)]), "d": .array([])]))
        #expect(NoticeCorrection.differences(base, merged) == ["a.b", "d"])
        #expect(NoticeCorrection.leaves(of: .object(["a": .object(["b": .null]), "c": .integer(1)])) == ["a.b", "c"])
    }
}
