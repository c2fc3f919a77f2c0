import FoundationEssentials
import HoushiContract
import HoushiStorage

/// A medical account frozen for a case, with what must be settled before it is paid out.
struct FrozenMedicalAccount: Sendable, Equatable {
    var balanceFen: Int64
    var openReimbursements: [OpenReimbursement]
}

/// Insured persons, their pension payments and medical accounts, in the caller's transaction.
enum InsuranceRegister {
    /// Adds or updates a person from an import, with a payment for every month from the
    /// pension's start through `paidThrough` not recorded yet; a suspended or stopped pension
    /// keeps its status.
    static func upsert(_ person: InsuredPerson, on db: PostgresConnection) throws {
        try db.execute("""
            INSERT INTO insured_persons (id_number, name, insured_here, employer_type, retired, pension_start,
                                         monthly_pension_fen, personal_account_balance_fen, contribution_months,
                                         own_contributions_fen)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
            ON CONFLICT (id_number) DO UPDATE SET name = EXCLUDED.name, insured_here = EXCLUDED.insured_here,
                employer_type = EXCLUDED.employer_type, retired = EXCLUDED.retired,
                pension_start = EXCLUDED.pension_start, monthly_pension_fen = EXCLUDED.monthly_pension_fen,
                personal_account_balance_fen = EXCLUDED.personal_account_balance_fen,
                contribution_months = EXCLUDED.contribution_months,
                own_contributions_fen = EXCLUDED.own_contributions_fen, updated_at = now()
            """, [person.idNumber, person.name, person.insuredHere, person.employerType.rawValue, person.retired,
                  person.pensionStart?.description, person.monthlyPensionFen, person.personalAccountBalanceFen,
                  person.contributionMonths, person.ownContributionsFen])
        if var month = person.pensionStart, let through = person.paidThrough {
            var months: [String] = []
            while month <= through, let next = month.next {
                months.append(month.description)
                month = next
            }
            try db.execute("""
                INSERT INTO pension_payments (id_number, month, amount_fen, paid_by)
                SELECT $1, m, $2, 'import' FROM unnest($3::text[]) AS m ON CONFLICT DO NOTHING
                """, [person.idNumber, person.monthlyPensionFen, SQLArray(months)])
        }
        if let balance = person.medicalAccountBalanceFen {
            try db.execute("""
                INSERT INTO medical_accounts (id_number, balance_fen) VALUES ($1, $2)
                ON CONFLICT (id_number) DO UPDATE SET balance_fen = EXCLUDED.balance_fen
                WHERE medical_accounts.status = 'open'
                """, [person.idNumber, balance])
        }
    }

    /// Whether the person with `idNumber` is in the register and insured here, locking them for
    /// this transaction (a claim and its settlement never overlap on one person).
    static func lockIfInsuredHere(_ idNumber: String, on db: PostgresConnection) throws -> Bool {
        try db.execute("SELECT insured_here FROM insured_persons WHERE id_number = $1 FOR UPDATE",
                       [idNumber.uppercased()]).first.map { try $0.bool("insured_here") } ?? false
    }

    /// Freezes the medical account of the person with `idNumber` if they are insured here and the
    /// request message `requestId` is recorded in this transaction; returns its balance and the
    /// person's open reimbursement claims, or nil when there is no open or frozen account. Sent in
    /// the round trip of a deferred `CaseLedger.recordRequest`, it sees that request only if it
    /// was recorded now.
    static func freezeMedicalAccount(_ idNumber: String, requestId: UUID,
                                     on db: PostgresConnection) throws -> FrozenMedicalAccount? {
        guard let row = try db.execute("""
            WITH account AS (
                UPDATE medical_accounts a SET status = 'frozen'
                FROM insured_persons p
                WHERE a.id_number = $1 AND a.status IN ('open', 'frozen') AND p.id_number = a.id_number AND p.insured_here
                    AND EXISTS (SELECT FROM item_requests r WHERE r.message_id = $2 AND r.status = 'received')
                RETURNING a.id_number, a.balance_fen)
            SELECT account.balance_fen, \(openClaimsJSON("account.id_number")) AS claims FROM account
            """, [idNumber.uppercased(), requestId]).first
        else { return nil }
        return FrozenMedicalAccount(balanceFen: try row.int64("balance_fen"),
                                    openReimbursements: try reimbursements(row["claims"]))
    }

    /// The open reimbursement claims of the person with `idNumber`.
    static func openReimbursements(_ idNumber: String, on db: PostgresConnection) throws -> [OpenReimbursement] {
        try reimbursements(try db.execute("SELECT \(openClaimsJSON("$1")) AS claims", [idNumber.uppercased()]).first?["claims"])
    }

    /// Closes, for `caseId`, the open or frozen medical account of the person with `idNumber`;
    /// returns the balance it held, or nil when there was none.
    static func closeMedicalAccount(_ idNumber: String, caseId: UUID, at closedAt: Timestamp,
                                    on db: PostgresConnection) throws -> Int64? {
        try db.execute("""
            UPDATE medical_accounts SET status = 'closed', closed_at = $2::timestamptz, closed_for_case = $3
            WHERE id_number = $1 AND status IN ('open', 'frozen')
            RETURNING balance_fen
            """, [idNumber.uppercased(), closedAt.rfc3339, caseId]).first.map { try $0.int64("balance_fen") }
    }

    /// Adds or updates a reimbursement claim from an import.
    static func upsert(_ claim: ReimbursementClaim, on db: PostgresConnection) throws {
        try db.execute("""
            INSERT INTO medical_reimbursements (claim_number, id_number, amount_fen, status) VALUES ($1, $2, $3, $4)
            ON CONFLICT (claim_number) DO UPDATE SET id_number = EXCLUDED.id_number, amount_fen = EXCLUDED.amount_fen,
                status = EXCLUDED.status, updated_at = now()
            """, [claim.claimNumber, claim.idNumber, claim.amountFen, claim.open ? "open" : "settled"])
    }

    /// A JSON list of the open claims of the person whose id number `idNumber` (an SQL expression) gives.
    private static func openClaimsJSON(_ idNumber: String) -> String {
        """
        (SELECT coalesce(json_agg(json_build_object('claimNumber', c.claim_number, 'amountFen', c.amount_fen)
                                  ORDER BY c.claim_number), '[]')::text
         FROM medical_reimbursements c WHERE c.id_number = \(idNumber) AND c.status = 'open')
        """
    }

    private static func reimbursements(_ json: String?) throws -> [OpenReimbursement] {
        try JSONDecoder().decode([OpenReimbursement].self, from: Data((json ?? "[]").utf8))
    }

    /// Moves an active pension to `status` (`suspended` at a claim, `stopped` at settlement).
    static func setPension(_ status: String, idNumber: String, on db: PostgresConnection) throws {
        try db.executeDeferred("""
            UPDATE insured_persons SET pension_status = $2, updated_at = now()
            WHERE id_number = $1 AND pension_status <> 'stopped'
            """, [idNumber.uppercased(), status])
    }

    /// The monthly payment run: pays every active pension for `month` once, however often it
    /// runs; suspended and stopped pensions are skipped. Returns (paid now, paid by an earlier run
    /// of the month, skipped as not active).
    static func payMonth(_ month: YearMonth, on db: PostgresConnection) throws -> (paid: Int, paidBefore: Int, skipped: Int) {
        let before = try db.execute("SELECT count(*) AS count FROM pension_payments WHERE month = $1",
                                    [month.description]).first.map { try $0.int("count") } ?? 0
        let paid = try db.execute("""
            INSERT INTO pension_payments (id_number, month, amount_fen, paid_by)
            SELECT id_number, $1, monthly_pension_fen, 'pay-month' FROM insured_persons
            WHERE retired AND insured_here AND pension_status = 'active' AND pension_start <= $1
            ON CONFLICT DO NOTHING
            """, [month.description]).affectedRows
        let skipped = try db.execute("""
            SELECT count(*) AS count FROM insured_persons WHERE retired AND pension_status <> 'active'
            """).first.map { try $0.int("count") } ?? 0
        return (paid, before, skipped)
    }

    /// What the payment run pays beside the month: the months held back of resumed pensions
    /// (each month once) and the settled pension benefits not yet paid out. Returns how many of each.
    static func payDue(on db: PostgresConnection) throws -> (heldBackMonths: Int, settlements: Int) {
        try db.withTransaction { tx in
            let months = try tx.execute("""
                WITH due AS (
                    UPDATE pension_resumptions r SET paid_at = now()
                    FROM insured_persons p
                    WHERE r.paid_at IS NULL AND p.id_number = r.id_number AND p.pension_status = 'active'
                    RETURNING r.id_number, r.months_due, r.monthly_pension_fen)
                INSERT INTO pension_payments (id_number, month, amount_fen, paid_by)
                SELECT id_number, month, monthly_pension_fen, 'resumed' FROM due, unnest(months_due) AS month
                ON CONFLICT DO NOTHING
                """).affectedRows
            let settlements = try tx.execute("""
                UPDATE settlements SET paid_out_at = now()
                WHERE item = 'pension' AND paid_out_at IS NULL AND cancelled_at IS NULL
                  AND (figures->>'netPayableFen')::bigint > 0 AND NOT (figures->>'benefitsByOldProcess')::boolean
                """).affectedRows
            return (months, settlements)
        }
    }

    /// Records a settlement once per case and item (a medical account's is paid out at once, a
    /// pension's by the next payment run). Deferred: `recorded` learns before the
    /// transaction commits whether it is new (false: the case and item had one before).
    static func recordSettlement<P: Encodable>(_ figures: P, caseId: UUID, item: Item, idNumber: String,
                                               ruleVersion: String?, on db: PostgresConnection,
                                               recorded: ((Bool) throws -> Void)? = nil) throws {
        let json = String(decoding: try MessageCodec().encodeValue(figures), as: UTF8.self)
        try db.executeDeferred("""
            INSERT INTO settlements (case_id, item, id_number, figures, rule_version, paid_out_at)
            VALUES ($1, $2, $3, $4::jsonb, $5, CASE WHEN $2 = 'medical-account' THEN now() END)
            ON CONFLICT DO NOTHING
            """, [caseId, item.rawValue, idNumber.uppercased(), json, ruleVersion],
            check: recorded.map { recorded in { try recorded($0.affectedRows == 1) } })
    }
}
