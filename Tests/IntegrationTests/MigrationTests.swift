import Foundation
import HoushiRuntime
import HoushiStorage
import Testing

/// Migrations are numbered per owner (issue 27, point 6): each owner's from 1, recorded as
/// owner and version; a schema recorded under the former single numbering is converted without
/// applying anything twice. Against the real database, in a scratch schema each.
@Suite struct MigrationTests {
    let environment: TestEnvironment

    init() throws { environment = try TestEnvironment.load() }

    /// Runs `body` on a connection to a fresh schema (dropped afterwards), with `setUp` run in it first.
    private func inScratchSchema<T: Sendable>(setUp: String = "",
                                              _ body: @escaping @Sendable (PostgresConnection) throws -> T) async throws -> T {
        let schema = "migration_test_\(UInt32.random(in: 0...UInt32.max))"
        let url = try environment.adminValue("HOUSHI_DATABASE_ADMIN_URL")
        let admin = Database(url: url, schema: "public", size: 1, name: "migration-tests-admin")
        try await admin.withConnection { db in try db.executeScript("CREATE SCHEMA \(schema)") }
        let database = Database(url: url, schema: schema, size: 1, name: "migration-tests")
        let outcome = await Result(asyncCatching: {
            try await database.withConnection { db in
                if !setUp.isEmpty { try db.executeScript(setUp) }
                return try body(db)
            }
        })
        await database.shutdown()
        try await admin.withConnection { db in try db.executeScript("DROP SCHEMA \(schema) CASCADE") }
        await admin.shutdown()
        return try outcome.get()
    }

    /// Two owners; the first's second migration and the second's first are new since the former
    /// numbering (formerly 1 and 3, then 2 for the second's first).
    private let groups = [
        MigrationGroup(owner: "first", [
            Migration(version: 1, formerly: 1, name: "a", sql: "CREATE TABLE a (id int)"),
            Migration(version: 2, name: "c", sql: "CREATE TABLE c (a_id int)"),
        ]),
        MigrationGroup(owner: "second", [
            Migration(version: 1, formerly: 3, name: "b", sql: "CREATE TABLE b (id int)"),
            Migration(version: 2, name: "d", sql: "CREATE TABLE d (b_id int)"),
        ]),
    ]

    private static let recordSQL = "SELECT owner || '/' || version || ' ' || name AS row FROM schema_migrations ORDER BY owner, version"

    @Test("a fresh schema gets every owner's migrations, owner by owner, each recorded once")
    func freshSchema() async throws {
        let (applied, again, record) = try await inScratchSchema { [groups] db in
            (try db.migrate(groups), try db.migrate(groups), try db.execute(Self.recordSQL).rows.map { try $0.string("row") })
        }
        #expect(applied == ["first/1", "first/2", "second/1", "second/2"])
        #expect(again.isEmpty)
        #expect(record == ["first/1 a", "first/2 c", "second/1 b", "second/2 d"])
    }

    @Test("a schema of the former numbering keeps its history: what it had is not applied again")
    func formerNumberingIsConverted() async throws {
        // As the former release left it: versions 1 and 3 applied, with their tables.
        let former = """
            CREATE TABLE schema_migrations (version integer PRIMARY KEY, name text NOT NULL,
                                            applied_at timestamptz NOT NULL DEFAULT now());
            CREATE TABLE a (id int);
            CREATE TABLE b (id int);
            INSERT INTO schema_migrations (version, name) VALUES (1, 'a'), (3, 'b');
            """
        let (applied, record, key) = try await inScratchSchema(setUp: former) { [groups] db in
            (try db.migrate(groups), try db.execute(Self.recordSQL).rows.map { try $0.string("row") },
             try db.execute("""
                SELECT string_agg(a.attname, ',' ORDER BY a.attname) AS key FROM pg_index i
                JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY (i.indkey)
                WHERE i.indrelid = 'schema_migrations'::regclass AND i.indisprimary
                """).rows.first.map { try $0.string("key") })
        }
        #expect(applied == ["first/2", "second/2"])
        #expect(record == ["first/1 a", "first/2 c", "second/1 b", "second/2 d"])
        #expect(key == "owner,version")
    }

    @Test("a former record with a number no migration had stops the start and changes nothing")
    func unknownFormerNumbersStop() async throws {
        let former = """
            CREATE TABLE schema_migrations (version integer PRIMARY KEY, name text NOT NULL,
                                            applied_at timestamptz NOT NULL DEFAULT now());
            INSERT INTO schema_migrations (version, name) VALUES (1, 'a'), (30, 'from a newer release');
            """
        let (refusal, columns) = try await inScratchSchema(setUp: former) { [groups] db in
            var refusal: UnknownMigrations?
            do { try db.migrate(groups) } catch let error as UnknownMigrations { refusal = error }
            let columns = try db.execute("""
                SELECT count(*) AS count FROM information_schema.columns
                WHERE table_schema = current_schema() AND table_name = 'schema_migrations'
                """).rows.first.map { try $0.int("count") }
            return (refusal, columns)
        }
        #expect(refusal?.versions == [30])
        #expect(columns == 3, "the former record is left as it was")
    }
}
