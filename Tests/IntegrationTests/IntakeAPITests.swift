import Crypto
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
        let reply = try await HTTP.get("\(try houshi.address(of: .intake))/openapi.yaml")
        #expect(reply.status == 200)
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("openapi-\(UUID()).yaml")
        try reply.body.write(to: file)
        defer { try? FileManager.default.removeItem(at: file) }
        try await runCommand(URL(fileURLWithPath: "/usr/bin/env"),
                             ["python3", "-m", "openapi_spec_validator", file.path], environment: [:])
        // Every operation is named, so that a generated client's calls read as what they do.
        let unnamed = try await runCommand(URL(fileURLWithPath: "/usr/bin/env"), ["python3", "-c", """
            import sys, yaml
            paths = yaml.safe_load(open(sys.argv[1]))["paths"]
            print(" ".join(f"{verb.upper()} {path}" for path, verbs in paths.items() for verb, operation in verbs.items()
                           if verb in ("get", "post", "put", "patch", "delete") and "operationId" not in operation))
            """, file.path], environment: [:])
        #expect(unnamed.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty, "without an operationId: \(unnamed)")
    }

    @Test("an institution lists its own cases, paged and by status, and sees no other's")
    func casesAreListedPerInstitution() async throws {
        let caseId = try await houshi.postFreshNotice()
        let intake = try houshi.address(of: .intake)
        let mine = try await HTTP.get("\(intake)/v1/cases?page=1", headers: auth(houshi.token))
        #expect(mine.status == 200)
        let cases = try #require(mine.json?["cases"] as? [[String: Any]])
        #expect(cases.first?["caseId"] as? String == caseId.lowercased)   // newest first
        #expect(cases.count <= 20)
        #expect((mine.json?["total"] as? Int ?? 0) >= 1)
        #expect(try await HTTP.get("\(intake)/v1/cases?status=lost", headers: auth(houshi.token)).status == 422)
        #expect(try await HTTP.get("\(intake)/v1/cases?page=0", headers: auth(houshi.token)).status == 422)
        #expect(try await HTTP.get("\(intake)/v1/cases").status == 401)

        let otherCode = "OTHER-\(UUID().lowercased)"
        let other = try await houshi.admin(.intake, ["institutions", "add", "--code", otherCode,
                                                     "--name", "另一医院"]).trimmingCharacters(in: .whitespacesAndNewlines)
        let theirs = try await HTTP.get("\(intake)/v1/cases", headers: auth(other))
        #expect((theirs.json?["cases"] as? [Any])?.isEmpty == true)
        #expect(try await HTTP.get("\(intake)/v1/cases/\(caseId.lowercased)", headers: auth(other)).status == 404)

        // A token stops working when it expires or is revoked, at once; `list` shows which.
        _ = try await houshi.infrastructure.database.withConnection { db in
            try db.execute("UPDATE intake.institutions SET token_expires_at = now() - interval '1 second' WHERE code = $1", [otherCode])
        }
        #expect(try await HTTP.get("\(intake)/v1/cases", headers: auth(other)).status == 401)
        #expect(try await houshi.admin(.intake, ["institutions", "list"]).contains("\(otherCode)\t另一医院\tlocal\texpired\t"))
        let renewed = try await houshi.admin(.intake, ["institutions", "add", "--code", otherCode, "--name", "另一医院"])
            .split(separator: "\n").first { $0.hasPrefix("hs_") }.map(String.init) ?? ""
        #expect(try await HTTP.get("\(intake)/v1/cases", headers: auth(renewed)).status == 200)
        _ = try await houshi.admin(.intake, ["institutions", "revoke", "--code", otherCode])
        #expect(try await HTTP.get("\(intake)/v1/cases", headers: auth(renewed)).status == 401)
        #expect(try await houshi.admin(.intake, ["institutions", "list"]).contains("\(otherCode)\t另一医院\tlocal\trevoked\t"))

        // Every read is recorded, and only reads: the list that showed the case, then the case;
        // the other institution's list and 404 are not.
        #expect(try await HTTP.get("\(intake)/v1/cases/\(caseId.lowercased)", headers: auth(houshi.token)).status == 200)
        let reads = try await houshi.admin(.intake, ["audit", "reads", "--case", caseId.lowercased])
        let lines = reads.split(separator: "\n").filter { $0.contains("\t") }.map { $0.split(separator: "\t").map(String.init) }
        #expect(lines.first == ["read_at", "case_id", "reader_kind", "reader", "view"])
        #expect(lines.dropFirst().map { Array($0.dropFirst()) } == [[caseId.lowercased, "institution", "TEST-HOSPITAL", "list"],
                                                                    [caseId.lowercased, "institution", "TEST-HOSPITAL", "api case view"]],
                "\(reads)")
        #expect(lines.dropFirst().first?.first?.hasSuffix("+08:00") == true)
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
        let value = try JSONSerialization.jsonObject(with: Data(json.utf8), options: .fragmentsAllowed)
        let reply = try await houshi.postNotice(try TestNotices.changing(body, path, to: value))
        #expect(reply.status == 422)
        let fields = (reply.json?["fields"] as? [[String: Any]])?.compactMap { $0["field"] as? String } ?? []
        #expect(fields.contains(field), "\(fields)")
        #expect(try await houshi.infrastructure.count("SELECT count(*) AS count FROM intake.cases WHERE deceased_id_number = $1",
                                                      [idNumber]) == 0)
    }

    @Test("adding an institution again says its old token is revoked, and the old token gets 401")
    func reKeyingAnInstitutionSaysSo() async throws {
        let code = "REKEY-\(UUID().lowercased)"
        let add = ["institutions", "add", "--code", code, "--name", "复核医院"]
        let first = try await houshi.admin(.intake, add)
        #expect(!first.contains("registered before"))
        let oldToken = first.trimmingCharacters(in: .whitespacesAndNewlines)
        let second = try await houshi.admin(.intake, add)
        #expect(second.contains("institution \(code) was registered before: its old token no longer works"), "\(second)")
        #expect(second.contains("旧令牌已作废"))
        let intake = try houshi.address(of: .intake)
        #expect(try await HTTP.get("\(intake)/v1/cases", headers: auth(oldToken)).status == 401)
        let newToken = try #require(second.split(separator: "\n").first { $0.hasPrefix("hs_") })
        #expect(try await HTTP.get("\(intake)/v1/cases", headers: auth(String(newToken))).status == 200)
        let help = try await houshi.admin(.intake, ["institutions", "add", "--help"])
        #expect(help.split(whereSeparator: \.isWhitespace).joined(separator: " ")
            .contains("replaces the old one, which stops working at once"), "\(help)")
    }

    @Test("errors name the field, the allowed values or the position, in English and Chinese, never a type")
    func errorsSayWhatToFix() async throws {
        let (body, _) = try TestNotices.fresh()
        func firstField(_ reply: HTTP.Reply) -> [String: String] {
            ((reply.json?["fields"] as? [[String: Any]])?.first as? [String: String]) ?? [:]
        }

        let badSex = try await houshi.postNotice(try TestNotices.changing(body, ["deceased", "sex"], to: "F"))
        #expect(badSex.status == 422)
        #expect(firstField(badSex) == ["field": "deceased.sex", "message": "must be one of male, female (got \"F\")",
                                       "messageZh": "须为以下取值之一：male、female（收到“F”）"])
        #expect(badSex.json?["messageZh"] as? String == "请求有误")

        let truncated = try await houshi.postNotice(body.prefix(40))
        #expect(truncated.status == 422)
        #expect(firstField(truncated)["message"]?.hasPrefix("is not valid JSON: ") == true, "\(firstField(truncated))")
        #expect(firstField(truncated)["message"]?.contains("(byte ") == true, "\(firstField(truncated))")
        #expect(firstField(truncated)["messageZh"]?.contains("字节）处") == true, "\(firstField(truncated))")

        var misspelt = try JSONSerialization.jsonObject(with: body) as! [String: Any]
        misspelt["deceasd"] = misspelt.removeValue(forKey: "deceased")
        let renamed = try await houshi.postNotice(try JSONSerialization.data(withJSONObject: misspelt))
        #expect(firstField(renamed) == ["field": "deceased", "message": "is required (the body has \"deceasd\": a misspelling of \"deceased\"?)",
                                        "messageZh": "为必填项（请求中有“deceasd”，是否为“deceased”的误写？）"])

        let intake = try houshi.address(of: .intake)
        let unauthorized = try await HTTP.post("\(intake)/v1/death-notices",
                                               headers: ["Authorization": "Bearer not-a-token", "Content-Type": "application/json"],
                                               body: body)
        #expect(unauthorized.status == 401)
        #expect(unauthorized.json?["messageZh"] as? String == "需要医疗机构的有效令牌（过期、作废或已被新令牌取代的令牌无效）")
        for reply in [badSex, truncated, renamed, unauthorized] {
            let text = String(decoding: reply.body, as: UTF8.self)
            #expect(!["Swift", "Cannot initialize", "CodingKeys", "Dictionary", "String value"].contains { text.contains($0) }, "\(text)")
        }
    }

    @Test("attachments are stored with their SHA-256, sealed, verifiable with the public key, and referenced by requests")
    func attachmentsAreSealed() async throws {
        let (body, _) = try TestNotices.fresh(items: ["hukou"])
        var notice = try JSONSerialization.jsonObject(with: body) as! [String: Any]
        let pdf = Data("%PDF-1.4 死亡医学证明 scan".utf8)
        notice["attachments"] = [["kind": "death-certificate-scan", "contentType": "application/pdf",
                                  "data": pdf.base64EncodedString()]]
        let caseId = try await houshi.postFreshNotice((try JSONSerialization.data(withJSONObject: notice), ""))

        // The request to public security references the stored file by id, digest and seal.
        let request = try await houshi.infrastructure.database.withConnection { db in
            try db.execute("""
                SELECT convert_from(body, 'UTF8')::jsonb->'payload'->'attachments'->0 AS reference,
                       (SELECT encode(sha256(data), 'hex') FROM intake.attachments WHERE case_id = $1) AS digest
                FROM intake.outbox WHERE case_id = $1 AND routing_key = 'hukou.cancellation-requested.v1'
                """, [caseId]).first
        }
        let reference = try #require(request?["reference"].flatMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) }
            as? [String: Any])
        #expect(reference["sha256"] as? String == request?["digest"])
        #expect(reference["kind"] as? String == "death-certificate-scan")

        let intake = try houshi.address(of: .intake)
        // Verified independently, with Python's cryptography package, as SECURITY.md tells a
        // department to: the key by the reference's id from /v1/seal/public-keys, the text from
        // its template. The same script first checks SECURITY.md's worked example.
        let keys = try await HTTP.get("\(intake)/v1/seal/public-keys")
        let keyId = try #require(reference["sealKeyId"] as? String)
        #expect(keys.json?["current"] as? String == keyId)
        try await runCommand(URL(fileURLWithPath: "/usr/bin/env"), ["python3", "-c", """
            import base64, json, re, sys
            from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
            def verify(public_key, template, reference, seal):
                key = Ed25519PublicKey.from_public_bytes(base64.b64decode(public_key))
                key.verify(base64.b64decode(seal), template.format(**reference).encode())
            document = open(sys.argv[1], encoding="utf-8").read()
            example = json.loads(re.search(r"```json\\n(.*?)```", document, re.S).group(1))
            verify(example["publicKey"], "{caseId}\\n{kind}\\n{sha256}", example, example["seal"])
            keys = json.loads(sys.argv[2])
            reference = json.loads(sys.argv[3])
            public_key = next(k["publicKey"] for k in keys["keys"] if k["id"] == reference["sealKeyId"])
            verify(public_key, keys["signedText"], reference, reference["seal"])
            """, TestEnvironment.repository.appendingPathComponent("SECURITY.md").path,
            String(decoding: keys.body, as: UTF8.self),
            String(decoding: try JSONSerialization.data(withJSONObject: reference.merging(["caseId": caseId.lowercased]) { $1 }),
                   as: UTF8.self)], environment: [:])

        // A later upload of the household booklet.
        let png = Data([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 1, 2, 3])
        let url = "\(intake)/v1/cases/\(caseId.lowercased)/attachments?kind=household-booklet"
        let uploaded = try await HTTP.post(url, headers: ["Authorization": "Bearer \(houshi.token)", "Content-Type": "image/png"],
                                           body: png)
        #expect(uploaded.status == 201)
        #expect((uploaded.json?["sha256"] as? String)?.count == 64)
        #expect(try await HTTP.post(url, headers: ["Authorization": "Bearer \(houshi.token)", "Content-Type": "image/png"],
                                    body: Data("not a png".utf8)).status == 422)
        #expect(try await HTTP.post(url, headers: ["Authorization": "Bearer \(houshi.token)", "Content-Type": "text/plain"],
                                    body: Data("hello".utf8)).status == 415)
        #expect(try await HTTP.post(url.replacingOccurrences(of: "household-booklet", with: "selfie"),
                                    headers: ["Authorization": "Bearer \(houshi.token)", "Content-Type": "image/png"],
                                    body: png).status == 422)
    }

    @Test("a private key an earlier release kept in the schema leaves it, and its seals still verify by id")
    func storedSealKeyIsRetired() async throws {
        let caseId = try await houshi.postFreshNotice()
        let old = Curve25519.Signing.PrivateKey()
        let oldId = "ed25519-" + SHA256.hash(data: old.publicKey.rawRepresentation).map { String(format: "%02x", $0) }
            .joined().prefix(16)
        let sha256 = String(repeating: "ab", count: 32)
        let seal = try old.signature(for: Data("\(caseId.lowercased)\nid-card\n\(sha256)".utf8)).base64EncodedString()
        let attachment = UUID()
        _ = try await houshi.infrastructure.database.withConnection { db in
            try db.execute("""
                CREATE TABLE intake.seal_keys (id integer PRIMARY KEY CHECK (id = 1), private_key bytea NOT NULL,
                                               created_at timestamptz NOT NULL DEFAULT now())
                """)
            try db.execute("ALTER TABLE intake.seal_keys OWNER TO intake")
            try db.execute("INSERT INTO intake.seal_keys (id, private_key) VALUES (1, $1)", [old.rawRepresentation])
            try db.execute("""
                INSERT INTO intake.attachments (id, case_id, kind, content_type, size, sha256, seal, data)
                VALUES ($1, $2, 'id-card', 'image/png', 1, $3, $4, '\\x00')
                """, [attachment, caseId, sha256, seal])
        }
        await houshi.services[.intake]?.terminate()
        try await houshi.start(.intake)

        #expect(try await houshi.infrastructure.count(
            "SELECT count(*) AS count FROM pg_tables WHERE schemaname = 'intake' AND tablename = 'seal_keys'", []) == 0)
        #expect(try await houshi.infrastructure.count(
            "SELECT count(*) AS count FROM intake.attachments WHERE id = $1 AND seal_key_id = $2", [attachment.lowercased, oldId]) == 1)
        let keys = try await HTTP.get("\(try houshi.address(of: .intake))/v1/seal/public-keys").json
        let listed = (keys?["keys"] as? [[String: Any]] ?? []).first { $0["id"] as? String == oldId }
        #expect(listed?["publicKey"] as? String == old.publicKey.rawRepresentation.base64EncodedString())
        #expect(keys?["current"] as? String != oldId)
    }

    private func auth(_ token: String) -> [String: String] { ["Authorization": "Bearer \(token)"] }
}
