import Foundation
import HoushiContract
import Testing

/// Social security over the real broker and database: the pension stopped at the claim and
/// settled once the registration is cancelled, in either order; the medical account; the
/// monthly payment run.
@Suite(.serialized)
final class SocialSecurityFlowTests {
    let houshi: Houshi

    init() async throws {
        houshi = try await Houshi.start()
    }

    @Test("claim first (hukou asked too), then hukou.cancelled: the pension is suspended at once, then settled with every figure")
    func claimThenCancellation() async throws {
        let caseId = UUID()
        let idNumber = TestNotices.freshIDNumber(like: "230883194103150243")
        try await importInsured(idNumber, medicalBalance: "")
        try await publishClaim(caseId: caseId, idNumber: idNumber)
        try await eventually("the pension to be suspended") { try await pensionStatus(idNumber) == "suspended" }
        #expect(try await settlement(caseId, "pension") == nil)

        try await publishCancellation(caseId: caseId, idNumber: idNumber)
        let figures = try await waitForSettlement(caseId, "pension")
        // Died 2026-11-28, 3000.00 a month paid through 2026-12: December is recovered. 人社部发〔2021〕18号:
        // base 3250.00 (2025), grant 2 × base; 30 contribution years give 24 months, less 6 full years
        // drawn (2020-01 to 2026-11): 18 months.
        #expect(figures["stopFrom"] as? String == "2026-12")
        #expect(figures["overpaymentToRecoverFen"] as? Int == 300_000)
        #expect(figures["arrearsToPayFen"] as? Int == 0)
        #expect(figures["funeralGrantFen"] as? Int == 650_000)
        #expect(figures["survivorBenefitFen"] as? Int == 5_850_000)
        #expect(figures["netPayableFen"] as? Int == 6_200_000)
        #expect(figures["incomeBaseYear"] as? Int == 2025)
        #expect(figures["ruleVersion"] as? String == "rsbf-2021-18")
        #expect((figures["payee"] as? [String: Any])?["bankAccountLast4"] as? String == "4567")
        #expect(try await pensionStatus(idNumber) == "stopped")
    }

    @Test("the medical account with no open reimbursement is settled at once, saying so")
    func medicalAccountSettlesAtOnce() async throws {
        let notice = try TestNotices.fresh(items: ["medical-account"])
        try await importInsured(notice.idNumber, medicalBalance: "50000")
        let caseId = try await houshi.postFreshNotice(notice)
        let medical = try await waitForSettlement(caseId, "medical-account")
        #expect(medical["balancePaidFen"] as? Int == 50_000)
        #expect((medical["reminder"] as? String)?.hasPrefix("经核查无未结清的医疗费用报销") == true)
        try await eventually("intake to show the item done") {
            try await houshi.itemStatus(caseId: caseId, item: .medicalAccount) == "done"
        }
    }

    @Test("hukou.cancelled first, then the claim: settled the same, exactly once")
    func cancellationThenClaim() async throws {
        let idNumber = TestNotices.freshIDNumber(like: "230883194103150243")
        try await importInsured(idNumber, medicalBalance: "")
        let caseId = UUID()
        try await publishCancellation(caseId: caseId, idNumber: idNumber)
        try await eventually("social security to record the cancellation") {
            try await houshi.infrastructure.count("SELECT count(*) AS count FROM social_security.case_facts WHERE case_id = $1::uuid",
                                                  [caseId.lowercased]) == 1
        }
        try await publishClaim(caseId: caseId, idNumber: idNumber, times: 2)   // the same message twice
        let figures = try await waitForSettlement(caseId, "pension")
        #expect(figures["overpaymentToRecoverFen"] as? Int == 300_000)
        #expect(figures["netPayableFen"] as? Int == 6_200_000)
        #expect(try await houshi.infrastructure.count("""
            SELECT count(*) AS count FROM social_security.outbox WHERE case_id = $1::uuid AND routing_key = 'pension.settled.v1'
            """, [caseId.lowercased]) == 1)
    }

    @Test("someone not insured here is rejected: not-locally-insured")
    func notInsuredIsRejected() async throws {
        let caseId = try await houshi.postFreshNotice(try TestNotices.fresh(items: ["pension"]))
        try await eventually("pension to be rejected in the case view") {
            try await houshi.itemStatus(caseId: caseId, item: .pension) == "rejected"
        }
    }

    @Test("pay-month run twice pays once, and never pays a stopped pension")
    func paymentRunSkipsSuspendedPensions() async throws {
        let living = TestNotices.freshIDNumber(like: "230883196608020312")
        let notice = try TestNotices.fresh(items: ["pension"])
        try await importInsured(living, medicalBalance: "")
        try await importInsured(notice.idNumber, medicalBalance: "")
        _ = try await houshi.postFreshNotice(notice)
        // Without hukou asked the claim settles at once: suspended, then stopped.
        try await eventually("the deceased's pension to be stopped") { try await pensionStatus(notice.idNumber) == "stopped" }
        for _ in 1...2 { try await houshi.admin(.socialSecurity, ["pay-month", "2027-01"]) }
        #expect(try await payments(living, "2027-01") == 1)
        #expect(try await payments(notice.idNumber, "2027-01") == 0)
        let error = await #expect(throws: CommandFailed.self) { try await self.houshi.admin(.socialSecurity, ["pay-month", "2027-13"]) }
        #expect(error?.output.contains("YYYY-MM") == true)
    }

    // MARK: Helpers

    /// Retired since 2020-01 on 3000.00 a month after 30 contribution years, paid through 2026-12,
    /// an enterprise employee.
    private func importInsured(_ idNumber: String, medicalBalance: String) async throws {
        try await houshi.importCSV(.socialSecurity, ["register", "import"], """
            id_number,name,insured_here,employer_type,retired,pension_start,monthly_pension_fen,paid_through,personal_account_balance_fen,medical_account_balance_fen,contribution_months,own_contributions_fen
            \(idNumber),王桂兰,true,enterprise,true,2020-01,300000,2026-12,0,\(medicalBalance),360,
            """)
    }

    /// The fixture's claim for `idNumber`, from a notice that asked hukou too, published `times` times.
    private func publishClaim(caseId: UUID, idNumber: String, times: Int = 1) async throws {
        var claim = try JSONSerialization.jsonObject(with: try houshi.fixture("pension.claim-requested.v1", caseId: caseId))
            as! [String: Any]
        var payload = claim["payload"] as! [String: Any]
        var deceased = payload["deceased"] as! [String: Any]
        deceased["idNumber"] = idNumber
        payload["deceased"] = deceased
        payload["hukouRequested"] = true
        claim["payload"] = payload
        let body = try JSONSerialization.data(withJSONObject: claim)
        for _ in 1...times {
            try await houshi.infrastructure.publish(routingKey: MessageType.pensionClaimRequested.routingKey, body: body)
        }
    }

    private func publishCancellation(caseId: UUID, idNumber: String) async throws {
        var envelope = try JSONSerialization.jsonObject(with: try houshi.fixture("hukou.cancelled.v1", caseId: caseId))
            as! [String: Any]
        var payload = envelope["payload"] as! [String: Any]
        payload["deceasedIdNumber"] = idNumber
        envelope["payload"] = payload
        try await houshi.infrastructure.publish(routingKey: MessageType.hukouCancelled.routingKey,
                                                body: try JSONSerialization.data(withJSONObject: envelope))
    }

    private func pensionStatus(_ idNumber: String) async throws -> String? {
        try await houshi.infrastructure.database.withConnection { db in
            try db.execute("SELECT pension_status FROM social_security.insured_persons WHERE id_number = $1",
                           [idNumber]).first?["pension_status"]
        }
    }

    private func settlement(_ caseId: UUID, _ item: String) async throws -> [String: Any]? {
        let text = try await houshi.infrastructure.database.withConnection { db in
            try db.execute("SELECT figures::text AS figures FROM social_security.settlements WHERE case_id = $1 AND item = $2",
                           [caseId, item]).first?["figures"]
        }
        return try text.map { try JSONSerialization.jsonObject(with: Data($0.utf8)) as! [String: Any] }
    }

    private func waitForSettlement(_ caseId: UUID, _ item: String) async throws -> [String: Any] {
        var figures: [String: Any]?
        try await eventually("the \(item) settlement") {
            figures = try await settlement(caseId, item)
            return figures != nil
        }
        return figures ?? [:]
    }

    private func payments(_ idNumber: String, _ month: String) async throws -> Int {
        try await houshi.infrastructure.count(
            "SELECT count(*) AS count FROM social_security.pension_payments WHERE id_number = $1 AND month = $2", [idNumber, month])
    }
}
