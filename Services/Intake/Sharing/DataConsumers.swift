import FoundationEssentials
import HoushiRuntime
import HoushiStorage

/// The departments that ask intake for death facts over HTTP (数据共享: 公积金中心, 民政低保, …),
/// each with its own bearer token (`dc_…`, stored as SHA-256 only), and the record of every
/// question they asked: who, when, about which ID number or since when, and why. An auditor
/// lists them with `intake data-consumers queries`.
enum DataConsumers {
    static let defaultValidDays = 365

    static let migrationGroup = MigrationGroup(owner: "data-sharing", [
        Migration(version: 1, name: "data consumers and their queries", sql: """
            CREATE TABLE data_consumers (
                code text PRIMARY KEY,
                name text NOT NULL,
                token_sha256 bytea NOT NULL UNIQUE,
                token_expires_at timestamptz NOT NULL,
                token_revoked_at timestamptz,
                created_at timestamptz NOT NULL DEFAULT now());
            CREATE TABLE fact_queries (
                seq bigserial PRIMARY KEY,
                asked_at timestamptz NOT NULL DEFAULT now(),
                consumer_code text NOT NULL REFERENCES data_consumers (code),
                kind text NOT NULL CHECK (kind IN ('person', 'range')),
                id_number text,
                since timestamptz,
                page int,
                purpose text NOT NULL,
                answered int NOT NULL);
            CREATE INDEX fact_queries_by_consumer ON fact_queries (consumer_code, asked_at);
            CREATE INDEX cases_by_creation ON cases (created_at, case_id);
            """),
    ])

    struct Consumer: Sendable, Equatable {
        let code: String
        let name: String
    }

    /// What a department asked.
    enum Question: Sendable, Equatable {
        case person(idNumber: String)
        case range(since: String, page: Int)
    }

    /// Registers a consumer, or issues a new token to one (the old one stops working); returns the token.
    static func register(code: String, name: String, validDays: Int = defaultValidDays, on db: PostgresConnection) throws -> String {
        let token = BearerToken.generate(prefix: "dc_")
        try db.execute("""
            INSERT INTO data_consumers (code, name, token_sha256, token_expires_at)
            VALUES ($1, $2, \(BearerToken.hashSQL(3)), \(BearerToken.expirySQL(days: 4)))
            ON CONFLICT (code) DO UPDATE SET name = EXCLUDED.name, token_sha256 = EXCLUDED.token_sha256,
                token_expires_at = EXCLUDED.token_expires_at, token_revoked_at = NULL
            """, [code, name, token, validDays])
        return token
    }

    /// Revokes the consumer's token at once; false when no consumer has that code.
    static func revoke(code: String, on db: PostgresConnection) throws -> Bool {
        try db.execute("UPDATE data_consumers SET token_revoked_at = coalesce(token_revoked_at, now()) WHERE code = $1",
                       [code]).affectedRows == 1
    }

    /// The consumer holding `token`, or nil (also for an expired or revoked token).
    static func authenticate(token: String, on db: PostgresConnection) throws -> Consumer? {
        try db.execute("""
            SELECT code, name FROM data_consumers WHERE token_sha256 = \(BearerToken.hashSQL(1)) AND \(BearerToken.usableSQL)
            """, [token]).first.map { Consumer(code: try $0.string("code"), name: try $0.string("name")) }
    }

    /// Every consumer with its token's state and expiry, one tab-separated line each.
    static func list(on db: PostgresConnection) throws -> [String] {
        try db.execute("""
            SELECT code, name, \(BearerToken.stateSQL) AS state, \(beijingTimeSQL("token_expires_at")) AS expires
            FROM data_consumers ORDER BY code
            """).rows.map { row in
            try ["code", "name", "state", "expires"].map { try row.string($0) }.joined(separator: "\t")
        }
    }

    /// Records a question and how many facts answered it; in the transaction that read them.
    static func record(_ question: Question, by consumer: Consumer, purpose: String, answered: Int,
                       on db: PostgresConnection) throws {
        switch question {
        case .person(let idNumber):
            try db.execute("""
                INSERT INTO fact_queries (consumer_code, kind, id_number, purpose, answered) VALUES ($1, 'person', $2, $3, $4)
                """, [consumer.code, idNumber, purpose, answered])
        case .range(let since, let page):
            try db.execute("""
                INSERT INTO fact_queries (consumer_code, kind, since, page, purpose, answered)
                VALUES ($1, 'range', $2::timestamptz, $3, $4, $5)
                """, [consumer.code, since, page, purpose, answered])
        }
    }

    /// The recorded questions, oldest first, of one consumer or all, from `since` (RFC 3339) on:
    /// when (Beijing time), who, what, why, how many facts answered.
    static func queries(consumer: String?, since: String?, on db: PostgresConnection) throws -> [String] {
        try db.execute("""
            SELECT \(beijingTimeSQL("q.asked_at")) AS asked_at, q.consumer_code, d.name, q.kind,
                   coalesce(q.id_number, 'since ' || \(beijingTimeSQL("q.since")) || ' page ' || q.page) AS asked,
                   q.purpose, q.answered::text AS answered
            FROM fact_queries q JOIN data_consumers d ON d.code = q.consumer_code
            WHERE ($1::text IS NULL OR q.consumer_code = $1) AND ($2::timestamptz IS NULL OR q.asked_at >= $2::timestamptz)
            ORDER BY q.seq
            """, [consumer, since]).rows.map { row in
            try ["asked_at", "consumer_code", "name", "kind", "asked", "purpose", "answered"].map { try row.string($0) }
                .joined(separator: "\t")
        }
    }
}
