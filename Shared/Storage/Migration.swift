/// One step of an owner's part of a schema (the outbox's, a service's own tables, ...): applied
/// once, in order, recorded in `schema_migrations` under its owner and version.
public struct Migration: Sendable {
    /// 1 for an owner's first migration, then increasing by one.
    public let version: Int
    public let name: String
    /// Fixed DDL; never built from values.
    public let sql: String
    /// Its number from when every owner of a schema shared one sequence of versions, so that a
    /// schema migrated then keeps its history; nil for the migrations added since.
    public let formerly: Int?

    public init(version: Int, formerly: Int? = nil, name: String, sql: String) {
        self.version = version
        self.name = name
        self.sql = sql
        self.formerly = formerly
    }
}

/// The migrations one owner keeps in a schema, numbered on their own from 1.
public struct MigrationGroup: Sendable {
    /// Names the owner in `schema_migrations`: `outbox`, `case-ledger`, `intake`, ...
    public let owner: String
    public let migrations: [Migration]

    public init(owner: String, _ migrations: [Migration]) {
        precondition(migrations.map(\.version) == migrations.indices.map { $0 + 1 },
                     "\(owner)'s migrations must be numbered 1, 2, 3, ...")
        self.owner = owner
        self.migrations = migrations
    }
}

/// A schema's record holds migrations this release does not know (a newer release ran on it).
public struct UnknownMigrations: Error, CustomStringConvertible {
    public let versions: [Int]
    public var description: String {
        "schema_migrations holds versions \(versions) of the former numbering that no migration of this release had"
    }
}

extension PostgresConnection {
    /// Applies the migrations not yet applied to the connection's schema, owner after owner in
    /// the order given, in one transaction under an advisory lock, so replicas starting together
    /// apply each exactly once. A record of the former single numbering is converted first.
    /// Returns the migrations applied now, as `owner/version`.
    @discardableResult
    public func migrate(_ groups: [MigrationGroup]) throws -> [String] {
        precondition(Set(groups.map(\.owner)).count == groups.count, "each owner's migrations come in one group")
        return try withTransaction { db in
            try db.execute("SELECT pg_advisory_xact_lock(hashtext(current_schema()))")
            try db.convertFormerNumbering(groups)
            try db.executeScript("""
                CREATE TABLE IF NOT EXISTS schema_migrations (
                    owner text NOT NULL,
                    version integer NOT NULL,
                    name text NOT NULL,
                    applied_at timestamptz NOT NULL DEFAULT now(),
                    PRIMARY KEY (owner, version))
                """)
            let applied = Set(try db.execute("SELECT owner || '/' || version AS id FROM schema_migrations").rows
                .map { try $0.string("id") })
            var appliedNow: [String] = []
            for group in groups {
                for migration in group.migrations where !applied.contains("\(group.owner)/\(migration.version)") {
                    try db.executeScript(migration.sql)
                    try db.execute("INSERT INTO schema_migrations (owner, version, name) VALUES ($1, $2, $3)",
                                   [group.owner, migration.version, migration.name])
                    appliedNow.append("\(group.owner)/\(migration.version)")
                }
            }
            return appliedNow
        }
    }

    /// A `schema_migrations` of the former single numbering (no `owner`) gets each row's owner
    /// and version from the migration that had its number.
    private func convertFormerNumbering(_ groups: [MigrationGroup]) throws {
        let former = try execute("""
            SELECT count(*) AS count FROM information_schema.tables t
            WHERE t.table_schema = current_schema() AND t.table_name = 'schema_migrations'
              AND NOT EXISTS (SELECT 1 FROM information_schema.columns c
                              WHERE c.table_schema = t.table_schema AND c.table_name = t.table_name
                                AND c.column_name = 'owner')
            """).rows.first.map { try $0.int("count") } ?? 0
        guard former == 1 else { return }
        try executeScript("""
            ALTER TABLE schema_migrations DROP CONSTRAINT schema_migrations_pkey;
            ALTER TABLE schema_migrations ADD COLUMN owner text;
            """)
        for group in groups {
            for migration in group.migrations {
                guard let number = migration.formerly else { continue }
                try execute("UPDATE schema_migrations SET owner = $1, version = $2 WHERE owner IS NULL AND version = $3",
                            [group.owner, migration.version, number])
            }
        }
        let unknown = try execute("SELECT version FROM schema_migrations WHERE owner IS NULL ORDER BY version").rows
            .map { try $0.int("version") }
        guard unknown.isEmpty else { throw UnknownMigrations(versions: unknown) }
        try executeScript("""
            ALTER TABLE schema_migrations ALTER COLUMN owner SET NOT NULL;
            ALTER TABLE schema_migrations ADD PRIMARY KEY (owner, version);
            """)
    }
}
