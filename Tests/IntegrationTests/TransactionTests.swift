import Foundation
import HoushiStorage
import Testing

/// `PostgresConnection.withTransaction` against the real database: BEGIN and deferred statements
/// travel with the next statement whose result is needed (one round trip), and commit, rollback
/// and errors behave as without that.
struct TransactionTests {
    let url: String

    init() throws {
        url = try TestEnvironment.load().adminValue("HOUSHI_DATABASE_ADMIN_URL")
    }

    @Test("a transaction commits what its statements wrote, and sees its own writes")
    func commits() async throws {
        let counts = try await withDatabaseConnection(url: url) { db in
            try db.execute("CREATE TEMP TABLE t (n int)")
            let inside = try db.withTransaction { tx in
                try tx.execute("INSERT INTO t VALUES ($1)", [1])
                try tx.execute("INSERT INTO t VALUES ($1), ($2)", [2, 3])
                return try tx.execute("SELECT count(*) AS n FROM t").first?.int("n")
            }
            let after = try db.execute("SELECT count(*) AS n FROM t").first?.int("n")
            // SAVEPOINT works only inside a transaction block.
            let open = Result { try db.execute("SAVEPOINT probe") }.failure.map { ($0 as? PostgresError)?.sqlState }
            return (inside, after, open)
        }
        #expect(counts.0 == 3)
        #expect(counts.1 == 3)
        #expect(counts.2 == "25P01", "no transaction is left open after the commit")
    }

    @Test("a failing first statement rolls back, the error is the statement's, the connection stays usable")
    func firstStatementFails() async throws {
        let outcome = try await withDatabaseConnection(url: url) { db in
            try db.execute("CREATE TEMP TABLE t (n int PRIMARY KEY)")
            let error = Result { try db.withTransaction { tx in try tx.execute("INSERT INTO t VALUES ($1), ($1)", [7]) } }
            let rows = try db.execute("SELECT count(*) AS n FROM t").first?.int("n")
            return ((error.failure as? PostgresError)?.sqlState, rows)
        }
        #expect(outcome.0 == "23505")
        #expect(outcome.1 == 0)
    }

    @Test("a body that throws after writing rolls the writes back; one that runs nothing commits nothing")
    func rollsBack() async throws {
        struct Stop: Error {}
        let rows = try await withDatabaseConnection(url: url) { db in
            try db.execute("CREATE TEMP TABLE t (n int)")
            _ = Result { try db.withTransaction { tx in
                try tx.execute("INSERT INTO t VALUES ($1)", [1])
                throw Stop()
            } }
            _ = Result { try db.withTransaction { _ in throw Stop() } }
            try db.withTransaction { _ in }
            try db.execute("INSERT INTO t VALUES ($1)", [2])
            return try db.execute("SELECT array_agg(n)::text AS n FROM t").first?["n"]
        }
        #expect(rows == "{2}")
    }

    @Test("deferred statements reach the server before the next statement, and with COMMIT when none follows")
    func deferredStatementsApply() async throws {
        let outcome = try await withDatabaseConnection(url: url) { db in
            try db.execute("CREATE TEMP TABLE t (n int)")
            let seen = try db.withTransaction { tx in
                try tx.executeDeferred("INSERT INTO t VALUES ($1)", [1])
                try tx.executeDeferred("INSERT INTO t VALUES ($1), ($2)", [2, 3])
                return try tx.execute("SELECT count(*) AS n FROM t").first?.int("n")
            }
            try db.withTransaction { tx in
                try tx.executeDeferred("INSERT INTO t VALUES ($1)", [4])
                try tx.executeDeferred("UPDATE t SET n = n * $1", [10])
            }
            try db.executeDeferred("INSERT INTO t VALUES ($1)", [5])  // outside a transaction: at once
            let rows = try db.execute("SELECT array_agg(n ORDER BY n)::text AS n FROM t").first?["n"]
            return (seen, rows)
        }
        #expect(outcome.0 == 3)
        #expect(outcome.1 == "{5,10,20,30,40}")
    }

    @Test("a deferred statement's error is thrown by the statement or COMMIT that carried it, and rolls everything back")
    func deferredStatementFails() async throws {
        let outcome = try await withDatabaseConnection(url: url) { db in
            try db.execute("CREATE TEMP TABLE t (n int PRIMARY KEY)")
            var reachedAfter = false
            let atNext = Result { try db.withTransaction { tx in
                try tx.execute("INSERT INTO t VALUES ($1)", [1])
                try tx.executeDeferred("INSERT INTO t VALUES ($1)", [1])
                reachedAfter = true
                try tx.execute("INSERT INTO t VALUES ($1)", [2])
            } }
            let atCommit = Result { try db.withTransaction { tx in
                try tx.executeDeferred("INSERT INTO t VALUES ($1)", [3])
                try tx.executeDeferred("INSERT INTO t VALUES ($1)", [3])
            } }
            let open = Result { try db.execute("SAVEPOINT probe") }.failure.map { ($0 as? PostgresError)?.sqlState }
            let rows = try db.execute("SELECT count(*) AS n FROM t").first?.int("n")
            return ((atNext.failure as? PostgresError)?.sqlState, (atCommit.failure as? PostgresError)?.sqlState,
                    reachedAfter, open, rows)
        }
        #expect(outcome.0 == "23505")
        #expect(outcome.1 == "23505")
        #expect(outcome.2, "the deferred statement did not stop the code that followed it")
        #expect(outcome.3 == "25P01", "no transaction is left open after the failures")
        #expect(outcome.4 == 0)
    }

    @Test("a deferred statement's check sees its result before COMMIT, and what it throws rolls back")
    func deferredStatementChecked() async throws {
        struct Refused: Error {}
        let outcome = try await withDatabaseConnection(url: url) { db in
            try db.execute("CREATE TEMP TABLE t (n int)")
            var checked: [Int] = []
            try db.withTransaction { tx in
                try tx.executeDeferred("INSERT INTO t VALUES ($1) RETURNING n", [1]) { checked.append(try $0.first!.int("n")) }
            }
            let refused = Result { try db.withTransaction { tx in
                try tx.executeDeferred("INSERT INTO t VALUES ($1) RETURNING n", [2]) { _ in throw Refused() }
            } }
            let rows = try db.execute("SELECT array_agg(n)::text AS n FROM t").first?["n"]
            return (checked, refused.failure is Refused, rows)
        }
        #expect(outcome.0 == [1])
        #expect(outcome.1, "the check's error is thrown by withTransaction")
        #expect(outcome.2 == "{1}", "a refused check commits nothing")
    }
}

extension Result {
    fileprivate var failure: Failure? {
        if case .failure(let error) = self { return error }
        return nil
    }
}
