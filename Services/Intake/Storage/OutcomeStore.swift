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
    /// Adds the outcome to the case's timeline, queues the family's SMS (`sms`: the text before and
    /// after the deceased's name, if any) and moves the item to `status` with the outcome's payload
    /// merged into its result (a late `held` never reopens an item that has ended). Deferred:
    /// `recorded` is called with the transaction's next round trip, before it commits, with false
    /// when the timeline already had this message (nothing changed), nil when intake has no such
    /// case. `json` is the outcome's envelope as received.
    static func record<P: Codable & Sendable>(
        _ outcome: Envelope<P>, json: String, item: Item, status: ItemStatus, sms: (before: String, after: String)?,
        on db: PostgresConnection, recorded: @escaping (Bool?) throws -> Void
    ) throws {
        try db.executeDeferred("""
            WITH known AS (
                SELECT case_id, notice->'applicant'->>'phone' AS phone, notice->'deceased'->>'name' AS name
                FROM cases WHERE case_id = $2),
            event AS (
                INSERT INTO case_events (message_id, case_id, type, producer, occurred_at, payload)
                SELECT $1, case_id, $3, $4, $5::timestamptz, ($6::jsonb)->'payload' FROM known
                ON CONFLICT (message_id) DO NOTHING
                RETURNING case_id, payload),
            sms AS (
                INSERT INTO sms_messages (case_id, cause, phone, body)
                SELECT k.case_id, $9, k.phone, $10 || k.name || $11 FROM known k JOIN event USING (case_id)
                WHERE $10::text IS NOT NULL
                ON CONFLICT (cause) DO NOTHING),
            updated AS (
                UPDATE case_items SET status = $8, result = coalesce(result, '{}'::jsonb) || (SELECT payload FROM event),
                    updated_at = now()
                WHERE case_id = (SELECT case_id FROM event) AND item = $7
                    AND NOT ($8 = 'held' AND status IN ('done', 'rejected')))
            SELECT (SELECT count(*) FROM known) AS known, (SELECT count(*) FROM event) AS recorded
            """, [outcome.id, outcome.caseId, outcome.messageType.routingKey, outcome.producer.rawValue,
                  outcome.occurredAt.rfc3339, json, item.rawValue, status.rawValue, outcome.id.lowercased,
                  sms?.before, sms?.after]) { result in
            guard let row = result.first, try row.int("known") == 1 else { return try recorded(nil) }
            try recorded(try row.int("recorded") == 1)
        }
    }

    /// Completes those of `caseIds` that are open and whose every item has ended (done or
    /// rejected); returns them with their items. The cases are locked first, in order, and looked
    /// at by the next statement: a transaction that recorded an outcome of one of them at the same
    /// moment has committed by then, and a case completed by it is not open any more.
    static func completeEnded(_ caseIds: [UUID], on db: PostgresConnection) throws -> [EndedCase] {
        let ids = SQLArray(caseIds.map(\.lowercased))
        try db.executeDeferred("SELECT FROM cases WHERE case_id = ANY($1::uuid[]) ORDER BY case_id FOR NO KEY UPDATE", [ids])
        let rows = try db.execute("""
            WITH completed AS (
                UPDATE cases c SET status = 'completed', completed_at = now()
                WHERE c.case_id = ANY($1::uuid[]) AND c.status = 'open'
                    AND NOT EXISTS (SELECT FROM case_items i
                                    WHERE i.case_id = c.case_id AND i.status NOT IN ('done', 'rejected'))
                RETURNING c.case_id, c.notice->'applicant'->>'phone' AS phone, c.notice->'deceased'->>'name' AS name)
            SELECT c.case_id, c.phone, c.name, i.item, i.status, i.result->>'reason' AS reason
            FROM completed c JOIN case_items i USING (case_id)
            ORDER BY c.case_id, i.item
            """, [ids]).rows
        var cases: [EndedCase] = []
        for row in rows {
            let caseId = try row.uuid("case_id")
            if cases.last?.caseId != caseId {
                cases.append(EndedCase(caseId: caseId, phone: try row.string("phone"), deceased: try row.string("name"),
                                       items: []))
            }
            cases[cases.count - 1].items.append(
                ItemState(item: try row.string("item"), status: try row.string("status"), reason: row["reason"]))
        }
        return cases
    }

    /// Queues the family's SMS on the completion of a case.
    static func queueCompletionSMS(_ ended: EndedCase, text: String, on db: PostgresConnection) throws {
        try db.executeDeferred("""
            INSERT INTO sms_messages (case_id, cause, phone, body) VALUES ($1, $2, $3, $4) ON CONFLICT (cause) DO NOTHING
            """, [ended.caseId, "completed:\(ended.caseId.lowercased)", ended.phone, text])
    }
}

/// A case `OutcomeStore.completeEnded` completed, with what its SMS and `case.completed` need.
struct EndedCase: Sendable, Equatable {
    let caseId: UUID
    let phone: String
    let deceased: String
    var items: [ItemState]
}
