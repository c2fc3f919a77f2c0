import FoundationEssentials
import HoushiContract
import HoushiRuntime
import HoushiStorage

/// Undoing social security's work for a withdrawn notice (`death.voided`), as `BenefitReversal` decides.
enum BenefitRestoration {
    /// The deceased's ID number of either request (both carry `deceased`).
    private struct AnyRequest: Decodable {
        let deceased: DeceasedIdentity
    }

    static func reverse(_ request: WithdrawnRequest, reason: String, context: HandlerContext) throws -> ItemReversal {
        let (db, caseId) = (context.db, context.caseId)
        let idNumber = try request.decoded(as: AnyRequest.self).deceased.idNumber.uppercased()
        let settlement = try BenefitRecords.settlement(caseId: caseId, item: request.item, on: db)
        let reversal: BenefitReversal
        switch request.item {
        case .pension:
            let person = try BenefitRecords.heldBackMonths(idNumber, on: db)
            reversal = .pension(
                status: request.status,
                settlement: try settlement.map { try JSONDecoder().decode(PensionSettled.self, from: Data($0.figures.utf8)) },
                paidOut: settlement?.paidOut ?? false, monthsDue: person?.months ?? [],
                monthlyPensionFen: person?.monthlyPensionFen ?? 0)
            if reversal.resumePension, let person {
                try BenefitRecords.resumePension(idNumber, caseId: caseId, monthsDue: person.months,
                                                 monthlyPensionFen: person.monthlyPensionFen, on: db)
            }
        default:
            reversal = .medicalAccount(
                status: request.status,
                settlement: try settlement.map {
                    try JSONDecoder().decode(MedicalAccountSettled.self, from: Data($0.figures.utf8))
                })
            if reversal.reopenMedicalAccount { try BenefitRecords.reopenMedicalAccount(idNumber, caseId: caseId, on: db) }
        }
        if reversal.cancelSettlement {
            try BenefitRecords.cancelSettlement(caseId: caseId, item: request.item, reason: reason,
                                                recoveries: reversal.recoveries, on: db)
        }
        context.logger.info("benefits restored", metadata: [
            "item": "\(request.item.rawValue)", "pension_resumed": "\(reversal.resumePension)",
            "settlement_cancelled": "\(reversal.cancelSettlement)",
            "to_recover_fen": "\(reversal.recoveries.reduce(0) { $0 + $1.amountFen })"])
        return .reversed(detail: reversal.detail)
    }
}

/// The statements of a withdrawal's reversal in social security's schema, in the caller's transaction.
enum BenefitRecords {
    /// The case's settlement of the item (unless cancelled): its figures as JSON and whether it was paid out.
    static func settlement(caseId: UUID, item: Item, on db: PostgresConnection) throws -> (figures: String, paidOut: Bool)? {
        try db.execute("""
            SELECT figures::text AS figures, paid_out_at IS NOT NULL AS paid_out FROM settlements
            WHERE case_id = $1 AND item = $2 AND cancelled_at IS NULL FOR UPDATE
            """, [caseId, item.rawValue]).first.map { (try $0.string("figures"), try $0.bool("paid_out")) }
    }

    /// The payment runs' months (from the pension's start) after the last one that paid the
    /// person, and their monthly pension; nil when the person is not in the register. Locks the person.
    static func heldBackMonths(_ idNumber: String, on db: PostgresConnection) throws -> (months: [YearMonth], monthlyPensionFen: Int64)? {
        try db.execute("""
            SELECT p.monthly_pension_fen,
                   CASE WHEN p.retired THEN (
                       SELECT string_agg(DISTINCT m.month, ',' ORDER BY m.month) FROM pension_payments m
                       WHERE m.month >= p.pension_start
                         AND m.month > coalesce((SELECT max(o.month) FROM pension_payments o WHERE o.id_number = p.id_number), '')
                   ) END AS months
            FROM insured_persons p WHERE p.id_number = $1 FOR UPDATE
            """, [idNumber]).first.map { row in
            ((row["months"] ?? "").split(separator: ",").compactMap { YearMonth(String($0)) },
             try row.int64("monthly_pension_fen"))
        }
    }

    /// Resumes the pension and records the months held back, which the next payment run pays.
    static func resumePension(_ idNumber: String, caseId: UUID, monthsDue: [YearMonth], monthlyPensionFen: Int64,
                              on db: PostgresConnection) throws {
        try db.execute("UPDATE insured_persons SET pension_status = 'active', updated_at = now() WHERE id_number = $1",
                       [idNumber])
        try db.execute("""
            INSERT INTO pension_resumptions (case_id, id_number, months_due, monthly_pension_fen)
            VALUES ($1, $2, coalesce(string_to_array(nullif($3, ''), ','), '{}'), $4) ON CONFLICT (case_id) DO NOTHING
            """, [caseId, idNumber, monthsDue.map(\.description).joined(separator: ","), monthlyPensionFen])
    }

    /// Reopens a medical account frozen, or closed for this case.
    static func reopenMedicalAccount(_ idNumber: String, caseId: UUID, on db: PostgresConnection) throws {
        try db.execute("""
            UPDATE medical_accounts SET status = 'open', closed_at = NULL, closed_for_case = NULL
            WHERE id_number = $1 AND (status = 'frozen' OR (status = 'closed' AND closed_for_case = $2))
            """, [idNumber, caseId])
    }

    /// Cancels the case's settlement of the item and records what must be recovered of it.
    static func cancelSettlement(caseId: UUID, item: Item, reason: String, recoveries: [BenefitReversal.Recovery],
                                 on db: PostgresConnection) throws {
        try db.execute("""
            WITH cancelled AS (
                UPDATE settlements SET cancelled_at = now(), cancel_reason = $3 WHERE case_id = $1 AND item = $2
                RETURNING case_id, item)
            INSERT INTO recoveries (case_id, item, kind, amount_fen)
            SELECT c.case_id, c.item, r.kind, r.amount_fen
            FROM cancelled c, unnest($4::text[], $5::bigint[]) AS r (kind, amount_fen)
            """, [caseId, item.rawValue, reason, SQLArray(recoveries.map(\.kind)),
                  SQLArray(recoveries.map { String($0.amountFen) })])
    }
}
