import Foundation
import HoushiContract
import Testing

/// Intake records the outcomes one transaction handles together (`OutcomeStore.record`): several
/// cases in one statement, and a second outcome of the same item after the first.
@Suite(.serialized)
final class OutcomeBatchTests {
    @Test("outcomes handled in one transaction are each recorded, two of one item in their order")
    func outcomesOfOneTransaction() async throws {
        let houshi = try await Houshi.start(overrides: [.intake: ["HOUSHI_CONSUMER_LINGER_MS": "1000"]])
        // The departments are stopped, so that their own answers do not race the published outcomes.
        for department in [Department.publicSecurity, .civilAffairs, .socialSecurity] {
            await houshi.services[department]?.terminate()
        }
        let first = try await houshi.postFreshNotice(try TestNotices.fresh(items: ["cremation", "hukou"]))
        let second = try await houshi.postFreshNotice(try TestNotices.fresh(items: ["hukou"]))
        let outcomes = [("hukou.held.v1", first), ("hukou.cancelled.v1", first), ("hukou.cancelled.v1", second),
                        ("cremation.certified.v1", first)]
        var messageIds: [String] = []
        for (routingKey, caseId) in outcomes {
            let body = try houshi.fixture(routingKey, caseId: caseId)
            messageIds.append((try JSONSerialization.jsonObject(with: body) as! [String: Any])["id"] as! String)
            try await houshi.infrastructure.publish(routingKey: routingKey, body: body)
        }
        for caseId in [first, second] {
            try await eventually("intake to complete case \(caseId.lowercased)") {
                try await houshi.infrastructure.count(
                    "SELECT count(*) AS count FROM intake.cases WHERE case_id = $1::uuid AND status = 'completed'",
                    [caseId.lowercased]) == 1
            }
        }
        func count(_ sql: String, _ caseId: UUID) async throws -> Int {
            try await houshi.infrastructure.count(sql, [caseId.lowercased])
        }

        #expect(try await houshi.infrastructure.count(
            "SELECT count(DISTINCT xmin::text) AS count FROM intake.inbox WHERE message_id = ANY($1::uuid[])",
            ["{" + messageIds.joined(separator: ",") + "}"]) == 1)
        // The held outcome, then the cancellation: done, with both payloads in the result.
        #expect(try await count("""
            SELECT count(*) AS count FROM intake.case_items WHERE case_id = $1::uuid AND item = 'hukou'
                AND status = 'done' AND result ? 'reasonCode' AND result ? 'householdNumber'
            """, first) == 1)
        #expect(try await count(
            "SELECT count(*) AS count FROM intake.case_items WHERE case_id = $1::uuid AND status = 'done'", first) == 2)
        #expect(try await count(
            "SELECT count(*) AS count FROM intake.case_items WHERE case_id = $1::uuid AND status = 'done'", second) == 1)
        // The notice and each outcome on the timeline; an SMS for each outcome and the completion.
        #expect(try await count("SELECT count(*) AS count FROM intake.case_events WHERE case_id = $1::uuid", first) == 4)
        #expect(try await count("SELECT count(*) AS count FROM intake.case_events WHERE case_id = $1::uuid", second) == 2)
        #expect(try await count("SELECT count(*) AS count FROM intake.sms_messages WHERE case_id = $1::uuid", first) == 4)
        #expect(try await count("SELECT count(*) AS count FROM intake.sms_messages WHERE case_id = $1::uuid", second) == 2)
        for caseId in [first, second] {
            #expect(try await count("""
                SELECT count(*) AS count FROM intake.outbox WHERE case_id = $1::uuid AND routing_key = 'case.completed.v1'
                """, caseId) == 1)
        }
    }
}
