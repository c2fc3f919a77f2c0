import FoundationEssentials
import HoushiRuntime
import HoushiStorage
import Hummingbird
import ServiceLifecycle

/// Sessions of signed-in staff kept in the service's own schema, so that every replica and a
/// restarted process know them: Hummingbird's `PersistDriver` over the `sessions` table. Keys
/// (the session cookie's value) are stored only as SHA-256; values as JSON.
public struct StoredSessions: PersistDriver {
    let database: Database

    public init(database: Database) {
        self.database = database
    }

    /// The table, for a service's migrations.
    public static let tableSQL = """
        CREATE TABLE sessions (
            key_sha256 bytea PRIMARY KEY,
            value jsonb NOT NULL,
            expires_at timestamptz,
            created_at timestamptz NOT NULL DEFAULT now());
        CREATE INDEX sessions_by_expiry ON sessions (expires_at);
        """

    /// The table as its own owner's migrations; `formerly` the number it had in the service's
    /// former single numbering.
    public static func migrationGroup(formerly: Int) -> MigrationGroup {
        MigrationGroup(owner: "sessions", [Migration(version: 1, formerly: formerly, name: "staff sessions", sql: tableSQL)])
    }

    public func run() async throws {
        try? await gracefulShutdown()
    }

    public func create<Object: Codable & Sendable>(key: String, value: Object, expires: Duration?) async throws {
        let json = try Self.encode(value)
        let created = try await database.withConnection { db in
            try db.execute("""
                INSERT INTO sessions (key_sha256, value, expires_at)
                VALUES (\(BearerToken.hashSQL(1)), $2::jsonb, now() + $3::bigint * interval '1 second')
                ON CONFLICT (key_sha256) DO UPDATE SET value = EXCLUDED.value, expires_at = EXCLUDED.expires_at
                    WHERE sessions.expires_at <= now()
                RETURNING 1
                """, [key, json, expires.map(Self.seconds)]).first != nil
        }
        if !created { throw PersistError.duplicate }
    }

    public func set<Object: Codable & Sendable>(key: String, value: Object, expires: Duration?) async throws {
        let json = try Self.encode(value)
        try await database.withConnection { db in
            try db.execute("""
                INSERT INTO sessions (key_sha256, value, expires_at)
                VALUES (\(BearerToken.hashSQL(1)), $2::jsonb, now() + $3::bigint * interval '1 second')
                ON CONFLICT (key_sha256) DO UPDATE SET value = EXCLUDED.value,
                    expires_at = coalesce(EXCLUDED.expires_at, sessions.expires_at)
                """, [key, json, expires.map(Self.seconds)])
        }
    }

    public func get<Object: Codable & Sendable>(key: String, as: Object.Type) async throws -> Object? {
        try await getWithTTL(key: key, as: Object.self)?.object
    }

    public func getWithTTL<Object: Codable & Sendable>(key: String, as: Object.Type) async throws
        -> (object: Object, ttl: Duration?)? {
        let row = try await database.withConnection { db in
            try db.execute("""
                SELECT value::text AS value, extract(epoch FROM expires_at - now())::double precision AS ttl
                FROM sessions WHERE key_sha256 = \(BearerToken.hashSQL(1)) AND (expires_at IS NULL OR expires_at > now())
                """, [key]).first.map { row in (try row.string("value"), row["ttl"].flatMap(Double.init)) }
        }
        guard let (json, ttl) = row else { return nil }
        guard let object = try? JSONDecoder().decode(Object.self, from: Data(json.utf8)) else { return nil }
        return (object, ttl.map { .milliseconds(Int64($0 * 1000)) })
    }

    public func remove(key: String) async throws {
        try await database.withConnection { db in
            try db.execute("DELETE FROM sessions WHERE key_sha256 = \(BearerToken.hashSQL(1))", [key])
        }
    }

    private static func encode(_ value: some Encodable) throws -> String {
        String(decoding: try JSONEncoder().encode(value), as: UTF8.self)
    }

    private static func seconds(_ duration: Duration) -> Int64 { duration.components.seconds }
}
