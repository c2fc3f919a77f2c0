import Foundation
import HoushiContract
import Testing

/// The intake API under attack from bad input: schemathesis generates requests from the served
/// OpenAPI document, and a corpus of broken requests is sent by hand. Nothing answers 5xx,
/// every refusal is a JSON error, the service stays up and no case is ever stored half.
@Suite(.serialized)
final class IntakeFuzzTests {
    let houshi: Houshi

    init() async throws {
        houshi = try await Houshi.start()
    }

    /// Checks that hold for any input. Left out: `positive_data_acceptance` (the API checks
    /// more than a schema can say: GB 11643 check digits, ages, the order of times) and
    /// `unsupported_method` (the router answers 404, not 405, to a method a path lacks).
    static let checks = [
        "not_a_server_error", "status_code_conformance", "content_type_conformance", "response_headers_conformance",
        "response_schema_conformance", "negative_data_rejection", "missing_required_header", "ignored_auth",
    ]

    @Test("schemathesis finds no server error, no response off the schema and no route that ignores the token")
    func schemathesisFindsNothing() async throws {
        let caseId = try await houshi.postFreshNotice()
        let work = FileManager.default.temporaryDirectory.appendingPathComponent("schemathesis-\(UUID())")
        try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: work) }
        // Path parameters name a real case of the institution, so case routes are reached, not just 404.
        let config = work.appendingPathComponent("schemathesis.toml")
        try "[parameters]\n\"path.caseId\" = \"\(caseId.lowercased)\"\n".write(to: config, atomically: true, encoding: .utf8)
        let base = "\(try houshi.address(of: .intake))"
        // Run in the work folder, where schemathesis keeps its cache.
        let output = try await runCommand(URL(fileURLWithPath: "/usr/bin/env"), [
            "--chdir", work.path, "python3", "-m", "schemathesis.cli", "--config-file", config.path, "run", "\(base)/openapi.yaml", "--url", base,
            "--header", "Authorization: Bearer \(houshi.token)", "--checks", Self.checks.joined(separator: ","),
            "--max-examples", "50", "--generation-allow-x00", "true", "--generation-database", "none", "--no-color",
            "--report", "json", "--report-dir", work.path,
        ] + (houshi.environment.tls ? ["--tls-verify", try houshi.environment.tlsCA.path] : []), environment: [:])

        let reportFile = try #require(try FileManager.default.contentsOfDirectory(at: work, includingPropertiesForKeys: nil)
            .first { $0.lastPathComponent.hasPrefix("json-") }, "no JSON report:\n\(output)")
        let report = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: reportFile)) as? [String: Any])
        let generated = (report["test_cases"] as? [String: Any])?["generated"] as? Int ?? 0
        let operations = report["operations"] as? [String: Any]
        print("schemathesis tried \(generated) inputs on \(operations?["tested"] ?? 0) operations of the intake API")
        #expect(generated > 0, "\(output)")
        #expect(operations?["tested"] as? Int == operations?["total"] as? Int)
        #expect((report["failures"] as? [Any])?.isEmpty == true, "\(output)")
        #expect((report["errors"] as? [Any])?.isEmpty == true, "\(output)")
        try await expectIntakeUnharmed()
    }

    @Test("malformed, oversized, wrongly typed and wrongly labelled requests get a JSON 4xx, never a 5xx")
    func brokenRequestsAreRefused() async throws {
        let caseId = try await houshi.postFreshNotice()
        let requests = try BrokenRequest.notices() + BrokenRequest.attachments(caseId: caseId)
        let base = "\(try houshi.address(of: .intake))"
        for request in requests {
            var headers = ["Authorization": "Bearer \(houshi.token)"]
            headers["Content-Type"] = request.contentType
            let reply = try await HTTP.post(base + request.path, headers: headers, body: request.body)
            let text = String(decoding: reply.body.prefix(300), as: UTF8.self)
            #expect((400..<500).contains(reply.status), "\(request.name): \(reply.status) \(text)")
            #expect(reply.json?["error"] is String && reply.json?["message"] is String, "\(request.name): \(reply.status) \(text)")
        }
        print("sent \(requests.count) broken requests to the intake API")
        try await expectIntakeUnharmed()
    }

    /// Intake still runs and is ready, and every case it stored is whole: its items, its
    /// death.notified and exactly one request per requested item in the outbox.
    private func expectIntakeUnharmed() async throws {
        #expect(houshi.services[.intake]?.isRunning == true)
        #expect(try await HTTP.get("\(try houshi.address(of: .intake))/readyz").status == 200)
        let requestKeys = Item.allCases.map { "('\($0.rawValue)', '\(MessageType.request(for: $0).routingKey)')" }
            .joined(separator: ", ")
        let broken = try await houshi.infrastructure.database.withConnection { db in
            try db.execute("""
                WITH requested AS (
                    SELECT c.case_id, r.item, k.routing_key
                    FROM intake.cases c
                    CROSS JOIN jsonb_array_elements_text(c.notice->'requestedItems') AS r(item)
                    LEFT JOIN (VALUES \(requestKeys)) AS k(item, routing_key) ON k.item = r.item)
                SELECT c.case_id::text AS case_id FROM intake.cases c
                WHERE NOT EXISTS (SELECT FROM intake.outbox o WHERE o.case_id = c.case_id AND o.routing_key = 'death.notified.v1')
                   OR (SELECT count(*) FROM intake.case_items i WHERE i.case_id = c.case_id)
                      <> jsonb_array_length(c.notice->'requestedItems')
                   OR EXISTS (SELECT FROM requested q WHERE q.case_id = c.case_id AND (
                          NOT EXISTS (SELECT FROM intake.case_items i WHERE i.case_id = q.case_id AND i.item = q.item)
                          OR (SELECT count(*) FROM intake.outbox o
                              WHERE o.case_id = q.case_id AND o.routing_key = q.routing_key
                                AND NOT convert_from(o.body, 'UTF8')::jsonb->'payload' ? 'correction') <> 1))
                """).rows.map { try $0.string("case_id") }
        }
        // (a correction sends requests again, marked as such: each item still has one first request)
        #expect(broken.isEmpty, "cases stored without all their items or messages: \(broken)")
        let cases = try await houshi.infrastructure.count("SELECT count(*) AS count FROM intake.cases", [])
        #expect(cases > 0)
    }
}

/// A request the intake API must refuse with a JSON 4xx.
private struct BrokenRequest {
    let name: String
    let path: String
    let contentType: String?
    let body: Data

    static let noticePath = "/v1/death-notices"

    /// Broken death notices: malformed JSON, wrongly typed fields, wrong content types, too large.
    static func notices() throws -> [BrokenRequest] {
        let notice = try TestNotices.fresh().body
        let malformed: [(String, Data)] = [
            ("empty body", Data()), ("an open brace", Data("{".utf8)), ("cut short", Data(#"{"certificate":"#.utf8)),
            ("plain text", Data("not json".utf8)), ("an unclosed array", Data("[1,2".utf8)), ("null", Data("null".utf8)),
            ("an array", Data("[]".utf8)), ("a string", Data(#""notice""#.utf8)), ("a number", Data("42".utf8)),
            ("a number out of range", Data(#"{"deceased":{"age":1e400}}"#.utf8)),
            ("bytes that are not UTF-8", Data([0xFF, 0xFE, 0xFD, 0x7B])),
            ("a lone surrogate", Data(#"{"deceased":{"name":"\ud800"}}"#.utf8)),
            ("deep nesting", Data((String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000)).utf8)),
            ("half the notice", notice.prefix(notice.count / 2)),
        ]
        let wronglyTyped: [(String, [String], Any)] = [
            ("age as text", ["deceased", "age"], "85"), ("sex as a number", ["deceased", "sex"], 1),
            ("ID number as a number", ["deceased", "idNumber"], 230_883_194_103_150_243),
            ("time of death as a number", ["deceased", "diedAt"], 20_261_128),
            ("time of death in words", ["deceased", "diedAt"], "yesterday morning"),
            ("deceased as an array", ["deceased"], [Any]()), ("certificate as null", ["certificate"], NSNull()),
            ("phone as a number", ["applicant", "phone"], 13_904_561_234),
            ("bank account as a number", ["beneficiary", "bankAccount"], 6.217e18),
            ("items as text", ["requestedItems"], "hukou"), ("an item as a number", ["requestedItems"], ["hukou", 7]),
            ("commitments as a flag", ["commitments"], true), ("body as text", ["body"], "pickup"),
            ("atFuneralHome as text", ["body", "atFuneralHome"], "yes"),
            ("attachments as an object", ["attachments"], [String: Any]()),
            ("attachment data as a number", ["attachments"], [["kind": "id-card", "contentType": "image/png", "data": 12]]),
            ("a NUL in the name", ["deceased", "name"], "王\u{0}兰"),
            ("a NUL in the address", ["applicant", "address"], "\u{0}"),
        ]
        let labelled = ["text/plain", "application/xml", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x"]
        let oversized = try TestNotices.changing(notice, ["attachments"], to: [[
            "kind": "id-card", "contentType": "image/png", "data": String(repeating: "A", count: 8 * 1024 * 1024 + 4),
        ]])
        return malformed.map { BrokenRequest(name: $0.0, path: noticePath, contentType: "application/json", body: $0.1) }
            + (try wronglyTyped.map {
                BrokenRequest(name: $0.0, path: noticePath, contentType: "application/json", body: try TestNotices.changing(notice, $0.1, to: $0.2))
            })
            + labelled.map { BrokenRequest(name: "labelled \($0)", path: noticePath, contentType: $0, body: notice) }
            + [BrokenRequest(name: "no content type", path: noticePath, contentType: nil, body: notice),
               BrokenRequest(name: "over 8 MiB", path: noticePath, contentType: "application/json", body: oversized)]
    }

    /// Broken attachment uploads to `caseId` (and to cases that are not there).
    static func attachments(caseId: UUID) -> [BrokenRequest] {
        let path = "/v1/cases/\(caseId.lowercased)/attachments"
        let png = Data([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 1, 2, 3])
        return [
            BrokenRequest(name: "attachment as JSON", path: path + "?kind=id-card", contentType: "application/json",
                          body: Data(#"{"data":"iVBORw0KGgo="}"#.utf8)),
            BrokenRequest(name: "attachment without a type", path: path + "?kind=id-card", contentType: nil, body: png),
            BrokenRequest(name: "a PNG called a PDF", path: path + "?kind=id-card", contentType: "application/pdf", body: png),
            BrokenRequest(name: "an empty PNG", path: path + "?kind=id-card", contentType: "image/png", body: Data()),
            BrokenRequest(name: "an attachment over 5 MiB", path: path + "?kind=id-card", contentType: "image/png",
                          body: png + Data(count: 5 * 1024 * 1024)),
            BrokenRequest(name: "an attachment without a kind", path: path, contentType: "image/png", body: png),
            BrokenRequest(name: "a kind with a NUL", path: path + "?kind=id-card%00", contentType: "image/png", body: png),
            BrokenRequest(name: "a case id that is not a UUID", path: "/v1/cases/'%20OR%201=1--/attachments?kind=id-card",
                          contentType: "image/png", body: png),
            BrokenRequest(name: "a case that does not exist", path: "/v1/cases/\(UUID().lowercased)/attachments?kind=id-card",
                          contentType: "image/png", body: png),
        ]
    }
}
