import FoundationEssentials
import HoushiContract
import HoushiRuntime
import HoushiStorage

/// A recorded pension claim with what public security answered and its settlement's input
/// from the register.
struct PendingClaim: Sendable {
    let caseId: UUID
    let claim: PensionClaimRequested
    /// The deceased's id number as the register spells it.
    let idNumber: String
    let hukouAnswer: HukouAnswer?
    let settlementInput: SettlementInput

    /// Whether it settles now, waits, or is held (`PensionReadiness`).
    var readiness: PensionReadiness {
        PensionReadiness.decide(hukouRequested: claim.hukouRequested ?? false, answer: hukouAnswer)
    }
}

/// Pension claims in the department's ledger, read with the register in one statement.
enum PensionClaims {
    /// The claims of `caseIds` in `status` (`received`: recorded, not settled or held yet) of
    /// people insured here, each with public security's answer, the insured person and the
    /// payment ledger. The cases are locked first (an advisory lock each, in the order given)
    /// and looked at by the next statement, so that transactions looking at the same case look
    /// one after the other; the claims and persons found are locked for this transaction, so
    /// that of two transactions only one finds a claim still `received`.
    static func pending(among caseIds: [UUID], status: String = "received",
                        on db: PostgresConnection) throws -> [PendingClaim] {
        let ids = SQLArray(caseIds.map(\.lowercased))
        try db.executeDeferred("SELECT pg_advisory_xact_lock(hashtextextended(c::text, 0)) FROM unnest($1::uuid[]) AS c", [ids])
        return try db.execute("""
            SELECT r.case_id, r.request::text AS request, p.id_number, p.retired, p.pension_start,
                   p.monthly_pension_fen, p.personal_account_balance_fen, p.employer_type,
                   p.contribution_months, p.own_contributions_fen,
                   EXISTS (SELECT FROM case_facts f WHERE f.case_id = r.case_id AND f.fact = $4) AS hukou_cancelled,
                   (SELECT f.payload::text FROM case_facts f WHERE f.case_id = r.case_id AND f.fact = $5) AS hukou_rejected,
                   (SELECT string_agg(m.month || ' ' || m.amount_fen, ',')
                    FROM pension_payments m WHERE m.id_number = p.id_number) AS ledger
            FROM item_requests r
            JOIN insured_persons p ON p.id_number = upper(r.request->'deceased'->>'idNumber') AND p.insured_here
            WHERE r.case_id = ANY($1::uuid[]) AND r.item = $2 AND r.status = $3
            ORDER BY r.case_id
            FOR UPDATE OF r, p
            """, [ids, Item.pension.rawValue, status, MessageType.hukouCancelled.name,
                  MessageType.rejected(.hukou).name]).rows.map { row in
            let claim = try JSONDecoder().decode(PensionClaimRequested.self, from: Data(try row.string("request").utf8))
            let answer: HukouAnswer?
            if try row.bool("hukou_cancelled") {
                answer = .cancelled
            } else if let rejected = row["hukou_rejected"] {
                let payload = try JSONDecoder().decode(ItemRejected.self, from: Data(rejected.utf8))
                answer = .rejected(reasonCode: payload.reasonCode, reason: payload.reason)
            } else {
                answer = nil
            }
            // The pension counts only for a retired person.
            let retired = try row.bool("retired")
            return PendingClaim(
                caseId: try row.uuid("case_id"), claim: claim, idNumber: try row.string("id_number"), hukouAnswer: answer,
                settlementInput: SettlementInput(
                    dateOfDeath: claim.diedAt.beijingDate,
                    monthlyPensionFen: retired ? try row.int64("monthly_pension_fen") : 0, retired: retired,
                    pensionStart: retired ? row["pension_start"].flatMap(YearMonth.init) : nil,
                    ledger: try ledger(row["ledger"] ?? ""),
                    personalAccountBalanceFen: try row.int64("personal_account_balance_fen"),
                    employerType: EmployerType(rawValue: try row.string("employer_type")) ?? .enterprise,
                    contributionMonths: try row.int("contribution_months"),
                    ownContributionsFen: row["own_contributions_fen"].flatMap { Int64($0) }))
        }
    }

    /// Parses `string_agg`'s "YYYY-MM amount,…" byte by byte (a pensioner has hundreds of
    /// months): every listed month was paid. The settlement needs no order.
    private static func ledger(_ text: String) throws -> [LedgerEntry] {
        var entries: [LedgerEntry] = []
        var fields: (year: Int, month: Int, amount: Int64) = (0, 0, 0)
        var field = 0
        func endEntry() throws {
            guard field == 2, let month = YearMonth(year: fields.year, month: fields.month) else {
                throw PostgresError(message: "unreadable pension payment ledger")
            }
            entries.append(LedgerEntry(month: month, amountFen: fields.amount, paid: true))
            (fields, field) = ((0, 0, 0), 0)
        }
        for byte in text.utf8 {
            switch (byte, field) {
            case (UInt8(ascii: "0")...UInt8(ascii: "9"), 0): fields.year = fields.year * 10 + Int(byte - 48)
            case (UInt8(ascii: "0")...UInt8(ascii: "9"), 1): fields.month = fields.month * 10 + Int(byte - 48)
            case (UInt8(ascii: "0")...UInt8(ascii: "9"), _): fields.amount = fields.amount * 10 + Int64(byte - 48)
            case (UInt8(ascii: "-"), 0), (UInt8(ascii: " "), 1): field += 1
            case (UInt8(ascii: ","), _): try endEntry()
            default: throw PostgresError(message: "unreadable pension payment ledger")
            }
        }
        if !text.isEmpty { try endEntry() }
        return entries
    }
}
