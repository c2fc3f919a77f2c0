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

    /// The person with `idNumber`, locked for this transaction unless `locked` is false (a
    /// reader that changes only the medical account need not wait for the pension's handlers).
    static func person(_ idNumber: String, locked: Bool = true, on db: PostgresConnection) throws -> InsuredPerson? {
        guard let row = try db.execute("""
            SELECT id_number, name, insured_here, employer_type, retired, pension_start, monthly_pension_fen,
                   personal_account_balance_fen,
                   (SELECT max(month) FROM pension_payments m WHERE m.id_number = p.id_number) AS paid_through,
                   (SELECT balance_fen FROM medical_accounts a WHERE a.id_number = p.id_number AND a.status = 'open')
                       AS medical_balance
            FROM insured_persons p WHERE id_number = $1
            """ + (locked ? " FOR UPDATE" : ""), [idNumber.uppercased()]).first
        else { return nil }
        return InsuredPerson(
            idNumber: try row.string("id_number"), name: try row.string("name"),
            insuredHere: try row.bool("insured_here"),
            employerType: EmployerType(rawValue: try row.string("employer_type")) ?? .enterprise,
            retired: try row.bool("retired"), pensionStart: row["pension_start"].flatMap(YearMonth.init),
            monthlyPensionFen: try row.int64("monthly_pension_fen"), paidThrough: row["paid_through"].flatMap(YearMonth.init),
            personalAccountBalanceFen: try row.int64("personal_account_balance_fen"),
            medicalAccountBalanceFen: row["medical_balance"].flatMap { Int64($0) })
    }

    /// The months paid to the person with `idNumber`, oldest first.
    static func ledger(of idNumber: String, on db: PostgresConnection) throws -> [LedgerEntry] {
        try db.execute("SELECT month, amount_fen FROM pension_payments WHERE id_number = $1 ORDER BY month",
                       [idNumber.uppercased()]).rows.compactMap { payment -> LedgerEntry? in
            guard let month = YearMonth(try payment.string("month")) else { return nil }
            return LedgerEntry(month: month, amountFen: try payment.int64("amount_fen"), paid: true)
        }
    }

    /// Closes the person's open medical account for `caseId`; returns the balance it held, or nil
    /// when the person has no open account.
    static func closeMedicalAccount(_ idNumber: String, caseId: UUID, at closedAt: Timestamp,
                                    on db: PostgresConnection) throws -> Int64? {
        try db.execute("""
            UPDATE medical_accounts SET status = 'closed', closed_at = $2::timestamptz, closed_for_case = $3
            WHERE id_number = $1 AND status = 'open' RETURNING balance_fen
            """, [idNumber.uppercased(), closedAt.rfc3339, caseId]).first.map { try $0.int64("balance_fen") }
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

    /// Records a settlement once per case and item; false when it was recorded before.
    static func recordSettlement<P: Encodable>(_ figures: P, caseId: UUID, item: Item, idNumber: String,
                                               ruleVersion: String?, on db: PostgresConnection) throws -> Bool {
        let json = String(decoding: try MessageCodec().encodeValue(figures), as: UTF8.self)
        return try db.execute("""
            INSERT INTO settlements (case_id, item, id_number, figures, rule_version) VALUES ($1, $2, $3, $4::jsonb, $5)
            ON CONFLICT DO NOTHING
            """, [caseId, item.rawValue, idNumber.uppercased(), json, ruleVersion]).affectedRows == 1
    }
}
