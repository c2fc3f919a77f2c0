import FoundationEssentials
import HoushiContract
import HoushiStorage
import Logging

/// A requested item as an outcome left it: its status and, when rejected, the reason.
struct ItemState: Sendable, Equatable {
    let item: String
    let status: String
    let reason: String?
}

/// A department's outcome as its handler leaves it to be recorded (`OutcomeStore.record`).
struct ItemOutcomeRecord {
    let header: EnvelopeHeader
    /// The envelope as received.
    let json: String
    let item: Item
    let status: ItemStatus
    /// The family's SMS: the text before and after the deceased's name, if any.
    let sms: (before: String, after: String)?
    let logger: Logger
}

/// The statements of department outcomes on cases, in the caller's transaction: few, since every
/// case has four outcomes.
enum OutcomeStore {
    /// Adds each outcome to its case's timeline, queues the family's SMS and moves the item to the
    /// outcome's status with its payload merged into the item's result (a late `held` never reopens
    /// an item that has ended; `reversed` is final; once the case is withdrawn only `held` and
    /// `reversed` move an item, and only they are texted to the family): one statement for all of
    /// them, or one more for each further outcome of the same item, so that those apply in order. Deferred: `recorded` is called for each
    /// outcome with the transaction's next round trip, before it commits: false when the timeline
    /// already had the message (nothing changed), nil when intake has no such case.
    static func record(_ outcomes: [ItemOutcomeRecord], on db: PostgresConnection,
                       recorded: @escaping (ItemOutcomeRecord, Bool?) throws -> Void) throws {
        for round in rounds(outcomes) {
            try db.executeDeferred("""
                WITH outcome AS (
                    SELECT o.*, $6::jsonb -> (o.position::int - 1) -> 'payload' AS payload
                    FROM unnest($1::uuid[], $2::uuid[], $3::text[], $4::text[], $5::timestamptz[], $7::text[],
                                $8::text[], $9::text[], $10::text[], $11::text[])
                        WITH ORDINALITY AS o (message_id, case_id, type, producer, occurred_at, item, status, cause,
                                              sms_before, sms_after, position)),
                known AS (
                    SELECT o.*, c.notice->'applicant'->>'phone' AS phone, c.notice->'deceased'->>'name' AS name,
                           c.status = 'withdrawn' AS withdrawn
                    FROM outcome o JOIN cases c USING (case_id)),
                event AS (
                    INSERT INTO case_events (message_id, case_id, type, producer, occurred_at, payload)
                    SELECT message_id, case_id, type, producer, occurred_at, payload FROM known ORDER BY position
                    ON CONFLICT (message_id) DO NOTHING
                    RETURNING message_id),
                fresh AS (SELECT known.* FROM known JOIN event USING (message_id)),
                sms AS (
                    INSERT INTO sms_messages (case_id, cause, phone, body)
                    SELECT case_id, cause, phone, sms_before || name || sms_after FROM fresh
                    WHERE cause <> '' AND (NOT withdrawn OR status IN ('held', 'reversed'))
                    ORDER BY position
                    ON CONFLICT (cause) DO NOTHING),
                updated AS (
                    UPDATE case_items i SET status = f.status, result = coalesce(i.result, '{}'::jsonb) || f.payload,
                        updated_at = now()
                    FROM fresh f
                    WHERE i.case_id = f.case_id AND i.item = f.item AND i.status <> 'reversed'
                        AND CASE WHEN f.withdrawn THEN f.status IN ('held', 'reversed')
                                 ELSE NOT (f.status = 'held' AND i.status IN ('done', 'rejected')) END)
                SELECT k.case_id IS NOT NULL AS known, e.message_id IS NOT NULL AS recorded
                FROM outcome o LEFT JOIN known k USING (position) LEFT JOIN event e ON e.message_id = o.message_id
                ORDER BY o.position
                """, CaseStore.timelineParameters(round.map(\.header), envelopes: round.map(\.json)) + [
                      SQLArray(round.map(\.item.rawValue)), SQLArray(round.map(\.status.rawValue)),
                      SQLArray(round.map { $0.sms == nil ? "" : $0.header.id.lowercased }),
                      SQLArray(round.map { $0.sms?.before ?? "" }), SQLArray(round.map { $0.sms?.after ?? "" })]) { result in
                guard result.rows.count == round.count else {
                    throw PostgresError(message: "outcomes recorded: \(result.rows.count) rows for \(round.count)")
                }
                for (outcome, row) in zip(round, result.rows) {
                    try recorded(outcome, try row.bool("known") ? try row.bool("recorded") : nil)
                }
            }
        }
    }

    /// `outcomes` in rounds, each in the order given, that hold the first, the second, … outcome
    /// of each item of a case: a statement updates an item once.
    static func rounds(_ outcomes: [ItemOutcomeRecord]) -> [[ItemOutcomeRecord]] {
        var rounds: [[ItemOutcomeRecord]] = []
        var seen: [String: Int] = [:]
        for outcome in outcomes {
            let key = outcome.header.caseId.lowercased + outcome.item.rawValue
            let round = seen[key, default: 0]
            seen[key] = round + 1
            if round == rounds.count { rounds.append([]) }
            rounds[round].append(outcome)
        }
        return rounds
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

    /// Marks those of `caseIds` that are withdrawn and whose every item is now reversed as
    /// reversed (once); returns them with the family's phone and the deceased's name. Runs after
    /// `completeEnded`, under its locks.
    static func markReversed(_ caseIds: [UUID], on db: PostgresConnection) throws -> [EndedCase] {
        try db.execute("""
            UPDATE cases c SET reversed_at = now()
            WHERE c.case_id = ANY($1::uuid[]) AND c.status = 'withdrawn' AND c.reversed_at IS NULL
                AND NOT EXISTS (SELECT FROM case_items i WHERE i.case_id = c.case_id AND i.status <> 'reversed')
            RETURNING c.case_id, c.notice->'applicant'->>'phone' AS phone, c.notice->'deceased'->>'name' AS name
            """, [SQLArray(caseIds.map(\.lowercased))]).rows.map { row in
            EndedCase(caseId: try row.uuid("case_id"), phone: try row.string("phone"), deceased: try row.string("name"),
                      items: [])
        }
    }

    /// Queues the family's SMS on an event of the whole case (`cause`: its completion, its
    /// withdrawal, the end of its reversal), once per event.
    static func queueCaseSMS(_ ended: EndedCase, text: String, cause: String = "completed",
                             on db: PostgresConnection) throws {
        try db.executeDeferred("""
            INSERT INTO sms_messages (case_id, cause, phone, body) VALUES ($1, $2, $3, $4) ON CONFLICT (cause) DO NOTHING
            """, [ended.caseId, "\(cause):\(ended.caseId.lowercased)", ended.phone, text])
    }
}

/// A case `OutcomeStore.completeEnded` completed, with what its SMS and `case.completed` need.
struct EndedCase: Sendable, Equatable {
    let caseId: UUID
    let phone: String
    let deceased: String
    var items: [ItemState]
}
