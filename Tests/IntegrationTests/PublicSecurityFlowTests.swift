import Foundation
import HoushiContract
import Testing

/// Public security over the real broker and database: each outcome of a cancellation request,
/// officers' decisions on held ones, and the register import.
@Suite(.serialized)
final class PublicSecurityFlowTests {
    let houshi: Houshi
    let officerToken: String

    init() async throws {
        houshi = try await Houshi.start()
        officerToken = try await houshi.operatorToken(.publicSecurity, name: "张警官")
    }

    @Test("a registered resident's household registration is cancelled exactly once")
    func registeredResidentIsCancelled() async throws {
        let (caseId, idNumber) = try await postCase(registeredAs: "王桂兰", household: "H-\(UUID().lowercased)")
        try await waitForHukou(caseId, "done")
        #expect(try await count("SELECT count(*) AS count FROM public_security.cancellations WHERE case_id = $1::uuid",
                                caseId.lowercased) == 1)
        #expect(try await count("SELECT count(*) AS count FROM public_security.residents WHERE id_number = $1 AND status = 'cancelled'",
                                idNumber) == 1)

        // The same request again, as a new message: nothing is cancelled twice, nothing published twice.
        let request = try await houshi.infrastructure.database.withConnection { db in
            try db.execute("SELECT convert_from(body, 'UTF8') AS body FROM intake.outbox WHERE case_id = $1 AND routing_key = $2",
                           [caseId, MessageType.hukouCancellationRequested.routingKey]).first.map { try $0.string("body") } ?? ""
        }
        var envelope = try JSONSerialization.jsonObject(with: Data(request.utf8)) as! [String: Any]
        envelope["id"] = UUID().lowercased
        let repeatId = envelope["id"] as! String
        try await houshi.infrastructure.publish(routingKey: MessageType.hukouCancellationRequested.routingKey,
                                                body: try JSONSerialization.data(withJSONObject: envelope))
        try await eventually("the repeated request to be handled") {
            try await count("SELECT count(*) AS count FROM public_security.inbox WHERE message_id = $1::uuid", repeatId) == 1
        }
        #expect(try await count("SELECT count(*) AS count FROM public_security.cancellations WHERE id_number = $1", idNumber) == 1)
        #expect(try await count("""
            SELECT count(*) AS count FROM public_security.outbox WHERE case_id = $1::uuid AND routing_key = 'hukou.cancelled.v1'
            """, caseId.lowercased) == 1)
    }

    @Test("someone not registered here is rejected: not-local-household")
    func notRegisteredIsRejected() async throws {
        let caseId = try await houshi.postFreshNotice()
        try await waitForHukou(caseId, "rejected")
        let reasonCode = try await houshi.infrastructure.database.withConnection { db in
            try db.execute("SELECT result->>'reasonCode' AS code FROM intake.case_items WHERE case_id = $1 AND item = 'hukou'",
                           [caseId]).first?["code"]
        }
        #expect(reasonCode == "not-local-household")
    }

    @Test("a name that differs from the register is held, and an officer's approval cancels it")
    func nameMismatchIsHeldThenApproved() async throws {
        let (caseId, idNumber) = try await postCase(registeredAs: "王桂芝", household: "H-\(UUID().lowercased)")
        try await waitForHukou(caseId, "held")
        let held = try await operatorCall("GET", "/v1/held")
        #expect(held.status == 200)
        let entry = try #require((held.json?["held"] as? [[String: Any]])?.first { $0["caseId"] as? String == caseId.lowercased })
        #expect(held.json?["page"] as? Int == 1 && held.json?["pageSize"] as? Int == 50)
        #expect((held.json?["total"] as? Int ?? 0) >= 1)
        let beyond = try await operatorCall("GET", "/v1/held?page=1000")
        #expect((beyond.json?["held"] as? [Any])?.isEmpty == true && beyond.json?["total"] as? Int == held.json?["total"] as? Int)
        #expect(try await operatorCall("GET", "/v1/held?page=0").status == 422)
        #expect(entry["reasonCode"] as? String == "name-mismatch")
        #expect(entry["overdue"] as? Bool == false)
        #expect((entry["deadline"] as? String)?.hasSuffix("+08:00") == true)

        #expect(try await operatorCall("POST", "/v1/held/\(caseId.lowercased)/approve", body: ["reason": "核对"], token: "wrong").status == 401)
        #expect(try await operatorCall("POST", "/v1/held/\(caseId.lowercased)/approve", body: ["reason": " "]).status == 422)
        let approval = try await operatorCall("POST", "/v1/held/\(caseId.lowercased)/approve",
                                              body: ["reason": "户籍系统姓名录入错误，已核对身份证"])
        #expect(approval.status == 200)
        #expect(approval.json?["decidedBy"] as? String == "张警官")
        try await waitForHukou(caseId, "done")
        #expect(try await count("""
            SELECT count(*) AS count FROM public_security.cancellations
            WHERE id_number = $1 AND decided_by = '张警官' AND reason LIKE '户籍系统%'
            """, idNumber) == 1)
        // The decision's hukou.cancelled went out through the outbox publisher it was handed to,
        // not a relay after its claim.
        try await eventually("the decision's message to be marked sent") {
            try await count("""
                SELECT count(*) AS count FROM public_security.outbox
                WHERE case_id = $1::uuid AND routing_key = 'hukou.cancelled.v1' AND sent_at < claimed_until
                """, caseId.lowercased) == 1
        }
        #expect(try await operatorCall("POST", "/v1/held/\(caseId.lowercased)/approve", body: ["reason": "again"]).status == 409)
    }

    @Test("a household head with dependants is held, and an officer's rejection sends it offline")
    func householdHeadIsHeldThenRejected() async throws {
        let household = "H-\(UUID().lowercased)"
        let spouse = TestNotices.freshIDNumber(like: "230883196608020312")
        try await importRegister([[spouse, "李建国", household, "spouse", "黑龙江省抚远市通江路12号"]])
        let (caseId, _) = try await postCase(registeredAs: "王桂兰", household: household, relation: "head")
        try await waitForHukou(caseId, "held")
        let rejection = try await operatorCall("POST", "/v1/held/\(caseId.lowercased)/reject",
                                               body: ["reason": "需先办理户主变更"])
        #expect(rejection.status == 200)
        try await waitForHukou(caseId, "rejected")
        #expect(try await count("""
            SELECT count(*) AS count FROM public_security.held_items
            WHERE case_id = $1::uuid AND item = 'hukou' AND status = 'rejected' AND decided_by = '张警官'
            """, caseId.lowercased) == 1)
    }

    @Test("the register import loads good rows and reports bad ones by line")
    func importReportsBadRows() async throws {
        let good = [TestNotices.freshIDNumber(like: "230883194103150243"), TestNotices.freshIDNumber(like: "230883196608020312")]
        let csv = """
            id_number,name,household_number,relation_to_head,address
            \(good[0]),赵淑珍,H-IMPORT,head,"黑龙江省抚远市胜利街8号, 2单元"
            230883194103150244,钱明,H-IMPORT,child,胜利街8号
            \(good[1]),孙伟,H-IMPORT,cousin,胜利街8号
            \(good[1]),孙伟,H-IMPORT,child,胜利街8号
            """
        let error = await #expect(throws: CommandFailed.self) { try await self.importCSV(csv) }
        #expect(error?.status == 2)
        let output = error?.output ?? ""
        #expect(output.contains("line 3: id_number has a wrong check digit"), "\(output)")
        #expect(output.contains("line 4: relation_to_head must be one of"), "\(output)")
        #expect(output.contains("2 residents loaded, 2 rows skipped"), "\(output)")
        #expect(try await count("SELECT count(*) AS count FROM public_security.residents WHERE household_number = $1",
                                "H-IMPORT") == 2)
    }

    @Test("an import that gives a household a second head at another address warns, and still loads")
    func importWarnsAboutInconsistentHouseholds() async throws {
        let household = "H-\(UUID().lowercased)"
        let people = (0..<3).map { _ in TestNotices.freshIDNumber(like: "230883196608020312") }
        let first = try await importCSV("""
            id_number,name,household_number,relation_to_head,address
            \(people[0]),赵志强,\(household),head,文化路95号
            \(people[1]),赵秀英,\(household),spouse,文化路95号
            """)
        #expect(!first.contains("warning"), "\(first)")
        let second = try await importCSV("""
            id_number,name,household_number,relation_to_head,address
            \(people[2]),郭玉梅,\(household),head,滨江路150号
            """)
        #expect(second.contains("warning: household \(household) has 2 heads (2名户主) and 2 addresses (2个住址): 文化路95号 / 滨江路150号"),
                "\(second)")
        #expect(second.contains("1 residents loaded, 0 rows skipped"), "\(second)")
        #expect(try await count("SELECT count(*) AS count FROM public_security.residents WHERE household_number = $1",
                                household) == 3)
    }

    @Test("a file that is not there is named in plain words, not as a Foundation error")
    func missingFileIsNamed() async throws {
        let error = await #expect(throws: CommandFailed.self) {
            try await self.houshi.admin(.publicSecurity, ["register", "import", "/nonexistent/residents.csv"])
        }
        #expect(error?.output.contains("/nonexistent/residents.csv: no such file (文件不存在)") == true, "\(error?.output ?? "")")
        #expect(error?.output.contains("CocoaError") == false && error?.output.contains("Code=") == false)
    }

    // MARK: Helpers

    /// Registers a fresh resident under `name`, then posts a notice for them (as 王桂兰).
    private func postCase(registeredAs name: String, household: String,
                          relation: String = "parent") async throws -> (UUID, String) {
        let notice = try TestNotices.fresh()
        try await importRegister([[notice.idNumber, name, household, relation, "黑龙江省抚远市抚远镇通江路12号"]])
        return (try await houshi.postFreshNotice(notice), notice.idNumber)
    }

    private func importRegister(_ rows: [[String]]) async throws {
        try await importCSV((["id_number,name,household_number,relation_to_head,address"]
            + rows.map { $0.joined(separator: ",") }).joined(separator: "\n"))
    }

    @discardableResult
    private func importCSV(_ csv: String) async throws -> String {
        try await houshi.importCSV(.publicSecurity, ["register", "import"], csv)
    }

    private func waitForHukou(_ caseId: UUID, _ status: String) async throws {
        try await eventually("hukou to be \(status) in the case view") {
            try await houshi.itemStatus(caseId: caseId, item: .hukou) == status
        }
    }

    private func count(_ sql: String, _ parameter: String) async throws -> Int {
        try await houshi.infrastructure.count(sql, [parameter])
    }

    private func operatorCall(_ method: String, _ path: String, body: [String: String]? = nil,
                              token: String? = nil) async throws -> HTTP.Reply {
        var headers = ["Authorization": "Bearer \(token ?? officerToken)"]
        if body != nil { headers["Content-Type"] = "application/json" }
        return try await HTTP.send(method, "\(try houshi.address(of: .publicSecurity))\(path)",
                                   headers: headers, body: try body.map { try JSONSerialization.data(withJSONObject: $0) })
    }
}
