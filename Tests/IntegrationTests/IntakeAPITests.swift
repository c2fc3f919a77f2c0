import Foundation
import HoushiContract
import Testing

/// The hospital's API as a client sees it, on the live server over the real database.
@Suite(.serialized)
final class IntakeAPITests {
    let houshi: Houshi

    init() async throws {
        houshi = try await Houshi.start()
    }

    @Test("the served OpenAPI document is a valid OpenAPI 3 document")
    func openAPIDocumentIsValid() async throws {
        let reply = try await HTTP.get("http://127.0.0.1:\(try houshi.port(of: .intake))/openapi.yaml")
        #expect(reply.status == 200)
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("openapi-\(UUID()).yaml")
        try reply.body.write(to: file)
        defer { try? FileManager.default.removeItem(at: file) }
        try await runCommand(URL(fileURLWithPath: "/usr/bin/env"),
                             ["python3", "-m", "openapi_spec_validator", file.path], environment: [:])
    }

    @Test("an institution lists its own cases, paged and by status, and sees no other's")
    func casesAreListedPerInstitution() async throws {
        let caseId = try await houshi.postFreshNotice()
        let port = try houshi.port(of: .intake)
        let mine = try await HTTP.get("http://127.0.0.1:\(port)/v1/cases?page=1", headers: auth(houshi.token))
        #expect(mine.status == 200)
        let cases = try #require(mine.json?["cases"] as? [[String: Any]])
        #expect(cases.first?["caseId"] as? String == caseId.lowercased)   // newest first
        #expect(cases.count <= 20)
        #expect((mine.json?["total"] as? Int ?? 0) >= 1)
        #expect(try await HTTP.get("http://127.0.0.1:\(port)/v1/cases?status=lost", headers: auth(houshi.token)).status == 422)
        #expect(try await HTTP.get("http://127.0.0.1:\(port)/v1/cases?page=0", headers: auth(houshi.token)).status == 422)
        #expect(try await HTTP.get("http://127.0.0.1:\(port)/v1/cases").status == 401)

        let other = try await houshi.admin(.intake, ["institutions", "add", "--code", "OTHER-\(UUID().lowercased)",
                                                     "--name", "另一医院"]).trimmingCharacters(in: .whitespacesAndNewlines)
        let theirs = try await HTTP.get("http://127.0.0.1:\(port)/v1/cases", headers: auth(other))
        #expect((theirs.json?["cases"] as? [Any])?.isEmpty == true)
        #expect(try await HTTP.get("http://127.0.0.1:\(port)/v1/cases/\(caseId.lowercased)", headers: auth(other)).status == 404)
    }

    /// (the field reported, where to change the notice, the new value as JSON)
    @Test("bad notices get field-level 422s and store nothing", arguments: [
        ("deceased.idNumber", ["deceased", "idNumber"], #""230883194103150244""#),
        ("deceased.mannerOfDeath", ["deceased", "mannerOfDeath"], #""unnatural""#),
        ("applicant.phone", ["applicant", "phone"], #""12345""#),
        ("commitments.truthful", ["commitments", "truthful"], "false"),
        ("requestedItems", ["requestedItems"], "[]"),
        ("deceased.sex", ["deceased", "sex"], "7"),
    ])
    func badNoticesAreRefused(field: String, path: [String], json: String) async throws {
        let (body, idNumber) = try TestNotices.fresh()
        var notice = try JSONSerialization.jsonObject(with: body) as! [String: Any]
        let value = try JSONSerialization.jsonObject(with: Data(json.utf8), options: .fragmentsAllowed)
        notice = Self.setting(path, to: value, in: notice)
        let reply = try await houshi.postNotice(try JSONSerialization.data(withJSONObject: notice))
        #expect(reply.status == 422)
        let fields = (reply.json?["fields"] as? [[String: Any]])?.compactMap { $0["field"] as? String } ?? []
        #expect(fields.contains(field), "\(fields)")
        #expect(try await houshi.infrastructure.count("SELECT count(*) AS count FROM intake.cases WHERE deceased_id_number = $1",
                                                      [idNumber]) == 0)
    }

    private func auth(_ token: String) -> [String: String] { ["Authorization": "Bearer \(token)"] }

    private static func setting(_ path: [String], to value: Any, in object: [String: Any]) -> [String: Any] {
        var object = object
        if path.count == 1 {
            object[path[0]] = value
        } else {
            object[path[0]] = setting(Array(path.dropFirst()), to: value, in: object[path[0]] as? [String: Any] ?? [:])
        }
        return object
    }
}
