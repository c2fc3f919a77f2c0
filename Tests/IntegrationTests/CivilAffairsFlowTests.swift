import Foundation
import HoushiContract
import Testing

/// Civil affairs over the real broker and database: certificates, pickups, cremations, and the
/// staff's decisions on held requests.
@Suite(.serialized)
final class CivilAffairsFlowTests {
    let houshi: Houshi
    let staffToken: String

    init() async throws {
        houshi = try await Houshi.start()
        try await houshi.admin(.civilAffairs, ["funeral-homes", "import",
                                               TestEnvironment.repository.appendingPathComponent("deploy/demo/funeral-homes.csv").path])
        staffToken = try await houshi.operatorToken(.civilAffairs, name: "刘馆员")
    }

    @Test("a pickup request gets one certificate, the pickup is confirmed, the cremation recorded and published")
    func pickupToCremation() async throws {
        let caseId = try await houshi.postFreshNotice()
        try await waitForCremation(caseId, "done")
        let number = try #require(try await certificateNumber(caseId))
        #expect(number.hasPrefix("HZ-FY01-"))

        // The request again as a new message: still one certificate, nothing published again.
        try await republishRequest(caseId)
        #expect(try await count("SELECT count(*) AS count FROM civil_affairs.cremation_certificates WHERE case_id = $1::uuid",
                                caseId) == 1)
        #expect(try await count("""
            SELECT count(*) AS count FROM civil_affairs.outbox WHERE case_id = $1::uuid AND routing_key = 'cremation.certified.v1'
            """, caseId) == 1)

        let pickups = try await staffCall("GET", "/v1/pickups?date=2026-11-28")
        let entry = try #require((pickups.json?["pickups"] as? [[String: Any]])?.first { $0["caseId"] as? String == caseId.lowercased })
        #expect(entry["address"] as? String == "抚远市人民医院住院部")
        #expect(entry["requestedAt"] as? String == "2026-11-28T14:00:00+08:00")
        #expect(try await staffCall("GET", "/v1/pickups?date=28-11-2026").status == 422)
        #expect(pickups.json?["date"] as? String == "2026-11-28" && pickups.json?["pageSize"] as? Int == 100)
        #expect((pickups.json?["total"] as? Int ?? 0) >= 1)
        let invalid = try await staffCall("GET", "/v1/pickups?date=x&page=-1")
        #expect(invalid.status == 422)
        #expect(String(decoding: invalid.body, as: UTF8.self).contains(#""field":"page""#))
        #expect(try await staffCall("POST", "/v1/pickups/\(caseId.lowercased)/confirm", token: "wrong").status == 401)
        #expect(try await staffCall("POST", "/v1/pickups/\(caseId.lowercased)/confirm").status == 200)
        #expect(try await staffCall("POST", "/v1/pickups/\(caseId.lowercased)/confirm").status == 409)

        let bad = try await staffCall("POST", "/v1/cremations/\(caseId.lowercased)",
                                      body: ["crematedAt": "2026-11-27T10:00:00+08:00",
                                             "ashes": ["placement": "commercial-cemetery", "placeName": ""]])
        #expect(bad.status == 422)
        #expect((bad.json?["fields"] as? [[String: Any]])?.compactMap { $0["field"] as? String } == ["crematedAt", "ashes.placeName"])
        #expect(try await staffCall("POST", "/v1/cremations/\(caseId.lowercased)",
                                    body: ["crematedAt": "2026-11-29", "ashes": [:]]).status == 422)
        let recorded = try await staffCall("POST", "/v1/cremations/\(caseId.lowercased)",
                                           body: ["crematedAt": "2026-11-29T09:30:00+08:00",
                                                  "ashes": ["placement": "commercial-cemetery", "placeName": "抚远市福寿园公墓"]])
        #expect(recorded.status == 201)
        #expect(recorded.json?["certificateNumber"] as? String == number)
        try await eventually("intake to show cremation.completed") {
            try await count("SELECT count(*) AS count FROM intake.case_events WHERE case_id = $1::uuid AND type = 'cremation.completed.v1'",
                            caseId) == 1
        }
        #expect(try await staffCall("POST", "/v1/cremations/\(caseId.lowercased)",
                                    body: ["crematedAt": "2026-11-29T09:30:00+08:00",
                                           "ashes": ["placement": "commercial-cemetery", "placeName": "抚远市福寿园公墓"]]).status == 409)
    }

    @Test("staff assigned to a funeral home see and record only its work; the bureau's see every home's")
    func staffSeeOnlyTheirFuneralHome() async throws {
        let csv = FileManager.default.temporaryDirectory.appendingPathComponent("funeral-homes-\(UUID()).csv")
        try "code,name,local,address,takes_pickups\nFY02,抚远市第二殡仪馆,true,黑龙江省抚远市寒葱沟镇,false\n"
            .write(to: csv, atomically: true, encoding: .utf8)
        try await houshi.admin(.civilAffairs, ["funeral-homes", "import", csv.path])
        let suffix = UUID().lowercased.prefix(8)
        let name = "二馆员-\(suffix)"
        let token = try await houshi.operatorToken(.civilAffairs, name: name)
        _ = try await houshi.admin(.civilAffairs, ["funeral-homes", "assign", "--operator", name, "--code", "FY02"])
        let caseId = try await houshi.postFreshNotice()   // taken to FY01
        try await waitForCremation(caseId, "done")
        let id = caseId.lowercased
        let listed = { (token: String?) -> [[String: Any]] in
            try await self.staffCall("GET", "/v1/pickups?date=2026-11-28", token: token).json?["pickups"] as? [[String: Any]] ?? []
        }
        let cremation: [String: Any] = ["crematedAt": "2026-11-29T09:30:00+08:00",
                                        "ashes": ["placement": "funeral-home", "placeName": "抚远市殡仪馆"]]

        // FY02's operator: none of FY01's pickups, and neither confirms nor records FY01's work.
        #expect(try await listed(token).allSatisfy { $0["funeralHome"] as? String == "FY02" })
        #expect(try await staffCall("POST", "/v1/pickups/\(id)/confirm", token: token).status == 404)
        #expect(try await staffCall("POST", "/v1/cremations/\(id)", body: cremation, token: token).status == 404)
        // The bureau's operator, assigned to no home, sees it.
        #expect(try await listed(nil).contains { $0["caseId"] as? String == id })

        // An officer of FY02 on the pages: not in the day's list, no certificate, no cremation form.
        let output = try await houshi.admin(.civilAffairs, ["officers", "add", "--name", "二馆经办", "--role", "clerk",
                                                           "--login", "fy02-\(suffix)"])
        let password = try #require(output.split(separator: "\n").first { $0.hasPrefix("password: ") }?.dropFirst(10)).description
        _ = try await houshi.admin(.civilAffairs, ["funeral-homes", "assign", "--officer", "fy02-\(suffix)", "--code", "FY02"])
        let console = "\(try houshi.address(of: .civilAffairs))/minzheng"
        let session = try StaffPagesTests.sessionCookie(try await StaffPagesTests.signIn(at: console, "fy02-\(suffix)", password))
        let page = { (path: String) in try await HTTP.get(console + path, headers: ["Cookie": session]) }
        let number = try #require(try await certificateNumber(caseId))
        let day = try await page("/pickups?date=2026-11-28")
        #expect(day.status == 200)
        #expect(!String(decoding: day.body, as: UTF8.self).contains(number))
        #expect(try await page("/certificates/\(id)").status == 404)
        #expect(try await page("/cremations/\(id)").status == 404)

        // Assigned to FY01 instead: the case is theirs.
        _ = try await houshi.admin(.civilAffairs, ["funeral-homes", "assign", "--operator", name, "--code", "FY01"])
        #expect(try await listed(token).contains { $0["caseId"] as? String == id })
        #expect(try await staffCall("POST", "/v1/pickups/\(id)/confirm", token: token).status == 200)
        _ = try await houshi.admin(.civilAffairs, ["funeral-homes", "assign", "--officer", "fy02-\(suffix)", "--code", "FY01"])
        #expect(String(decoding: try await page("/pickups?date=2026-11-28").body, as: UTF8.self).contains(number))
        #expect(try await page("/certificates/\(id)").status == 200)
        // Civil affairs' audit trail has the lists that showed the case (the bureau's operator's, then
        // FY01's, then the officer's page) and the certificate page; another home's lists and 404s
        // read nothing.
        let reads = try await houshi.admin(.civilAffairs, ["audit", "reads", "--case", id])
            .split(separator: "\n").dropFirst().map { $0.split(separator: "\t").map(String.init) }
        #expect(reads.map { [$0[1], $0[2], $0[4]] } == [[id, "operator", "list"], [id, "operator", "list"],
                                                        [id, "officer", "list"], [id, "officer", "certificate page"]],
                "\(reads)")
        #expect(reads.count == 4 && reads[1][3] == name, "the operator is named")
        #expect(reads.last.map { UUID(uuidString: $0[3]) != nil } == true, "the reader is the officer's account id")

        // Unassigned: every home's again; what cannot be assigned is refused.
        #expect(try await houshi.admin(.civilAffairs, ["funeral-homes", "unassign", "--operator", name])
            .contains("sees every funeral home's work"))
        for refused in [["assign", "--operator", "nobody-\(suffix)", "--code", "FY01"],
                        ["assign", "--operator", name, "--code", "NOWHERE"],
                        ["assign", "--operator", name, "--officer", "fy02-\(suffix)", "--code", "FY01"],
                        ["unassign", "--operator", name]] {
            await #expect(throws: (any Error).self, "\(refused)") {
                try await self.houshi.admin(.civilAffairs, ["funeral-homes"] + refused)
            }
        }
    }

    @Test("a body cremated outside the city is rejected: funeral-home-not-local")
    func nonLocalFuneralHomeIsRejected() async throws {
        let caseId = try await houshi.postFreshNotice(try TestNotices.fresh(atFuneralHome: "佳木斯市殡仪馆"))
        try await waitForCremation(caseId, "rejected")
        #expect(try await certificateNumber(caseId) == nil)
    }

    @Test("an unknown funeral home is held, and the staff's approval certifies at the home they name")
    func unknownFuneralHomeIsHeldThenApproved() async throws {
        let caseId = try await houshi.postFreshNotice(try TestNotices.fresh(atFuneralHome: "抚远殡仪馆"))
        try await waitForCremation(caseId, "held")
        let held = try await staffCall("GET", "/v1/held")
        #expect((held.json?["held"] as? [[String: Any]])?.contains {
            $0["caseId"] as? String == caseId.lowercased && $0["reasonCode"] as? String == "unknown-funeral-home"
        } == true)
        let reads = try await houshi.admin(.civilAffairs, ["audit", "reads", "--case", caseId.lowercased])
        #expect(reads.split(separator: "\n").contains { $0.contains("\toperator\t") && $0.hasSuffix("\tlist") },
                "the operator's list is recorded as a read of the case: \(reads)")
        #expect(try await staffCall("POST", "/v1/held/\(caseId.lowercased)/approve",
                                    body: ["reason": "即抚远市殡仪馆", "funeralHomeCode": "JMS01"]).status == 422)
        #expect(try await staffCall("POST", "/v1/held/\(caseId.lowercased)/approve",
                                    body: ["reason": "即抚远市殡仪馆", "funeralHomeCode": "FY01"]).status == 200)
        try await waitForCremation(caseId, "done")
        #expect(try await certificateNumber(caseId)?.hasPrefix("HZ-FY01-") == true)
    }

    @Test("a pickup before the death is held, and the staff's rejection sends it offline")
    func contradictoryPickupIsHeldThenRejected() async throws {
        // Intake refuses such a notice itself; another producer's message still gets a careful answer.
        let caseId = UUID()
        var request = try JSONSerialization.jsonObject(with: try houshi.fixture("cremation.requested.v1", caseId: caseId))
            as! [String: Any]
        var payload = request["payload"] as! [String: Any]
        payload["body"] = ["atFuneralHome": false, "pickupAddress": "抚远市人民医院住院部", "pickupAt": "2026-11-27T14:00:00+08:00"]
        request["payload"] = payload
        try await houshi.infrastructure.publish(routingKey: MessageType.cremationRequested.routingKey,
                                                body: try JSONSerialization.data(withJSONObject: request))
        try await eventually("the request to be held") {
            try await count("SELECT count(*) AS count FROM civil_affairs.held_items WHERE case_id = $1::uuid AND reason_code = 'pickup-before-death'",
                            caseId) == 1
        }
        #expect(try await staffCall("POST", "/v1/held/\(caseId.lowercased)/reject", body: ["reason": ""]).status == 422)
        #expect(try await staffCall("POST", "/v1/held/\(caseId.lowercased)/reject", body: ["reason": "家属未能确认接运时间"]).status == 200)
        #expect(try await count("""
            SELECT count(*) AS count FROM civil_affairs.held_items
            WHERE case_id = $1::uuid AND status = 'rejected' AND decided_by = '刘馆员'
            """, caseId) == 1)
        #expect(try await count("""
            SELECT count(*) AS count FROM civil_affairs.outbox WHERE case_id = $1::uuid AND routing_key = 'cremation.rejected.v1'
            """, caseId) == 1)
    }

    // MARK: Helpers

    @Test("a walk-in recorded while the notice is being handled: one certificate, the walk-in's")
    func walkInAndNoticeAtOnceGiveOneCertificate() async throws {
        let notice = try TestNotices.fresh(items: ["cremation"])
        let walkInNumber = "HZ-RACE-\(UUID().lowercased.prefix(8))"
        // The funeral home's page, as a transaction that takes the deceased's lock first and
        // commits its walk-in three seconds later; the notice arrives in between.
        let infrastructure = houshi.infrastructure
        let funeralHomePage = Task {
            try await infrastructure.infra(["psql", "-v", "ON_ERROR_STOP=1", "-c", """
                BEGIN;
                SELECT pg_advisory_xact_lock(hashtextextended('houshi.cremation:' || upper('\(notice.idNumber)'), 0));
                SELECT pg_sleep(3);
                INSERT INTO civil_affairs.walk_ins (id, deceased_id_number, deceased_name, death_certificate_number,
                    checked, funeral_home_code, certificate_number, recorded_by)
                VALUES (gen_random_uuid(), upper('\(notice.idNumber)'), '王桂兰', 'T-RACE', '死亡证明原件', 'FY01',
                        '\(walkInNumber)', 'race-test');
                COMMIT;
                """])
        }
        try await Task.sleep(for: .milliseconds(500))
        let caseId = try await houshi.postFreshNotice(notice)
        try await funeralHomePage.value
        try await waitForCremation(caseId, "done")
        #expect(try await certificateNumber(caseId) == walkInNumber, "the notice joined the walk-in's certificate")
        #expect(try await count("""
            SELECT count(*) AS count FROM civil_affairs.walk_ins WHERE certificate_number = '\(walkInNumber)' AND case_id = $1::uuid
            """, caseId) == 1)
        #expect(try await count("SELECT count(*) AS count FROM civil_affairs.cremation_certificates WHERE case_id = $1::uuid",
                                caseId) == 1)
    }

    private func waitForCremation(_ caseId: UUID, _ status: String) async throws {
        try await eventually("cremation to be \(status) in the case view") {
            try await houshi.itemStatus(caseId: caseId, item: .cremation) == status
        }
    }

    private func certificateNumber(_ caseId: UUID) async throws -> String? {
        try await houshi.infrastructure.database.withConnection { db in
            try db.execute("SELECT number FROM civil_affairs.cremation_certificates WHERE case_id = $1", [caseId]).first?["number"]
        }
    }

    private func republishRequest(_ caseId: UUID) async throws {
        let body = try await houshi.infrastructure.database.withConnection { db in
            try db.execute("SELECT convert_from(body, 'UTF8') AS body FROM intake.outbox WHERE case_id = $1 AND routing_key = $2",
                           [caseId, MessageType.cremationRequested.routingKey]).first.map { try $0.string("body") } ?? ""
        }
        var envelope = try JSONSerialization.jsonObject(with: Data(body.utf8)) as! [String: Any]
        let id = UUID().lowercased
        envelope["id"] = id
        try await houshi.infrastructure.publish(routingKey: MessageType.cremationRequested.routingKey,
                                                body: try JSONSerialization.data(withJSONObject: envelope))
        try await eventually("the repeated request to be handled") {
            try await houshi.infrastructure.count("SELECT count(*) AS count FROM civil_affairs.inbox WHERE message_id = $1::uuid",
                                                  [id]) == 1
        }
    }

    private func count(_ sql: String, _ caseId: UUID) async throws -> Int {
        try await houshi.infrastructure.count(sql, [caseId.lowercased])
    }

    private func staffCall(_ method: String, _ path: String, body: [String: Any]? = nil,
                           token: String? = nil) async throws -> HTTP.Reply {
        var headers = ["Authorization": "Bearer \(token ?? staffToken)"]
        if body != nil { headers["Content-Type"] = "application/json" }
        return try await HTTP.send(method, "\(try houshi.address(of: .civilAffairs))\(path)",
                                   headers: headers, body: try body.map { try JSONSerialization.data(withJSONObject: $0) })
    }
}
