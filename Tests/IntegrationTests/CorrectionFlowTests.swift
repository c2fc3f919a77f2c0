import Foundation
import HoushiContract
import Testing

/// Corrections over the real broker and database: what may be corrected and what not, a
/// corrected time of death settling the pension again (an adjustment once paid out), and a
/// correction that reaches social security before the request it corrects.
@Suite(.serialized)
final class CorrectionFlowTests {
    let houshi: Houshi

    init() async throws {
        houshi = try await Houshi.start()
    }

    @Test("a time of death a month earlier settles the pension again; paid out, the difference is recorded")
    func diedAtCorrectedAfterPayment() async throws {
        let (body, idNumber) = try TestNotices.fresh()
        try await houshi.registerForWholeFlow(idNumber: idNumber)
        let caseId = try await houshi.postFreshNotice((body, idNumber))
        for item in Item.allCases { try await waitFor(caseId, item, "done") }
        try await houshi.admin(.socialSecurity, ["pay-month", "2031-01"])
        #expect(try await value("SELECT stop AS value FROM (SELECT result->>'stopFrom' AS stop FROM intake.case_items WHERE case_id = $1::uuid AND item = 'pension') s",
                                caseId.lowercased) == "2026-12")

        let age = try ResidentIDNumber(idNumber).age(on: CalendarDate(year: 2026, month: 10, day: 28)!)
        let reply = try await correct(caseId, reason: "死亡时间填写有误，以病历为准",
                                      changes: ["deceased": ["diedAt": "2026-10-28T06:15:00+08:00", "age": age]])
        #expect(reply.status == 200, "\(String(decoding: reply.body, as: UTF8.self))")
        try await eventually("the pension to be settled again") {
            try await value("SELECT result->>'stopFrom' AS value FROM intake.case_items WHERE case_id = $1::uuid AND item = 'pension'",
                            caseId.lowercased) == "2026-11"
        }
        // Paid through 2026-12: one more month paid after the death is now to be recovered.
        #expect(try await value("""
            SELECT paid_out || ' ' || difference_fen AS value FROM social_security.settlement_adjustments
            WHERE case_id = $1::uuid AND item = 'pension' AND sequence = 1
            """, caseId.lowercased) == "true -300000")
        #expect(try await count("""
            SELECT count(*) AS count FROM intake.case_corrections
            WHERE case_id = $1::uuid AND sequence = 1 AND 'deceased.diedAt' = ANY (changed_fields)
            """, caseId) == 1)
        // The shared fact once, and every request (each carries the time of death) sent again as a correction.
        #expect(try await count("""
            SELECT count(*) AS count FROM intake.outbox WHERE case_id = $1::uuid
              AND (routing_key = 'death.corrected.v1' OR convert_from(body, 'UTF8')::jsonb->'payload'->'correction'->>'sequence' = '1')
            """, caseId) == 5)
        for department in [Department.publicSecurity, .civilAffairs, .socialSecurity] {
            try await eventually("\(department.rawValue) to record the corrected requests") {
                try await count("""
                    SELECT count(*) AS count FROM \(department.schema).item_requests
                    WHERE case_id = $1::uuid AND request->'deceased'->>'name' IS NOT NULL
                      AND request->>'diedAt' = '2026-10-28T06:15:00+08:00' AND request->'correction'->>'sequence' = '1'
                    """, caseId) == (department == .socialSecurity ? 2 : 1)
            }
        }
        #expect(try await houshi.itemStatus(caseId: caseId, item: .hukou) == "done")
    }

    @Test("who died and what was asked cannot be corrected; a wrong ID number is a withdrawal; nor a withdrawn case")
    func refusedCorrections() async throws {
        let caseId = try await houshi.postFreshNotice()
        let wrongID = try await correct(caseId, reason: "身份证号错误", changes: ["deceased": ["idNumber": "230883194103150243"]])
        #expect(wrongID.status == 422)
        let field = try #require((wrongID.json?["fields"] as? [[String: Any]])?.first)
        #expect(field["field"] as? String == "changes.deceased.idNumber")
        #expect((field["messageZh"] as? String)?.contains("撤回") == true)
        #expect((field["message"] as? String)?.contains("withdraw") == true)
        #expect(try await correct(caseId, reason: "x", changes: ["requestedItems": ["hukou"]]).status == 422)
        #expect(try await correct(caseId, reason: "x", changes: ["deceased": ["name": "王桂芝"]]).status == 422)
        #expect(try await correct(caseId, reason: "x", changes: ["deceased": ["diedAt": "2026-11-28T06:15:00+08:00"]]).status == 422)
        let future = try await correct(caseId, reason: "x", changes: ["deceased": ["diedAt": "2099-01-01T00:00:00+08:00"]])
        #expect(future.status == 422 && String(decoding: future.body, as: UTF8.self).contains("deceased.diedAt"))
        #expect(try await correct(caseId, reason: " ", changes: ["applicant": ["phone": "13900000000"]]).status == 422)
        #expect(try await correct(UUID(), reason: "x", changes: ["applicant": ["phone": "13900000000"]]).status == 404)
        #expect(try await houshi.infrastructure.count(
            "SELECT count(*) AS count FROM intake.case_corrections WHERE case_id = $1::uuid", [caseId.lowercased]) == 0)

        let phone = try await correct(caseId, reason: "电话号码写错", changes: ["applicant": ["phone": "13900000001"]])
        #expect(phone.status == 200)
        #expect(try await value("SELECT notice->'applicant'->>'phone' AS value FROM intake.cases WHERE case_id = $1::uuid",
                                caseId.lowercased) == "13900000001")
        let withdrawal = try await HTTP.post("\(try houshi.address(of: .intake))/v1/cases/\(caseId.lowercased)/withdrawal",
                                             headers: headers, body: Data(#"{"reason":"误登记"}"#.utf8))
        #expect(withdrawal.status == 202)
        let late = try await correct(caseId, reason: "x", changes: ["applicant": ["phone": "13900000002"]])
        #expect(late.status == 409 && late.json?["error"] as? String == "case-withdrawn")
    }

    @Test("a correction that reaches social security before the request it corrects: the corrected one counts")
    func correctionBeforeRequest() async throws {
        let (body, idNumber) = try TestNotices.fresh(items: ["pension"])
        try await houshi.registerForWholeFlow(idNumber: idNumber)
        _ = await houshi.services[.socialSecurity]?.terminate()
        let caseId = try await houshi.postFreshNotice((body, idNumber))
        #expect(try await correct(caseId, reason: "银行账号写错", changes: ["beneficiary": ["bankAccount": "6217000130009876543"]]).status == 200)
        try await eventually("intake to publish the request and its correction") {
            try await count("SELECT count(*) AS count FROM intake.outbox WHERE case_id = $1::uuid AND sent_at IS NULL", caseId) == 0
        }
        try await houshi.redeliver(caseId: caseId, expected: [.socialSecurity: 2]) {
            String(decoding: $0.body, as: UTF8.self).contains(#""correction""#)
        }
        try await houshi.start(.socialSecurity)
        try await waitFor(caseId, .pension, "done")
        #expect(try await value("""
            SELECT figures->'payee'->>'bankAccountLast4' AS value FROM social_security.settlements WHERE case_id = $1::uuid
            """, caseId.lowercased) == "6543")
        try await eventually("the original request to be handled (and ignored)") {
            try await count("SELECT count(*) AS count FROM social_security.inbox i JOIN intake.outbox o ON o.message_id = i.message_id WHERE o.case_id = $1::uuid", caseId) == 2
        }
        #expect(try await value("""
            SELECT request->'correction'->>'sequence' AS value FROM social_security.item_requests WHERE case_id = $1::uuid
            """, caseId.lowercased) == "1")
        #expect(try await count("SELECT count(*) AS count FROM social_security.settlements WHERE case_id = $1::uuid", caseId) == 1)
    }

    // MARK: - Helpers

    private var headers: [String: String] { ["Authorization": "Bearer \(houshi.token)", "Content-Type": "application/json"] }

    private func correct(_ caseId: UUID, reason: String, changes: [String: Any]) async throws -> HTTP.Reply {
        try await HTTP.send("PATCH", "\(try houshi.address(of: .intake))/v1/cases/\(caseId.lowercased)", headers: headers,
                            body: try JSONSerialization.data(withJSONObject: ["reason": reason, "changes": changes]))
    }

    private func waitFor(_ caseId: UUID, _ item: Item, _ status: String) async throws {
        try await eventually("\(item.rawValue) to be \(status)") {
            try await houshi.itemStatus(caseId: caseId, item: item) == status
        }
    }

    private func count(_ sql: String, _ caseId: UUID) async throws -> Int {
        try await houshi.infrastructure.count(sql, [caseId.lowercased])
    }

    private func value(_ sql: String, _ parameters: String...) async throws -> String? {
        try await houshi.infrastructure.database.withConnection { db in try db.execute(sql, parameters).first?["value"] }
    }
}
