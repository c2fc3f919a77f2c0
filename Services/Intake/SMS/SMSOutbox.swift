import FoundationEssentials
import HoushiContract
import HoushiStorage

/// One text message to the family, stored in the same transaction as the outcome it reports.
struct SMS: Sendable, Equatable {
    let id: Int64
    let caseId: UUID
    let phone: String
    var text: String
    let attempts: Int
}

/// The family's messages waiting to be sent: written with the case's changes, sent by the
/// `SMSNotifier`, retried with back-off, never lost.
enum SMSOutbox {
    static let migration = Migration(version: 2, formerly: 11, name: "family SMS", sql: """
        CREATE TABLE sms_messages (
            id bigserial PRIMARY KEY,
            case_id uuid NOT NULL REFERENCES cases (case_id),
            cause text NOT NULL UNIQUE,
            phone text NOT NULL,
            body text NOT NULL,
            created_at timestamptz NOT NULL DEFAULT now(),
            attempts integer NOT NULL DEFAULT 0,
            next_attempt_at timestamptz NOT NULL DEFAULT now(),
            last_error text,
            sent_at timestamptz);
        CREATE INDEX sms_due ON sms_messages (next_attempt_at) WHERE sent_at IS NULL;
        """)

    /// Unsent messages are taken oldest first by id, so that a lease, which moves
    /// `next_attempt_at`, changes no indexed column and leaves no index entry behind; and
    /// pages keep room for those updates.
    static let unsentByIdMigration = Migration(version: 4, formerly: 13, name: "unsent SMS by id", sql: """
        DROP INDEX sms_due;
        CREATE INDEX sms_unsent ON sms_messages (id) WHERE sent_at IS NULL;
        ALTER TABLE sms_messages SET (fillfactor = 80);
        """)

    /// Vacuums the SMS table after a fixed number of changed rows, as `Outbox.vacuumMigration` does
    /// the outbox: each lease walks `sms_unsent`'s entries for messages since sent until a vacuum
    /// removes them.
    static let vacuumMigration = Migration(version: 6, formerly: 15, name: "SMS vacuumed by count", sql: """
        ALTER TABLE sms_messages SET (autovacuum_vacuum_scale_factor = 0, autovacuum_vacuum_threshold = 10000,
                                      vacuum_index_cleanup = on);
        """)

    /// Takes up to `limit` due messages, oldest first, leasing them for `lease` so that no other notifier sends
    /// them meanwhile (a notifier that dies mid-send leaves them due again when the lease ends).
    static func lease(limit: Int, for lease: Duration, on db: PostgresConnection) throws -> [SMS] {
        try db.execute("""
            UPDATE sms_messages SET next_attempt_at = now() + make_interval(secs => $2::float8), attempts = attempts + 1
            WHERE id IN (SELECT id FROM sms_messages WHERE sent_at IS NULL AND next_attempt_at <= now()
                         ORDER BY id LIMIT $1 FOR UPDATE SKIP LOCKED)
            RETURNING id, case_id, phone, body, attempts
            """, [limit, String(lease.seconds)]).rows.map { row in
            SMS(id: try row.int64("id"), caseId: try row.uuid("case_id"), phone: try row.string("phone"),
                text: try row.string("body"), attempts: try row.int("attempts"))
        }
    }

    static func markSent(_ ids: [Int64], on db: PostgresConnection) throws {
        try db.executeDeferred("UPDATE sms_messages SET sent_at = now(), last_error = NULL WHERE id = ANY($1::bigint[])",
                       [SQLArray(ids)])
    }

    /// Makes leased messages that were not tried due again, their attempt not counted.
    static func release(_ ids: [Int64], on db: PostgresConnection) throws {
        try db.execute("""
            UPDATE sms_messages SET next_attempt_at = now(), attempts = attempts - 1 WHERE id = ANY($1::bigint[])
            """, [SQLArray(ids)])
    }

    /// Schedules another attempt after `delay`, keeping the error for operators.
    static func retry(_ id: Int64, after delay: Duration, error: String, on db: PostgresConnection) throws {
        try db.execute("""
            UPDATE sms_messages SET next_attempt_at = now() + make_interval(secs => $2::float8), last_error = $3 WHERE id = $1
            """, [id, String(delay.seconds), error])
    }
}
