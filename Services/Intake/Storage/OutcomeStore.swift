import FoundationEssentials
import HoushiContract
import HoushiStorage

/// A requested item as an outcome left it: its status and, when rejected, the reason.
struct ItemState: Sendable, Equatable {
    let item: String
    let status: String
    let reason: String?
}

/// The statements of a department outcome on a case, in the caller's transaction: few, since
/// every case has four outcomes.
enum OutcomeStore {
    /// Locks the case, serialising its outcomes; returns the deceased's name, or nil when intake
    /// has no such case. A statement run after this one sees what earlier outcomes committed.
    static func lockCase(_ caseId: UUID, on db: PostgresConnection) throws -> String? {
        try db.execute("""
            SELECT notice->'deceased'->>'name' AS name FROM cases WHERE case_id = $1 FOR UPDATE
            """, [caseId]).first?["name"]
    }

    /// Adds the outcome to the case's timeline, queues the family's SMS (`sms`, if any), moves
    /// the item to `status` with the outcome's payload merged into its result (a late `held`
    /// never reopens an item that has ended), and returns every item of the case as it is now.
    /// Nil when the timeline already had this message: nothing changed. `json` is the outcome's
    /// envelope as received.
    static func record<P: Codable & Sendable>(
        _ outcome: Envelope<P>, json: String, item: Item, status: ItemStatus, sms: String?, on db: PostgresConnection
    ) throws -> [ItemState]? {
        let rows = try db.execute("""
            WITH event AS (
                INSERT INTO case_events (message_id, case_id, type, producer, occurred_at, payload)
                VALUES ($1, $2, $3, $4, $5::timestamptz, ($6::jsonb)->'payload') ON CONFLICT (message_id) DO NOTHING
                RETURNING case_id, payload),
            sms AS (
                INSERT INTO sms_messages (case_id, cause, phone, body)
                SELECT c.case_id, $9, c.notice->'applicant'->>'phone', $10 FROM cases c JOIN event USING (case_id)
                WHERE $10::text IS NOT NULL
                ON CONFLICT (cause) DO NOTHING),
            updated AS (
                UPDATE case_items SET status = $8, result = coalesce(result, '{}'::jsonb) || (SELECT payload FROM event), updated_at = now()
                WHERE case_id = (SELECT case_id FROM event) AND item = $7
                    AND NOT ($8 = 'held' AND status IN ('done', 'rejected'))
                RETURNING item, status, result->>'reason' AS reason)
            SELECT i.item, coalesce(u.status, i.status) AS status,
                   CASE WHEN u.item IS NULL THEN i.result->>'reason' ELSE u.reason END AS reason
            FROM case_items i LEFT JOIN updated u USING (item)
            WHERE i.case_id = $2 AND EXISTS (SELECT FROM event)
            ORDER BY i.item
            """, [outcome.id, outcome.caseId, outcome.messageType.routingKey, outcome.producer.rawValue,
                  outcome.occurredAt.rfc3339, json, item.rawValue, status.rawValue, outcome.id.lowercased, sms]).rows
        guard !rows.isEmpty else { return nil }
        return try rows.map { ItemState(item: try $0.string("item"), status: try $0.string("status"), reason: $0["reason"]) }
    }

    /// Completes an open case and queues the family's completion SMS; false when the case was
    /// not open (an earlier outcome completed it).
    static func complete(_ caseId: UUID, sms: String, on db: PostgresConnection) throws -> Bool {
        try db.execute("""
            WITH completed AS (
                UPDATE cases SET status = 'completed', completed_at = now() WHERE case_id = $1 AND status = 'open'
                RETURNING case_id, notice->'applicant'->>'phone' AS phone),
            sms AS (
                INSERT INTO sms_messages (case_id, cause, phone, body)
                SELECT case_id, $2, phone, $3 FROM completed ON CONFLICT (cause) DO NOTHING)
            SELECT count(*) AS completed FROM completed
            """, [caseId, "completed:\(caseId.lowercased)", sms]).first.map { try $0.int("completed") } == 1
    }
}
