import Foundation
import HoushiContract
import HoushiStorage

/// Requests waiting for an officer's decision, with their deadlines.
enum HeldRequests {
    struct Held: Sendable, Encodable {
        /// Lowercase, as everywhere in the API.
        let caseId: String
        let reasonCode: String
        let reason: String
        let receivedAt: String
        let deadline: String
        let overdue: Bool
    }

    static func hold(caseId: UUID, idNumber: String, reasonCode: String, reason: String, receivedAt: Timestamp,
                     deadline: Timestamp, on db: PostgresConnection) throws {
        try db.execute("""
            INSERT INTO held_requests (case_id, id_number, reason_code, reason, received_at, deadline)
            VALUES ($1, $2, $3, $4, $5::timestamptz, $6::timestamptz)
            """, [caseId, idNumber.uppercased(), reasonCode, reason, receivedAt.rfc3339, deadline.rfc3339])
    }

    /// Open items, the most urgent first.
    static func open(on db: PostgresConnection) throws -> [Held] {
        try db.execute("""
            SELECT case_id, reason_code, reason, \(Self.shanghai("received_at")) AS received_at,
                   \(Self.shanghai("deadline")) AS deadline, deadline < now() AS overdue
            FROM held_requests WHERE status = 'open' ORDER BY deadline, case_id
            """).rows.map { row in
            Held(caseId: try row.string("case_id"), reasonCode: try row.string("reason_code"),
                 reason: try row.string("reason"), receivedAt: try row.string("received_at"),
                 deadline: try row.string("deadline"), overdue: try row.bool("overdue"))
        }
    }

    /// How many open items are past their deadline.
    static func overdueCount(on db: PostgresConnection) throws -> Int {
        try db.execute("SELECT count(*) AS count FROM held_requests WHERE status = 'open' AND deadline < now()")
            .first.map { try $0.int("count") } ?? 0
    }

    /// Closes an open item with the decision; false when it is not open (decided already, or unknown).
    static func decide(caseId: UUID, approved: Bool, by officer: String, reason: String,
                       on db: PostgresConnection) throws -> Bool {
        try db.execute("""
            UPDATE held_requests SET status = $2, decided_by = $3, decided_at = now(), decision_reason = $4
            WHERE case_id = $1 AND status = 'open'
            """, [caseId, approved ? "approved" : "rejected", officer, reason]).affectedRows == 1
    }

    /// A timestamptz column as RFC 3339 text in +08:00.
    private static func shanghai(_ column: String) -> String {
        "to_char(\(column) AT TIME ZONE 'Asia/Shanghai', 'YYYY-MM-DD\"T\"HH24:MI:SS\"+08:00\"')"
    }
}
