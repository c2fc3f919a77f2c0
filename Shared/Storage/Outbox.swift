import FoundationEssentials
import HoushiText

/// A message waiting in the service's `outbox` table to be published.
public struct OutboxMessage: Sendable, Equatable {
    public var messageId: UUID
    public var exchange: String
    public var routingKey: String
    public var caseId: UUID?
    /// AMQP headers (trace context, dead-letter reason, …).
    public var headers: [String: String]
    public var body: Data

    public init(messageId: UUID, exchange: String, routingKey: String, caseId: UUID?,
                headers: [String: String] = [:], body: Data) {
        self.messageId = messageId
        self.exchange = exchange
        self.routingKey = routingKey
        self.caseId = caseId
        self.headers = headers
        self.body = body
    }

    /// The headers as the JSON object the `headers` column holds.
    var headersJSON: String {
        get throws { String(decoding: try JSONEncoder().encode(headers), as: UTF8.self) }
    }
}

/// The transactional outbox and inbox (DESIGN.md reliability rules 1 and 2): the tables and the
/// statements on them, run on a connection the caller owns.
public enum Outbox {
    /// Creates `outbox` and `inbox` in the service's schema. Inserting into the outbox notifies
    /// `<schema>_outbox` at commit (nothing listens since the outbox publisher polls).
    public static let migration = Migration(version: 1, formerly: 1, name: "outbox and inbox", sql: """
        CREATE TABLE outbox (
            seq bigserial PRIMARY KEY,
            message_id uuid NOT NULL UNIQUE,
            exchange text NOT NULL,
            routing_key text NOT NULL,
            case_id uuid,
            headers jsonb NOT NULL DEFAULT '{}',
            body bytea NOT NULL,
            created_at timestamptz NOT NULL DEFAULT now(),
            sent_at timestamptz);
        CREATE INDEX outbox_unsent ON outbox (seq) WHERE sent_at IS NULL;
        CREATE TABLE inbox (
            message_id uuid PRIMARY KEY,
            routing_key text NOT NULL,
            case_id uuid,
            processed_at timestamptz NOT NULL DEFAULT now());
        CREATE FUNCTION notify_outbox() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            PERFORM pg_notify(TG_TABLE_SCHEMA || '_outbox', '');
            RETURN NULL;
        END $$;
        CREATE TRIGGER outbox_inserted AFTER INSERT ON outbox
            FOR EACH STATEMENT EXECUTE FUNCTION notify_outbox();
        """)

    /// Vacuums the outbox after a fixed number of changed rows instead of PostgreSQL's default, a
    /// fifth of the table. The outbox publisher's relay finds unsent rows through `outbox_unsent`, whose entries for
    /// rows since sent stay until a vacuum removes them, and every batch walks past them: with the
    /// default their number grows with the table (intake's batch lock took 1 ms on a fresh database
    /// and 23 ms with 875,000 rows). Index cleanup is never skipped, since those entries are the point.
    public static let vacuumMigration = Migration(version: 2, formerly: 5, name: "outbox vacuumed by count", sql: """
        ALTER TABLE outbox SET (autovacuum_vacuum_scale_factor = 0, autovacuum_vacuum_threshold = 10000,
                                vacuum_index_cleanup = on);
        """)

    /// The message columns carry no statistics: no statement filters or sorts on them, and
    /// autovacuum's ANALYZE spent most of its time sorting their sampled values (`perf` at 100
    /// cases/s: ANALYZE 8.9 % of the machine; intake's outbox analyzed in 191 ms instead of 326).
    public static let statisticsMigration = Migration(version: 3, formerly: 6, name: "outbox messages without statistics", sql: """
        ALTER TABLE outbox ALTER COLUMN body SET STATISTICS 0, ALTER COLUMN headers SET STATISTICS 0;
        """)

    /// Claims (`claimed_until`): a row its writer will publish itself right after the commit
    /// (`enqueue(_:claimedFor:on:)`) is left alone by the relays until the claim ends; a claim
    /// whose writer died is found by a relay's poll once it has ended. Only unclaimed rows (an
    /// administrator's command wrote them) notify `<schema>_outbox`.
    public static let claimMigration = Migration(version: 4, formerly: 7, name: "outbox claims", sql: """
        ALTER TABLE outbox ADD COLUMN claimed_until timestamptz;
        DROP TRIGGER outbox_inserted ON outbox;
        CREATE TRIGGER outbox_inserted AFTER INSERT ON outbox
            FOR EACH ROW WHEN (NEW.claimed_until IS NULL) EXECUTE FUNCTION notify_outbox();
        """)

    /// Rows the broker would refuse (a type the service does not own, a dead letter under
    /// another's name) move to `outbox_refused` with the reason, out of the relays' way.
    public static let refusedMigration = Migration(version: 5, formerly: 21, name: "refused outbox rows", sql: """
        CREATE TABLE outbox_refused (
            seq bigint PRIMARY KEY,
            message_id uuid NOT NULL,
            exchange text NOT NULL,
            routing_key text NOT NULL,
            case_id uuid,
            headers jsonb NOT NULL,
            body bytea NOT NULL,
            created_at timestamptz NOT NULL,
            refused_at timestamptz NOT NULL DEFAULT now(),
            reason text NOT NULL);
        """)

    /// The inbox found by age for its housekeeping: a BRIN index, a few pages for the whole
    /// table, as ids are inserted in time order.
    public static let inboxAgeMigration = Migration(version: 6, name: "inbox by age", sql: """
        CREATE INDEX inbox_by_age ON inbox USING brin (processed_at);
        """)

    /// The outbox's and inbox's migrations, in every service's schema.
    public static let migrationGroup = MigrationGroup(owner: "outbox", [
        migration, vacuumMigration, statisticsMigration, claimMigration, refusedMigration, inboxAgeMigration,
    ])

    /// Deletes the ids of messages consumed more than `days` days ago, `batch` per statement (so
    /// that no deletion holds the inbox for long); returns how many. A redelivery of a message
    /// comes within minutes of its first delivery, so its id need not be kept for ever.
    public static func pruneInbox(olderThanDays days: Int, batch: Int = 5_000, on db: PostgresConnection) throws -> Int {
        var pruned = 0
        while true {
            let deleted = try db.execute("""
                DELETE FROM inbox WHERE message_id IN (
                    SELECT message_id FROM inbox WHERE processed_at < now() - make_interval(days => $1::int) LIMIT $2)
                """, [days, batch]).affectedRows
            pruned += deleted
            if deleted < batch { return pruned }
        }
    }

    /// The NOTIFY channel of a schema's outbox.
    public static func channel(schema: String) -> String { "\(schema)_outbox" }

    /// Adds a message to the outbox in the caller's transaction (deferred: it goes to the server
    /// with the transaction's next statement or its COMMIT). With `claim`, the caller publishes it
    /// after the commit and marks it sent (`markSent(messageIds:on:)`); the relays take it only if
    /// it is still unsent when the claim ends.
    public static func enqueue(_ message: OutboxMessage, claimedFor claim: Duration? = nil,
                               on db: PostgresConnection) throws {
        try db.executeDeferred("""
            INSERT INTO outbox (message_id, exchange, routing_key, case_id, headers, body, claimed_until)
            VALUES ($1, $2, $3, $4, $5::jsonb, $6, now() + make_interval(secs => $7::float8))
            """, [message.messageId, message.exchange, message.routingKey, message.caseId, try message.headersJSON,
                  message.body, claimSeconds(claim)])
    }

    /// Adds several messages in one statement, in this order (their `seq`s ascend likewise), each
    /// claimed as `enqueue(_:claimedFor:on:)` claims one.
    public static func enqueue(_ messages: [OutboxMessage], claimedFor claim: Duration? = nil,
                               on db: PostgresConnection) throws {
        guard messages.count > 1 else {
            return try messages.first.map { try enqueue($0, claimedFor: claim, on: db) } ?? ()
        }
        try db.executeDeferred("""
            INSERT INTO outbox (message_id, exchange, routing_key, case_id, headers, body, claimed_until)
            SELECT message_id, exchange, routing_key, NULLIF(case_id, '')::uuid, headers::jsonb, body,
                   now() + make_interval(secs => $7::float8)
            FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::text[], $6::bytea[])
                WITH ORDINALITY AS m (message_id, exchange, routing_key, case_id, headers, body, position)
            ORDER BY position
            """, [SQLArray(messages.map { $0.messageId.lowercased }), SQLArray(messages.map(\.exchange)),
                  SQLArray(messages.map(\.routingKey)), SQLArray(messages.map { $0.caseId?.lowercased ?? "" }),
                  SQLArray(try messages.map { try $0.headersJSON }), SQLArray(messages.map { $0.body.sqlText ?? "" }),
                  claimSeconds(claim)])
    }

    /// A claim as the `$7::float8` seconds the enqueueing statements add to `now()` (NULL: none).
    private static func claimSeconds(_ claim: Duration?) -> Int? {
        claim.map { Int($0.components.seconds) }
    }

    /// Locks up to `limit` unsent messages, oldest first, skipping those another relay holds and
    /// those claimed by their writer.
    /// Call inside a transaction; mark them with `markSent` before it commits.
    public static func lockUnsent(limit: Int, on db: PostgresConnection) throws -> [(seq: Int64, message: OutboxMessage)] {
        try db.execute("""
            SELECT seq, message_id, exchange, routing_key, case_id, headers::text AS headers, body
            FROM outbox WHERE sent_at IS NULL AND (claimed_until IS NULL OR claimed_until < now())
            ORDER BY seq LIMIT $1 FOR UPDATE SKIP LOCKED
            """, [limit]).rows.map { row in
            let headers = try JSONDecoder().decode([String: String].self, from: Data(try row.string("headers").utf8))
            let message = OutboxMessage(
                messageId: try row.uuid("message_id"), exchange: try row.string("exchange"),
                routingKey: try row.string("routing_key"), caseId: row["case_id"] == nil ? nil : try row.uuid("case_id"),
                headers: headers, body: try row.bytes("body"))
            return (try row.int64("seq"), message)
        }
    }

    /// Moves rows that can never be published to `outbox_refused`, each with its reason, in the
    /// caller's transaction (deferred, as `markSent`).
    public static func setAside(_ refusals: [(seq: Int64, reason: String)], on db: PostgresConnection) throws {
        guard !refusals.isEmpty else { return }
        try db.executeDeferred("""
            WITH refused AS (SELECT * FROM unnest($1::bigint[], $2::text[]) AS r (seq, reason)),
                 moved AS (DELETE FROM outbox WHERE seq IN (SELECT seq FROM refused) RETURNING *)
            INSERT INTO outbox_refused (seq, message_id, exchange, routing_key, case_id, headers, body, created_at, reason)
            SELECT m.seq, m.message_id, m.exchange, m.routing_key, m.case_id, m.headers, m.body, m.created_at, r.reason
            FROM moved m JOIN refused r USING (seq)
            """, [SQLArray(refusals.map(\.seq)), SQLArray(refusals.map(\.reason))])
    }

    public static func markSent(_ seqs: [Int64], on db: PostgresConnection) throws {
        try db.executeDeferred("UPDATE outbox SET sent_at = now() WHERE seq = ANY($1::bigint[])", [SQLArray(seqs)])
    }

    /// Lets the marks of sent rows on this connection commit without waiting for the WAL to reach
    /// the disk (`inTransaction`: only the current transaction's, deferred to its next statement): a
    /// mark lost in a database crash only publishes those rows again, which the inboxes absorb.
    public static func commitSentMarksAsynchronously(on db: PostgresConnection, inTransaction: Bool = false) throws {
        let statement = "SELECT set_config('synchronous_commit', 'off', \(inTransaction))"
        if inTransaction { try db.executeDeferred(statement) } else { try db.execute(statement) }
    }

    /// Marks messages their writer published (deferred, as `markSent`); a relay may have sent one
    /// already, after its claim ended, and its time stays. No `sent_at IS NULL` in the condition:
    /// with it, a generic plan may walk `outbox_unsent`, whose entries for rows sent since the last
    /// vacuum are many, instead of looking the ids up by `message_id`.
    public static func markSent(messageIds: [UUID], on db: PostgresConnection) throws {
        try db.executeDeferred("UPDATE outbox SET sent_at = coalesce(sent_at, now()) WHERE message_id = ANY($1::uuid[])",
                               [SQLArray(messageIds.map(\.lowercased))])
    }

    /// Records consumed message ids in the caller's transaction, in one statement; returns those
    /// recorded now. Any other was recorded before (or is repeated in `messages`): a duplicate
    /// that must change nothing.
    public static func recordReceived(_ messages: [(id: UUID, routingKey: String, caseId: UUID)],
                                      on db: PostgresConnection) throws -> Set<UUID> {
        Set(try db.execute("""
            INSERT INTO inbox (message_id, routing_key, case_id)
            SELECT * FROM unnest($1::uuid[], $2::text[], $3::uuid[])
            ON CONFLICT (message_id) DO NOTHING RETURNING message_id
            """, [SQLArray(messages.map(\.id.lowercased)), SQLArray(messages.map(\.routingKey)),
                  SQLArray(messages.map(\.caseId.lowercased))]).rows.map { try $0.uuid("message_id") })
    }
}
