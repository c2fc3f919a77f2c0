import Foundation
import HoushiContract
import Testing

/// Notices posted at once open their cases together, several in one transaction (intake's group
/// commit), and each still gets its own answer.
@Suite(.serialized)
final class NoticeBatchTests {
    @Test("notices posted at once share transactions; fresh, retried, conflicting, attached and other institutions' each get their answer")
    func noticesPostedAtOnce() async throws {
        let houshi = try await Houshi.start()
        let otherToken = try await houshi.admin(.intake, ["institutions", "add", "--code", "OTHER-\(UUID().lowercased)",
                                                          "--name", "另一医院"]).trimmingCharacters(in: .whitespacesAndNewlines)
        let known = try TestNotices.fresh(items: ["cremation"])
        let knownCase = try await houshi.postFreshNotice(known)
        let changed = try TestNotices.changing(known.body, ["deceased", "name"], to: "李四")
        let twice = try TestNotices.fresh()
        var attached = try JSONSerialization.jsonObject(with: try TestNotices.fresh(items: ["hukou"]).body) as! [String: Any]
        attached["attachments"] = [["kind": "death-certificate-scan", "contentType": "application/pdf",
                                    "data": Data("%PDF-1.4 scan".utf8).base64EncodedString()]]

        /// (what is posted, with which token, the status it must get)
        var posts: [(body: Data, token: String, status: Int)] = try (0..<24).map { index in
            (try TestNotices.fresh().body, index % 4 == 0 ? otherToken : houshi.token, 201)
        }
        posts += [(known.body, houshi.token, 200), (changed, houshi.token, 409), (twice.body, houshi.token, 0),
                  (twice.body, houshi.token, 0), (try JSONSerialization.data(withJSONObject: attached), houshi.token, 201),
                  (known.body, otherToken, 409)]
        let intake = try houshi.address(of: .intake)
        let replies = try await withThrowingTaskGroup(of: (Int, HTTP.Reply).self) { group in
            for (index, post) in posts.enumerated() {
                group.addTask {
                    (index, try await HTTP.post("\(intake)/v1/death-notices",
                                                headers: ["Authorization": "Bearer \(post.token)",
                                                          "Content-Type": "application/json"],
                                                body: post.body))
                }
            }
            var replies: [Int: HTTP.Reply] = [:]
            for try await (index, reply) in group { replies[index] = reply }
            return replies
        }

        var opened: [String] = []
        for (index, post) in posts.enumerated() where post.status != 0 {
            let reply = try #require(replies[index])
            #expect(reply.status == post.status, "post \(index): \(String(decoding: reply.body, as: UTF8.self))")
            if reply.status == 201 {
                // The view of the new case, as its own institution sees it.
                let caseId = try #require(reply.json?["caseId"] as? String)
                #expect(reply.json?["status"] as? String == "open")
                #expect((reply.json?["timeline"] as? [[String: Any]])?.first?["type"] as? String == "death.notified.v1")
                opened.append(caseId)
            }
        }
        #expect(replies[24]?.json?["caseId"] as? String == knownCase.lowercased)
        #expect((replies[25]?.json?["message"] as? String)?.contains(knownCase.lowercased) == true)
        // The very same notice from another institution: told the death is registered, not given a case it cannot read.
        #expect(replies[29]?.json?["error"] as? String == "case-exists-elsewhere")
        #expect(replies[29].map { String(decoding: $0.body, as: UTF8.self).contains(knownCase.lowercased) } == false)
        // The same notice twice at once: one case, opened by one post and found by the other.
        let pair = try [26, 27].map { try #require(replies[$0]) }
        #expect(pair.map(\.status).sorted() == [200, 201])
        #expect(Set(pair.compactMap { $0.json?["caseId"] as? String }).count == 1)
        opened += pair.filter { $0.status == 201 }.compactMap { $0.json?["caseId"] as? String }
        #expect(opened.count == 26)

        let ids = "{" + opened.joined(separator: ",") + "}"
        // Fewer transactions than cases: some opened together.
        #expect(try await houshi.infrastructure.count(
            "SELECT count(DISTINCT xmin::text) AS count FROM intake.cases WHERE case_id = ANY($1::uuid[])", [ids]) < opened.count)
        // Each case has death.notified on its timeline and in the outbox with one request per item
        // and the public death.recorded.
        #expect(try await houshi.infrastructure.count(
            "SELECT count(*) AS count FROM intake.case_events WHERE case_id = ANY($1::uuid[]) AND type = 'death.notified.v1'",
            [ids]) == opened.count)
        let items = try await houshi.infrastructure.count(
            "SELECT count(*) AS count FROM intake.case_items WHERE case_id = ANY($1::uuid[])", [ids])
        #expect(try await houshi.infrastructure.count(
            "SELECT count(*) AS count FROM intake.outbox WHERE case_id = ANY($1::uuid[]) AND routing_key <> 'case.completed.v1'",
            [ids]) == 2 * opened.count + items)
        #expect(try await houshi.infrastructure.count("""
            SELECT count(*) AS count FROM intake.outbox
            WHERE case_id = ANY($1::uuid[]) AND convert_from(body, 'UTF8')::jsonb->'payload'->'attachments'->0->>'kind' = 'death-certificate-scan'
            """, [ids]) == 1)
        // The requests were published: every department answered every item.
        try await eventually(timeout: .seconds(60), "an outcome of every item") {
            try await houshi.infrastructure.count(
                "SELECT count(*) AS count FROM intake.case_items WHERE case_id = ANY($1::uuid[]) AND status = 'requested'",
                [ids]) == 0
        }
    }
}
