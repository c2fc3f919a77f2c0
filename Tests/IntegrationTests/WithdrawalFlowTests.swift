import Foundation
import HoushiContract
import Testing

/// Withdrawals over the real broker and database: a notice withdrawn after every department did
/// its work is undone in each of them (or held where it cannot be), and one withdrawn before the
/// departments saw its requests leaves nothing behind when they come.
@Suite(.serialized)
final class WithdrawalFlowTests {
    let houshi: Houshi
    let funeralStaffToken: String

    init() async throws {
        houshi = try await Houshi.start()
        funeralStaffToken = try await houshi.operatorToken(.civilAffairs, name: "刘馆员")
    }

    @Test("a case done everywhere is withdrawn: registration restored, certificate held as cremated, pension resumed, payments to recover")
    func doneCaseIsUndoneEverywhere() async throws {
        let (body, idNumber) = try TestNotices.fresh()
        try await houshi.registerForWholeFlow(idNumber: idNumber)
        // A living pensioner, so that the payment run below has a month the deceased's pension skipped.
        let living = TestNotices.freshIDNumber(like: "230883194103150243")
        try await houshi.importCSV(.socialSecurity, ["register", "import"], """
            id_number,name,insured_here,employer_type,retired,pension_start,monthly_pension_fen,paid_through,personal_account_balance_fen,medical_account_balance_fen,contribution_months,own_contributions_fen
            \(living),李秀芝,true,enterprise,true,2020-01,250000,2026-12,0,,360,
            """)
        let caseId = try await houshi.postFreshNotice((body, idNumber))
        for item in Item.allCases { try await waitFor(caseId, item, "done") }
        let recorded = try await civilAffairs("POST", "/v1/cremations/\(caseId.lowercased)", body: [
            "crematedAt": "2026-11-29T09:30:00+08:00", "ashes": ["placement": "commercial-cemetery", "placeName": "抚远市福寿园公墓"]])
        #expect(recorded.status == 201)
        // The next payment run pays the settled benefits (and skips the stopped pension).
        let run = try await houshi.admin(.socialSecurity, ["pay-month", "2030-01"])
        #expect(run.contains("settled pension benefits"), "\(run)")

        #expect(try await withdraw(caseId, reason: "").status == 422)
        #expect(try await withdraw(caseId, reason: "x", token: "hs_wrong").status == 401)
        #expect(try await withdraw(UUID(), reason: "逝者身份登记错误").status == 404)
        let withdrawn = try await withdraw(caseId, reason: "逝者身份登记错误，应为同名另一人")
        #expect(withdrawn.status == 202)
        #expect(withdrawn.json?["status"] as? String == "withdrawn")
        let withdrawal = try #require(withdrawn.json?["withdrawal"] as? [String: Any])
        #expect(withdrawal["reason"] as? String == "逝者身份登记错误，应为同名另一人")
        #expect(withdrawal["withdrawnBy"] as? String == "测试医院")
        #expect(try await withdraw(caseId, reason: "again").status == 200)

        for item in [Item.hukou, .pension, .medicalAccount] { try await waitFor(caseId, item, "reversed") }
        // Cremated before the withdrawal: nothing can undo it; the funeral home's staff record what they did.
        try await waitFor(caseId, .cremation, "held")
        let held = try await civilAffairs("GET", "/v1/held")
        let entry = try #require((held.json?["held"] as? [[String: Any]])?.first { $0["caseId"] as? String == caseId.lowercased })
        #expect(entry["reasonCode"] as? String == "cremated-before-withdrawal")
        #expect(try await civilAffairs("POST", "/v1/held/\(caseId.lowercased)/approve",
                                       body: ["reason": "已联系家属，骨灰由家属领回"]).status == 200)
        try await waitFor(caseId, .cremation, "reversed")
        try await eventually("the case to be marked reversed everywhere") {
            try await count("SELECT count(*) AS count FROM intake.cases WHERE case_id = $1::uuid AND reversed_at IS NOT NULL",
                            caseId) == 1
        }

        // Public security: the registration is active again, its cancellation kept as a reinstatement.
        #expect(try await count("""
            SELECT count(*) AS count FROM public_security.residents r JOIN public_security.reinstatements s USING (id_number)
            WHERE s.case_id = $1::uuid AND r.status = 'active' AND r.relation_to_head = 'head'
            """, caseId) == 1)
        #expect(try await count("SELECT count(*) AS count FROM public_security.cancellations WHERE case_id = $1::uuid", caseId) == 0)
        // Civil affairs: the certificate stays (the body was cremated), its pickup is not cancelled afterwards.
        #expect(try await count("""
            SELECT count(*) AS count FROM civil_affairs.held_items
            WHERE case_id = $1::uuid AND purpose = 'withdrawal' AND status = 'approved' AND decided_by = '刘馆员'
            """, caseId) == 1)
        // Social security: the pension active again with the skipped month due, the settlements
        // cancelled, and what was paid recorded to recover.
        #expect(try await value("SELECT pension_status AS value FROM social_security.insured_persons WHERE id_number = $1",
                                idNumber) == "active")
        let monthsDue = try await value("""
            SELECT array_to_string(months_due, ',') AS value FROM social_security.pension_resumptions WHERE case_id = $1::uuid
            """, caseId.lowercased) ?? ""
        // (the payment runs of other tests' months count as held back too: the database is shared)
        #expect(monthsDue.contains("2030-01"), "\(monthsDue)")
        #expect(try await count("""
            SELECT count(*) AS count FROM social_security.settlements WHERE case_id = $1::uuid AND cancelled_at IS NOT NULL
            """, caseId) == 2)
        let recoveries = try await value("""
            SELECT string_agg(item || ' ' || kind || ' ' || amount_fen, ',' ORDER BY item, kind) AS value
            FROM social_security.recoveries WHERE case_id = $1::uuid
            """, caseId.lowercased) ?? ""
        #expect(recoveries.contains("medical-account medical-account-balance 50000"), "\(recoveries)")
        #expect(recoveries.contains("pension funeral-grant "), "\(recoveries)")
        #expect(recoveries.contains("pension overpayment-deducted -300000"), "\(recoveries)")
        #expect(try await value("SELECT status AS value FROM social_security.medical_accounts WHERE id_number = $1",
                                idNumber) == "open")
        // The officers see what to recover on the settlement's page.
        let login = "renshe-\(UInt32.random(in: 0...UInt32.max))"
        let password = try #require(try await houshi.admin(.socialSecurity, ["officers", "add", "--name", "王科员", "--login", login])
            .split(separator: "\n").first { $0.hasPrefix("password: ") }?.dropFirst(10)).description
        let console = "\(try houshi.address(of: .socialSecurity))/renshe"
        let session = try StaffPagesTests.sessionCookie(try await StaffPagesTests.signIn(at: console, login, password))
        let page = String(decoding: try await HTTP.get("\(console)/settlements/\(caseId.lowercased)/pension",
                                                       headers: ["Cookie": session]).body, as: UTF8.self)
        #expect(page.contains("撤回与更正") && page.contains("逝者身份登记错误") && page.contains("待追回：丧葬补助金"),
                "\(page)")
        let nextRun = try await houshi.admin(.socialSecurity, ["pay-month", "2030-02"])
        #expect(!nextRun.contains("also paid: 0 months held back"), "\(nextRun)")
        #expect(try await houshi.infrastructure.count("""
            SELECT count(*) AS count FROM social_security.pension_payments WHERE id_number = $1 AND month IN ('2030-01', '2030-02')
            """, [idNumber]) == 2)

        // The family was told of the withdrawal and of its end; no cancellation text went after it.
        #expect(try await count("""
            SELECT count(*) AS count FROM intake.sms_messages
            WHERE case_id = $1::uuid AND cause IN ('withdrawn:' || $1, 'reversed:' || $1)
            """, caseId) == 2)

        // The withdrawal delivered again, as a new message: every department undoes nothing more.
        try await republish(.deathVoided, caseId: caseId, to: [.publicSecurity, .civilAffairs, .socialSecurity])
        #expect(try await count("""
            SELECT (SELECT count(*) FROM public_security.outbox WHERE case_id = $1::uuid AND routing_key LIKE '%.reversed.v1')
                 + (SELECT count(*) FROM civil_affairs.outbox WHERE case_id = $1::uuid AND routing_key LIKE '%.reversed.v1')
                 + (SELECT count(*) FROM social_security.outbox WHERE case_id = $1::uuid AND routing_key LIKE '%.reversed.v1')
                AS count
            """, caseId) == 4)
        #expect(try await count("SELECT count(*) AS count FROM public_security.reinstatements WHERE case_id = $1::uuid", caseId) == 1)
    }

    @Test("a withdrawal that reaches the departments before the requests leaves nothing behind when they come")
    func withdrawalBeforeRequests() async throws {
        let (body, idNumber) = try TestNotices.fresh()
        try await houshi.registerForWholeFlow(idNumber: idNumber)
        let departments: [Department] = [.publicSecurity, .civilAffairs, .socialSecurity]
        for department in departments { _ = await houshi.services[department]?.terminate() }
        let caseId = try await houshi.postFreshNotice((body, idNumber))
        #expect(try await withdraw(caseId, reason: "误登记").status == 202)
        try await eventually("intake to publish the requests and the withdrawal") {
            try await count("SELECT count(*) AS count FROM intake.outbox WHERE case_id = $1::uuid AND sent_at IS NULL", caseId) == 0
        }
        // Every department's queue delivers the withdrawal first, then the requests.
        try await houshi.redeliver(caseId: caseId, expected: [.publicSecurity: 2, .civilAffairs: 2, .socialSecurity: 3]) {
            $0.routingKey == MessageType.deathVoided.routingKey
        }
        for department in departments { try await houshi.start(department) }

        for item in Item.allCases { try await waitFor(caseId, item, "reversed") }
        #expect(try await count("""
            SELECT (SELECT count(*) FROM public_security.item_requests WHERE case_id = $1::uuid AND status = 'reversed')
                 + (SELECT count(*) FROM civil_affairs.item_requests WHERE case_id = $1::uuid AND status = 'reversed')
                 + (SELECT count(*) FROM social_security.item_requests WHERE case_id = $1::uuid AND status = 'reversed')
                AS count
            """, caseId) == 4)
        #expect(try await value("SELECT status AS value FROM public_security.residents WHERE id_number = $1", idNumber) == "active")
        #expect(try await count("""
            SELECT (SELECT count(*) FROM public_security.cancellations WHERE case_id = $1::uuid)
                 + (SELECT count(*) FROM public_security.reinstatements WHERE case_id = $1::uuid)
                 + (SELECT count(*) FROM civil_affairs.cremation_certificates WHERE case_id = $1::uuid)
                 + (SELECT count(*) FROM social_security.settlements WHERE case_id = $1::uuid)
                 + (SELECT count(*) FROM social_security.pension_resumptions WHERE case_id = $1::uuid)
                AS count
            """, caseId) == 0)
        #expect(try await value("SELECT pension_status AS value FROM social_security.insured_persons WHERE id_number = $1",
                                idNumber) == "active")
        #expect(try await value("SELECT status || ' ' || coalesce(closed_for_case::text, '') AS value FROM social_security.medical_accounts WHERE id_number = $1",
                                idNumber) == "open ")
        try await eventually("the case to be marked reversed everywhere") {
            try await count("SELECT count(*) AS count FROM intake.cases WHERE case_id = $1::uuid AND reversed_at IS NOT NULL",
                            caseId) == 1
        }
    }

    @Test("a held request is closed by the withdrawal; the officer can no longer decide it")
    func heldRequestIsClosed() async throws {
        let (body, idNumber) = try TestNotices.fresh(name: "王桂兰", items: ["hukou"])
        try await houshi.importCSV(.publicSecurity, ["register", "import"], """
            id_number,name,household_number,relation_to_head,address
            \(idNumber),王桂芝,H-\(UUID().lowercased),head,黑龙江省抚远市抚远镇通江路12号
            """)
        let caseId = try await houshi.postFreshNotice((body, idNumber))
        try await waitFor(caseId, .hukou, "held")
        #expect(try await withdraw(caseId, reason: "误登记").status == 202)
        try await waitFor(caseId, .hukou, "reversed")
        #expect(try await value("SELECT status AS value FROM public_security.held_items WHERE case_id = $1::uuid",
                                caseId.lowercased) == "withdrawn")
        let officerToken = try await houshi.operatorToken(.publicSecurity, name: "张警官")
        let approval = try await HTTP.send("POST", "\(try houshi.address(of: .publicSecurity))/v1/held/\(caseId.lowercased)/approve",
                                           headers: ["Authorization": "Bearer \(officerToken)", "Content-Type": "application/json"],
                                           body: Data(#"{"reason":"核对"}"#.utf8))
        #expect(approval.status == 409)
        #expect(try await value("SELECT status AS value FROM public_security.residents WHERE id_number = $1", idNumber) == "active")
    }

    // MARK: - Helpers

    private func withdraw(_ caseId: UUID, reason: String, token: String? = nil) async throws -> HTTP.Reply {
        try await houshi.withdraw(caseId, reason: reason, token: token)
    }

    private func waitFor(_ caseId: UUID, _ item: Item, _ status: String) async throws {
        try await eventually("\(item.rawValue) to be \(status)") {
            try await houshi.itemStatus(caseId: caseId, item: item) == status
        }
    }

    /// Publishes intake's message of the case again as a new message, and waits until `departments` handled it.
    private func republish(_ type: MessageType, caseId: UUID, to departments: [Department]) async throws {
        let body = try await value("""
            SELECT convert_from(body, 'UTF8') AS value FROM intake.outbox WHERE case_id = $1::uuid AND routing_key = $2
            """, caseId.lowercased, type.routingKey) ?? ""
        var envelope = try JSONSerialization.jsonObject(with: Data(body.utf8)) as! [String: Any]
        let id = UUID().lowercased
        envelope["id"] = id
        try await houshi.infrastructure.publish(routingKey: type.routingKey, body: try JSONSerialization.data(withJSONObject: envelope))
        for department in departments { try await houshi.waitUntilHandled(messageId: id, by: department) }
    }

    private func civilAffairs(_ method: String, _ path: String, body: [String: Any]? = nil) async throws -> HTTP.Reply {
        var headers = ["Authorization": "Bearer \(funeralStaffToken)"]
        if body != nil { headers["Content-Type"] = "application/json" }
        return try await HTTP.send(method, "\(try houshi.address(of: .civilAffairs))\(path)", headers: headers,
                                   body: try body.map { try JSONSerialization.data(withJSONObject: $0) })
    }

    private func count(_ sql: String, _ caseId: UUID) async throws -> Int {
        try await houshi.infrastructure.count(sql, [caseId.lowercased])
    }

    private func value(_ sql: String, _ parameters: String...) async throws -> String? {
        try await houshi.infrastructure.database.withConnection { db in try db.execute(sql, parameters).first?["value"] }
    }
}
