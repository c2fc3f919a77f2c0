import FoundationEssentials
import HoushiContract
import HoushiRuntime
import HoushiStorage

/// The statements of the centre's handlers and commands, in the caller's transaction.
enum FundLedger {
    /// Adds or updates an account; a frozen or closed account keeps its status.
    static func upsert(_ account: Account, on db: PostgresConnection) throws {
        try db.execute("""
            INSERT INTO accounts (account_number, id_number, name, employer, balance_fen) VALUES ($1, $2, $3, $4, $5)
            ON CONFLICT (account_number) DO UPDATE SET id_number = excluded.id_number, name = excluded.name,
                employer = excluded.employer, balance_fen = excluded.balance_fen, updated_at = now()
            """, [account.number, account.idNumber, account.name, account.employer, account.balanceFen])
    }

    /// Records the case's facts of `death.recorded` (the newest by `factsAt` wins), locking the
    /// case's row for the decision; returns where the case stands.
    static func recordDeath(caseId: UUID, _ death: DeathRecorded, factsAt: Timestamp,
                            on db: PostgresConnection) throws -> CaseStanding {
        try db.execute("""
            INSERT INTO case_facts (case_id, id_number, name, died_at, certificate_number, facts_at)
            VALUES ($1, $2, $3, $4::timestamptz, $5, $6::timestamptz)
            ON CONFLICT (case_id) DO UPDATE SET id_number = excluded.id_number, name = excluded.name,
                died_at = excluded.died_at, certificate_number = excluded.certificate_number, facts_at = excluded.facts_at
            WHERE case_facts.facts_at IS NULL OR case_facts.facts_at < excluded.facts_at
            """, [caseId, death.idNumber, death.name, death.diedAt.rfc3339, death.certificateNumber, factsAt.rfc3339])
        return try standing(caseId: caseId, on: db)
    }

    /// Records that the case's death was withdrawn, locking the case's row first (so that a
    /// death.recorded handled at the same moment is decided before or after, never beside it);
    /// returns where the case stands.
    static func recordWithdrawal(caseId: UUID, _ withdrawn: DeathWithdrawn, on db: PostgresConnection) throws -> CaseStanding {
        try db.execute("""
            INSERT INTO case_facts (case_id, id_number, withdrawn_at) VALUES ($1, $2, $3::timestamptz)
            ON CONFLICT (case_id) DO UPDATE SET withdrawn_at = coalesce(case_facts.withdrawn_at, excluded.withdrawn_at)
            """, [caseId, withdrawn.idNumber, withdrawn.withdrawnAt.rfc3339])
        return try standing(caseId: caseId, on: db)
    }

    /// Records the cremation's time on the case.
    static func recordCremation(caseId: UUID, _ cremation: CremationRecorded, on db: PostgresConnection) throws {
        try db.execute("""
            INSERT INTO case_facts (case_id, id_number, cremated_at) VALUES ($1, $2, $3::timestamptz)
            ON CONFLICT (case_id) DO UPDATE SET cremated_at = excluded.cremated_at
            """, [caseId, cremation.idNumber, cremation.crematedAt.rfc3339])
    }

    /// The deceased's account under the ID number, locked for the decision.
    static func account(idNumber: String, on db: PostgresConnection) throws -> AccountStanding {
        guard let row = try db.execute(
            "SELECT account_number, balance_fen, status FROM accounts WHERE id_number = $1 FOR UPDATE", [idNumber]).first
        else { return .none }
        let number = try row.string("account_number")
        return try row.string("status") == "closed" ? .closed(number: number) : .open(number: number, balanceFen: try row.int64("balance_fen"))
    }

    /// Freezes the account for the case and opens its withdrawal; returns the withdrawal's number.
    static func openWithdrawal(caseId: UUID, account: String, balanceFen: Int64, on db: PostgresConnection) throws -> String {
        try db.execute("UPDATE accounts SET status = 'frozen', frozen_for = $2, updated_at = now() WHERE account_number = $1",
                       [account, caseId])
        return try db.execute("""
            INSERT INTO withdrawals (case_number, case_id, account_number, balance_fen, status)
            VALUES ('GJJ-' || to_char(now() AT TIME ZONE 'Asia/Shanghai', 'YYYY') || '-'
                        || lpad(nextval('withdrawal_numbers')::text, 6, '0'), $1, $2, $3, 'awaiting-heirs')
            RETURNING case_number
            """, [caseId, account, balanceFen]).rows[0].string("case_number")
    }

    /// Unfreezes the account the case froze and cancels its withdrawal; returns the withdrawal's number.
    static func reverseWithdrawal(caseId: UUID, on db: PostgresConnection) throws -> String? {
        try db.execute("""
            UPDATE accounts SET status = 'active', frozen_for = NULL, updated_at = now()
            WHERE frozen_for = $1 AND status = 'frozen'
            """, [caseId])
        return try db.execute("""
            UPDATE withdrawals SET status = 'cancelled', cancelled_at = now()
            WHERE case_id = $1 AND status = 'awaiting-heirs' RETURNING case_number
            """, [caseId]).first?["case_number"]
    }

    /// The case's row locked, with its withdrawal's status.
    private static func standing(caseId: UUID, on db: PostgresConnection) throws -> CaseStanding {
        guard let row = try db.execute("""
            SELECT f.withdrawn_at IS NOT NULL AS withdrawn, w.status
            FROM case_facts f LEFT JOIN withdrawals w USING (case_id) WHERE f.case_id = $1 FOR UPDATE OF f
            """, [caseId]).first
        else { return CaseStanding() }
        return CaseStanding(withdrawn: try row.bool("withdrawn"), withdrawal: row["status"].flatMap(WithdrawalStatus.init(rawValue:)))
    }

    /// The withdrawals, newest first: number, case, account, balance in yuan, status, opened, cancelled.
    static func withdrawals(on db: PostgresConnection) throws -> [String] {
        try db.execute("""
            SELECT case_number, case_id::text, account_number, balance_fen, status,
                   to_char(opened_at AT TIME ZONE 'Asia/Shanghai', 'YYYY-MM-DD HH24:MI') AS opened,
                   coalesce(to_char(cancelled_at AT TIME ZONE 'Asia/Shanghai', 'YYYY-MM-DD HH24:MI'), '') AS cancelled
            FROM withdrawals ORDER BY opened_at DESC
            """).rows.map { row in
            [try row.string("case_number"), try row.string("case_id"), try row.string("account_number"),
             yuan(try row.int64("balance_fen")), try row.string("status"), try row.string("opened"),
             try row.string("cancelled")].joined(separator: "\t")
        }
    }
}
