import Foundation
import HoushiContract
import Testing

/// The domain corrections over the real broker and database: whatever public security answers,
/// or if hukou was not asked, the pension ends or is visibly held; Beijing time; the 2021
/// benefits; a calendar year without data; the medical account after the reimbursements.
@Suite(.serialized)
final class NoSilentWaitFlowTests {
    let houshi: Houshi
    let publicSecurityToken: String
    let socialSecurityToken: String

    init() async throws {
        houshi = try await Houshi.start(overrides: [.socialSecurity: ["HOUSHI_REIMBURSEMENT_CHECK_SECONDS": "1"]])
        publicSecurityToken = try await houshi.operatorToken(.publicSecurity, name: "张警官")
        socialSecurityToken = try await houshi.operatorToken(.socialSecurity, name: "刘科员")
    }

    @Test("pension and medical account without hukou: both settle and the case completes")
    func pensionWithoutHukou() async throws {
        let notice = try TestNotices.fresh(items: ["pension", "medical-account"])
        try await importInsured(notice.idNumber)
        let caseId = try await houshi.postFreshNotice(notice)
        try await waitForCaseCompleted(caseId)
        #expect(try await houshi.itemStatus(caseId: caseId, item: .pension) == "done")
        #expect(try await settlement(caseId, "pension")?["stopFrom"] as? String == "2026-12")
    }

    @Test("hukou rejected as registered elsewhere, then the pension: settled, the case completes")
    func hukouRejectedThenPension() async throws {
        let notice = try TestNotices.fresh(items: ["hukou", "pension"])
        try await importInsured(notice.idNumber)
        let caseId = try await houshi.postFreshNotice(notice)
        try await waitForCaseCompleted(caseId)
        #expect(try await houshi.itemStatus(caseId: caseId, item: .hukou) == "rejected")
        #expect(try await houshi.itemStatus(caseId: caseId, item: .pension) == "done")
    }

    @Test("hukou held, then rejected by the officer: the pension is held for social security, whose approval settles it")
    func hukouHeldThenRejected() async throws {
        let notice = try TestNotices.fresh(items: ["hukou", "pension"])
        try await importResident(notice.idNumber, name: "王桂芝")   // the register spells the name otherwise
        try await importInsured(notice.idNumber)
        let caseId = try await houshi.postFreshNotice(notice)
        try await waitFor(caseId, .hukou, "held")
        let waiting = try await itemView(caseId, "pension")
        #expect((waiting["waitingFor"] as? [String: Any])?["code"] as? String == "public-security")
        #expect(try await settlement(caseId, "pension") == nil)

        #expect(try await call(.publicSecurity, "POST", "/v1/held/\(caseId.lowercased)/reject",
                               ["reason": "户籍信息待核实，请到派出所办理"]).status == 200)
        try await waitFor(caseId, .pension, "held")
        let held = try await call(.socialSecurity, "GET", "/v1/held")
        let entry = try #require((held.json?["held"] as? [[String: Any]])?.first { $0["caseId"] as? String == caseId.lowercased })
        #expect(entry["item"] as? String == "pension")
        #expect(entry["reasonCode"] as? String == "hukou-not-cancelled")
        #expect((entry["deadline"] as? String)?.hasSuffix("+08:00") == true)
        let pensionView = try await itemView(caseId, "pension")
        #expect((pensionView["waitingFor"] as? [String: Any])?["code"] as? String == "officer-review")

        let approval = try await call(.socialSecurity, "POST", "/v1/held/\(caseId.lowercased)/pension/approve",
                                      ["reason": "已核对死亡医学证明"])
        #expect(approval.status == 200)
        #expect(approval.json?["decidedBy"] as? String == "刘科员")
        try await waitForCaseCompleted(caseId)
        #expect(try await houshi.itemStatus(caseId: caseId, item: .pension) == "done")
        #expect(try await houshi.infrastructure.count("""
            SELECT count(*) AS count FROM social_security.held_items
            WHERE case_id = $1::uuid AND item = 'pension' AND status = 'approved' AND decided_by = '刘科员'
            """, [caseId.lowercased]) == 1)
        #expect(try await call(.socialSecurity, "POST", "/v1/held/\(caseId.lowercased)/pension/approve",
                               ["reason": "again"]).status == 409)
    }

    @Test("a registration already cancelled: the officer confirms it, it counts as cancelled, the pension settles")
    func alreadyCancelledConfirmed() async throws {
        let notice = try TestNotices.fresh(items: ["hukou", "pension"])
        try await importResident(notice.idNumber, name: "王桂兰", status: "cancelled")
        try await importInsured(notice.idNumber)
        let caseId = try await houshi.postFreshNotice(notice)
        try await waitFor(caseId, .hukou, "held")
        let approval = try await call(.publicSecurity, "POST", "/v1/held/\(caseId.lowercased)/approve",
                                      ["reason": "家属已于派出所办理注销，核实无误"])
        #expect(approval.status == 200)
        #expect(approval.json?["outcome"] as? String == "confirmed-cancelled")
        try await waitForCaseCompleted(caseId)
        #expect(try await houshi.itemStatus(caseId: caseId, item: .hukou) == "done")
        #expect(try await houshi.itemStatus(caseId: caseId, item: .pension) == "done")
        #expect(try await houshi.infrastructure.count("""
            SELECT count(*) AS count FROM intake.case_items
            WHERE case_id = $1::uuid AND item = 'hukou' AND (result->>'previouslyCancelled')::boolean
            """, [caseId.lowercased]) == 1)
    }

    @Test("a death at 00:30 on 1 December in 抚远, written in UTC: December is due, the pension stops from January")
    func deathJustAfterMidnightWrittenInUTC() async throws {
        var notice = try TestNotices.fresh(items: ["pension"])
        for (path, value) in [(["deceased", "diedAt"], "2026-11-30T16:30:00Z"),
                              (["certificate", "issuedAt"], "2026-12-01T09:00:00+08:00"),
                              (["body", "pickupAt"], "2026-12-01T14:00:00+08:00"),
                              (["applicantSignedAt"], "2026-12-01T10:00:00+08:00")] {
            notice.body = try TestNotices.changing(notice.body, path, to: value)
        }
        try await importInsured(notice.idNumber)   // paid through 2026-12
        let caseId = try await houshi.postFreshNotice(notice)
        let figures = try await waitForSettlement(caseId)
        #expect(figures["stopFrom"] as? String == "2027-01")
        #expect(figures["overpaymentToRecoverFen"] as? Int == 0)
        let stored = try await houshi.infrastructure.database.withConnection { db in
            try db.execute("SELECT notice->'deceased'->>'diedAt' AS died FROM intake.cases WHERE case_id = $1", [caseId])
                .first?["died"]
        }
        #expect(stored == "2026-12-01T00:30:00+08:00")
    }

    @Test("two retirees with the same contribution years and years drawn but different pensions get the same 抚恤金")
    func survivorBenefitByContributionYears() async throws {
        var benefits: [Int] = []
        for monthly in ["200000", "512300"] {
            let notice = try TestNotices.fresh(items: ["pension"])
            try await importInsured(notice.idNumber, start: "2016-03", monthly: monthly, contributionMonths: "300")
            let figures = try await waitForSettlement(try await houshi.postFreshNotice(notice))
            #expect((figures["survivorBenefitMonths"] as? NSNumber)?.doubleValue == 9)
            #expect(figures["incomeBaseYear"] as? Int == 2025)
            #expect(figures["ruleVersion"] as? String == "rsbf-2021-18")
            benefits.append(figures["survivorBenefitFen"] as? Int ?? -1)
        }
        #expect(benefits[0] == benefits[1])
        #expect(benefits[0] == 9 * 325_000)
    }

    @Test("under 5 contribution years: grant and benefit capped at the person's own contributions")
    func underFiveYearsCap() async throws {
        let notice = try TestNotices.fresh(items: ["pension"])
        try await importInsured(notice.idNumber, retired: false, contributionMonths: "40", ownContributions: "480000")
        let figures = try await waitForSettlement(try await houshi.postFreshNotice(notice))
        #expect(figures["cappedAtOwnContributionsFen"] as? Int == 480_000)
        #expect((figures["funeralGrantFen"] as? Int ?? 0) + (figures["survivorBenefitFen"] as? Int ?? 0) == 480_000)
    }

    @Test("a hold on 2026-12-31 with no 2027 data: held with a weekends-only deadline and a warning; a year imported later is used")
    func holdWithoutNextYearsCalendar() async throws {
        let first = try await publishHeldRequest(acceptedAt: "2026-12-31T15:00:00+08:00")
        #expect(try await heldDeadline(first) == "2027-01-01T15:00:00+08:00")
        #expect(try await houshi.infrastructure.count("""
            SELECT count(*) AS count FROM public_security.outbox WHERE case_id = $1::uuid AND routing_key = 'hukou.held.v1'
            """, [first.lowercased]) == 1)
        let metrics = try await HTTP.send("GET", "\(try houshi.address(of: .publicSecurity))/metrics",
                                          headers: [:], body: nil)
        #expect(String(decoding: metrics.body, as: UTF8.self).contains(#"houshi_calendar_missing_year{year="2027"} 1"#))

        let file = FileManager.default.temporaryDirectory.appendingPathComponent("2027-\(UUID().uuidString).json")
        try Data(#"{"year": 2027, "source": "test", "holidays": [{"name": "元旦", "from": "2027-01-01", "to": "2027-01-03"}], "workdays": []}"#.utf8)
            .write(to: file)
        defer { try? FileManager.default.removeItem(at: file) }
        _ = try await houshi.admin(.publicSecurity, ["calendar", "import", file.path])
        let second = try await publishHeldRequest(acceptedAt: "2026-12-31T15:00:00+08:00")
        #expect(try await heldDeadline(second) == "2027-01-04T15:00:00+08:00")
    }

    @Test("open reimbursements hold the medical account until they are settled; then it is paid, and the family told so")
    func medicalAccountAfterReimbursements() async throws {
        let notice = try TestNotices.fresh(items: ["medical-account"])
        try await importInsured(notice.idNumber)
        let claim = "BX-\(UUID().lowercased)"
        try await importReimbursement(claim, notice.idNumber, status: "open")
        let caseId = try await houshi.postFreshNotice(notice)
        try await waitFor(caseId, .medicalAccount, "held")
        #expect(try await settlement(caseId, "medical-account") == nil)
        #expect(try await houshi.infrastructure.count("""
            SELECT count(*) AS count FROM social_security.medical_accounts WHERE id_number = $1 AND status = 'frozen'
            """, [notice.idNumber]) == 1)

        try await importReimbursement(claim, notice.idNumber, status: "settled")
        try await waitForCaseCompleted(caseId)
        let settled = try #require(try await settlement(caseId, "medical-account"))
        #expect(settled["balancePaidFen"] as? Int == 50_000)
        #expect((settled["reminder"] as? String)?.hasPrefix("医疗费用报销已结清") == true)
    }

    // MARK: Helpers

    /// An enterprise employee insured here with a 500.00 medical account: retired since `start` on
    /// `monthly`, paid through 2026-12, or not retired.
    private func importInsured(_ idNumber: String, retired: Bool = true, start: String = "2020-01",
                               monthly: String = "300000", contributionMonths: String = "360",
                               ownContributions: String = "") async throws {
        let pension = retired ? "true,\(start),\(monthly),2026-12" : "false,,0,"
        try await houshi.importCSV(.socialSecurity, ["register", "import"], """
            id_number,name,insured_here,employer_type,retired,pension_start,monthly_pension_fen,paid_through,personal_account_balance_fen,medical_account_balance_fen,contribution_months,own_contributions_fen
            \(idNumber),王桂兰,true,enterprise,\(pension),0,50000,\(contributionMonths),\(ownContributions)
            """)
    }

    private func importResident(_ idNumber: String, name: String, status: String = "active") async throws {
        try await houshi.importCSV(.publicSecurity, ["register", "import"], """
            id_number,name,household_number,relation_to_head,address,status
            \(idNumber),\(name),H-\(UUID().lowercased),head,黑龙江省抚远市抚远镇通江路12号,\(status)
            """)
    }

    private func importReimbursement(_ claim: String, _ idNumber: String, status: String) async throws {
        try await houshi.importCSV(.socialSecurity, ["reimbursements", "import"], """
            claim_number,id_number,amount_fen,status
            \(claim),\(idNumber),120050,\(status)
            """)
    }

    /// Publishes a cancellation request accepted at `acceptedAt` for a resident whose name
    /// differs from the register's (so it is held); returns its case id.
    private func publishHeldRequest(acceptedAt: String) async throws -> UUID {
        let caseId = UUID()
        let idNumber = TestNotices.freshIDNumber(like: "230883194103150243")
        try await importResident(idNumber, name: "王桂芝")
        var envelope = try JSONSerialization.jsonObject(
            with: try houshi.fixture(MessageType.hukouCancellationRequested.routingKey, caseId: caseId)) as! [String: Any]
        envelope["occurredAt"] = acceptedAt
        var payload = envelope["payload"] as! [String: Any]
        var deceased = payload["deceased"] as! [String: Any]
        deceased["idNumber"] = idNumber
        deceased["name"] = "王桂兰"
        payload["deceased"] = deceased
        envelope["payload"] = payload
        try await houshi.infrastructure.publish(routingKey: MessageType.hukouCancellationRequested.routingKey,
                                                body: try JSONSerialization.data(withJSONObject: envelope))
        try await eventually("the request to be held") {
            try await houshi.infrastructure.count(
                "SELECT count(*) AS count FROM public_security.held_items WHERE case_id = $1::uuid", [caseId.lowercased]) == 1
        }
        return caseId
    }

    private func heldDeadline(_ caseId: UUID) async throws -> String? {
        try await houshi.infrastructure.database.withConnection { db in
            try db.execute("""
                SELECT to_char(deadline AT TIME ZONE 'Asia/Shanghai', 'YYYY-MM-DD"T"HH24:MI:SS"+08:00"') AS deadline
                FROM public_security.held_items WHERE case_id = $1
                """, [caseId]).first?["deadline"]
        }
    }

    private func waitFor(_ caseId: UUID, _ item: Item, _ status: String) async throws {
        try await eventually("\(item.rawValue) to be \(status) in the case view") {
            try await houshi.itemStatus(caseId: caseId, item: item) == status
        }
    }

    private func waitForCaseCompleted(_ caseId: UUID) async throws {
        try await eventually("the case to complete") {
            try await houshi.infrastructure.count(
                "SELECT count(*) AS count FROM intake.cases WHERE case_id = $1::uuid AND status = 'completed'",
                [caseId.lowercased]) == 1
        }
    }

    /// The item as the hospital's case view shows it.
    private func itemView(_ caseId: UUID, _ item: String) async throws -> [String: Any] {
        let reply = try await HTTP.send("GET", "\(try houshi.address(of: .intake))/v1/cases/\(caseId.lowercased)",
                                        headers: ["Authorization": "Bearer \(houshi.token)"], body: nil)
        let items = reply.json?["items"] as? [[String: Any]] ?? []
        return try #require(items.first { $0["item"] as? String == item })
    }

    private func settlement(_ caseId: UUID, _ item: String) async throws -> [String: Any]? {
        let text = try await houshi.infrastructure.database.withConnection { db in
            try db.execute("SELECT figures::text AS figures FROM social_security.settlements WHERE case_id = $1 AND item = $2",
                           [caseId, item]).first?["figures"]
        }
        return try text.map { try JSONSerialization.jsonObject(with: Data($0.utf8)) as! [String: Any] }
    }

    private func waitForSettlement(_ caseId: UUID) async throws -> [String: Any] {
        var figures: [String: Any]?
        try await eventually("the pension settlement") {
            figures = try await settlement(caseId, "pension")
            return figures != nil
        }
        return figures ?? [:]
    }

    private func call(_ department: Department, _ method: String, _ path: String,
                      _ body: [String: String]? = nil) async throws -> HTTP.Reply {
        let token = department == .publicSecurity ? publicSecurityToken : socialSecurityToken
        var headers = ["Authorization": "Bearer \(token)"]
        if body != nil { headers["Content-Type"] = "application/json" }
        return try await HTTP.send(method, "\(try houshi.address(of: department))\(path)",
                                   headers: headers, body: try body.map { try JSONSerialization.data(withJSONObject: $0) })
    }
}
