import FoundationEssentials
import HoushiContract
import HoushiStorage

/// Insured persons, their pension payments and medical accounts, in the caller's transaction.
enum InsuranceRegister {
    /// Adds or updates a person from an import, with a payment for every month from the
    /// pension's start through `paidThrough` not recorded yet; a suspended or stopped pension
    /// keeps its status.
    static func upsert(_ person: InsuredPerson, on db: PostgresConnection) throws {
        try db.execute("""
            INSERT INTO insured_persons (id_number, name, insured_here, employer_type, retired, pension_start,
                                         monthly_pension_fen, personal_account_balance_fen)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
            ON CONFLICT (id_number) DO UPDATE SET name = EXCLUDED.name, insured_here = EXCLUDED.insured_here,
                employer_type = EXCLUDED.employer_type, retired = EXCLUDED.retired,
                pension_start = EXCLUDED.pension_start, monthly_pension_fen = EXCLUDED.monthly_pension_fen,
                personal_account_balance_fen = EXCLUDED.personal_account_balance_fen, updated_at = now()
            """, [person.idNumber, person.name, person.insuredHere, person.employerType.rawValue, person.retired,
                  person.pensionStart?.description, person.monthlyPensionFen, person.personalAccountBalanceFen])
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

    /// Closes, for `caseId`, the open medical account of the person with `idNumber` if they are
    /// insured here and the request message `requestId` is recorded in this transaction; returns
    /// the balance it held, or nil when there was no such account. Sent in the round trip of a
    /// deferred `CaseLedger.recordRequest`, it sees that request only if it was recorded now.
    static func closeMedicalAccount(_ idNumber: String, caseId: UUID, requestId: UUID, at closedAt: Timestamp,
                                    on db: PostgresConnection) throws -> Int64? {
        try db.execute("""
            UPDATE medical_accounts a SET status = 'closed', closed_at = $2::timestamptz, closed_for_case = $3
            FROM insured_persons p
            WHERE a.id_number = $1 AND a.status = 'open' AND p.id_number = a.id_number AND p.insured_here
                AND EXISTS (SELECT FROM item_requests r WHERE r.message_id = $4)
            RETURNING a.balance_fen
            """, [idNumber.uppercased(), closedAt.rfc3339, caseId, requestId]).first.map { try $0.int64("balance_fen") }
    }

    /// Moves an active pension to `status` (`suspended` at a claim, `stopped` at settlement).
    static func setPension(_ status: String, idNumber: String, on db: PostgresConnection) throws {
        try db.executeDeferred("""
            UPDATE insured_persons SET pension_status = $2, updated_at = now()
            WHERE id_number = $1 AND pension_status <> 'stopped'
            """, [idNumber.uppercased(), status])
    }

    /// The monthly payment run: pays every active pension for `month` once, however often it
    /// runs; suspended and stopped pensions are skipped. Returns (paid now, skipped as not active).
    static func payMonth(_ month: YearMonth, on db: PostgresConnection) throws -> (paid: Int, skipped: Int) {
        let paid = try db.execute("""
            INSERT INTO pension_payments (id_number, month, amount_fen, paid_by)
            SELECT id_number, $1, monthly_pension_fen, 'pay-month' FROM insured_persons
            WHERE retired AND insured_here AND pension_status = 'active' AND pension_start <= $1
            ON CONFLICT DO NOTHING
            """, [month.description]).affectedRows
        let skipped = try db.execute("""
            SELECT count(*) AS count FROM insured_persons WHERE retired AND pension_status <> 'active'
            """).first.map { try $0.int("count") } ?? 0
        return (paid, skipped)
    }

    /// Records a settlement once per case and item. Deferred: `recorded` learns before the
    /// transaction commits whether it is new (false: the case and item had one before).
    static func recordSettlement<P: Encodable>(_ figures: P, caseId: UUID, item: Item, idNumber: String,
                                               ruleVersion: String?, on db: PostgresConnection,
                                               recorded: ((Bool) throws -> Void)? = nil) throws {
        let json = String(decoding: try MessageCodec().encodeValue(figures), as: UTF8.self)
        try db.executeDeferred("""
            INSERT INTO settlements (case_id, item, id_number, figures, rule_version) VALUES ($1, $2, $3, $4::jsonb, $5)
            ON CONFLICT DO NOTHING
            """, [caseId, item.rawValue, idNumber.uppercased(), json, ruleVersion],
            check: recorded.map { recorded in { try recorded($0.affectedRows == 1) } })
    }
}
