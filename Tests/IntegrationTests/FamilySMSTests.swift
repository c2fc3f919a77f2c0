import Foundation
import HoushiContract
import Testing

/// The family's SMS over the real broker and database, sent to a local stand-in provider that
/// refuses the first attempts: each outcome and the completion reach the family once, retried.
@Suite(.serialized)
final class FamilySMSTests {
    let houshi: Houshi
    let sink: SMSSink
    var received: URL { sink.received }

    init() async throws {
        sink = try SMSSink(failFirst: 2)
        houshi = try await Houshi.start(overrides: [.intake: try sink.intakeSettings.merging([
            "HOUSHI_SMS_RETRY_SECONDS": "0.2",
        ]) { $1 }])
    }

    @Test("the family gets one SMS per outcome and one at completion, retried until the provider accepts")
    func outcomeAndCompletionMessages() async throws {
        let notice = try TestNotices.fresh(items: ["hukou"])
        try await houshi.importCSV(.publicSecurity, ["register", "import"],
                                   "id_number,name,household_number,relation_to_head,address\n\(notice.idNumber),王桂兰,H-\(UUID().lowercased),parent,通江路12号\n")
        let caseId = try await houshi.postFreshNotice(notice)

        // The provider also gets what earlier tests' cases left unsent: pick this case's messages by id.
        var messages: [[String: Any]] = []
        try await eventually("two messages of the case at the provider") {
            let ids = try await houshi.infrastructure.database.withConnection { db in
                Set(try db.execute("SELECT id FROM intake.sms_messages WHERE case_id = $1", [caseId]).rows.map { try $0.int("id") })
            }
            let lines = ((try? String(contentsOf: received, encoding: .utf8)) ?? "").split(separator: "\n")
            messages = try lines.map { try JSONSerialization.jsonObject(with: Data($0.utf8)) as! [String: Any] }
                .filter { ($0["id"] as? Int).map(ids.contains) ?? false }
            return messages.count >= 2
        }
        #expect(messages.count == 2)
        #expect(messages.allSatisfy { $0["phone"] as? String == "13904561234" })
        let texts = messages.compactMap { $0["text"] as? String }
        #expect(texts.contains { $0.hasPrefix("【抚远市身后一件事】王桂兰") && $0.contains("户口已于") })
        #expect(texts.contains { $0.contains("所申请事项均已办结") })
        let publicURL = try #require(try houshi.environment.serviceEnvironment(.intake)["HOUSHI_PUBLIC_URL"])
        #expect(texts.allSatisfy { $0.contains("详情：\(publicURL)/jd/") && $0.count <= 130 },
                "each message ends with the family's link: \(texts)")
        // The provider refused the first two requests: those messages were retried, then sent
        // (marked once the provider's answer is in, which may come after its file has the line).
        try await eventually("a retried message marked sent") {
            try await houshi.infrastructure.count(
                "SELECT count(*) AS count FROM intake.sms_messages WHERE attempts > 1 AND sent_at IS NOT NULL", []) >= 1
        }
        let log = houshi.services[.intake]?.log ?? ""
        #expect(!log.contains("13904561234"))
        #expect(log.contains("139****1234"))
    }

    @Test("the provider's certificate is verified (an untrusted one gets nothing until trusted); plain HTTP elsewhere stops intake")
    func webhookCertificateIsVerified() async throws {
        let settings = try sink.intakeSettings
        if houshi.environment.tls {
            // Messages an earlier suite left unsent go out first, to the trusted provider: the
            // untrusted one's attempts (each may wait for the stand-in provider's timeout) are
            // then this test's only.
            try await eventually(timeout: .seconds(60), "earlier messages to be sent") {
                try await houshi.infrastructure.count("SELECT count(*) AS count FROM intake.sms_messages WHERE sent_at IS NULL",
                                                      []) == 0
            }
            // Without HOUSHI_SMS_CA_FILE the run's own CA is no root intake trusts.
            houshi.overrides[.intake] = settings.filter { $0.key != "HOUSHI_SMS_CA_FILE" }
                .merging(["HOUSHI_SMS_RETRY_SECONDS": "0.2"]) { $1 }
            try await houshi.start(.intake)
            let caseId = try await houshi.postFreshNotice(try TestNotices.fresh(items: ["hukou"]))   // refused: an SMS
            try await eventually("the SMS to fail on the provider's certificate") {
                try await houshi.infrastructure.count("""
                    SELECT count(*) AS count FROM intake.sms_messages
                    WHERE case_id = $1::uuid AND sent_at IS NULL AND last_error ILIKE '%certificate%'
                    """, [caseId.lowercased]) >= 1
            }
            houshi.overrides[.intake] = settings.merging(["HOUSHI_SMS_RETRY_SECONDS": "0.2"]) { $1 }
            try await houshi.start(.intake)
            try await eventually("the SMS sent once the provider's CA is trusted") {
                try await houshi.infrastructure.count(
                    "SELECT count(*) AS count FROM intake.sms_messages WHERE case_id = $1::uuid AND sent_at IS NULL",
                    [caseId.lowercased]) == 0
            }
        }
        let refusal = try await houshi.environment.startupRefusal(.intake, changing: [
            "HOUSHI_SMS_WEBHOOK_URL": "http://sms.example.com/send"])
        #expect(refusal.contains("HOUSHI_SMS_WEBHOOK_URL must be an https:// URL"), "\(refusal)")
    }
}
