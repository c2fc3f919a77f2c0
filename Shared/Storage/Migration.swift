/// One step of a schema's history: applied once, in order, recorded in `schema_migrations`.
public struct Migration: Sendable {
    /// Increasing, never reused.
    public let version: Int
    public let name: String
    /// Fixed DDL; never built from values.
    public let sql: String

    public init(version: Int, name: String, sql: String) {
        self.version = version
        self.name = name
        self.sql = sql
    }
}

extension PostgresConnection {
    /// Applies the migrations not yet applied to the connection's schema, in one transaction
    /// under an advisory lock, so replicas starting together apply each exactly once.
    /// Returns the versions applied now.
    @discardableResult
    public func migrate(_ migrations: [Migration]) throws -> [Int] {
        let versions = migrations.map(\.version)
        precondition(versions == versions.sorted() && Set(versions).count == versions.count,
                     "migration versions must increase")
        return try withTransaction { db in
            try db.execute("SELECT pg_advisory_xact_lock(hashtext(current_schema()))")
            try db.executeScript("""
                CREATE TABLE IF NOT EXISTS schema_migrations (
                    version integer PRIMARY KEY,
                    name text NOT NULL,
                    applied_at timestamptz NOT NULL DEFAULT now())
                """)
            let applied = Set(try db.execute("SELECT version FROM schema_migrations").rows.map { try $0.int("version") })
            var appliedNow: [Int] = []
            for migration in migrations where !applied.contains(migration.version) {
                try db.executeScript(migration.sql)
                try db.execute("INSERT INTO schema_migrations (version, name) VALUES ($1, $2)",
                               [migration.version, migration.name])
                appliedNow.append(migration.version)
            }
            return appliedNow
        }
    }
}
