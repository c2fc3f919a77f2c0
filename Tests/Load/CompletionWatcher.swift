import Foundation
import HoushiRuntime
import HoushiStorage

/// Watches intake's cases table (as the database administrator) for the run's cases, found by
/// the deceased's ID number, until each is done: completed, or withdrawn and undone in every
/// department. Survives a database restart: a failed poll is simply tried again.
struct CompletionWatcher: Sendable {
    let database: Database
    let idNumbers: [String]

    init(databaseURL: String, idNumbers: [String]) {
        database = Database(url: databaseURL, schema: "intake", size: 1, name: "houshi-load")
        self.idNumbers = idNumbers
    }

    /// Polls (every second, asking only about the cases not seen completed yet, so the watcher
    /// itself costs the database little) until every case is completed or `timeout` passes;
    /// returns how many completed.
    func waitForAll(timeout: Duration) async -> Int {
        let deadline = ContinuousClock.now + timeout
        var pending = Set(idNumbers)
        while !pending.isEmpty, ContinuousClock.now < deadline {
            try? await Task.sleep(for: .seconds(1))
            if let completed = try? await completed(among: Array(pending)) { pending.subtract(completed) }
        }
        return idNumbers.count - pending.count
    }

    /// A case that is done, in SQL over `intake.cases`.
    static let doneSQL = "(status = 'completed' OR reversed_at IS NOT NULL)"

    /// When each done case was done (seconds since 1970, the database's clock), by ID number.
    func completionTimes() async throws -> [String: Double] {
        let ids = SQLArray(idNumbers)
        return try await database.withConnection { db in
            var times: [String: Double] = [:]
            for row in try db.execute("""
                SELECT deceased_id_number, extract(epoch FROM coalesce(reversed_at, completed_at))::float8::text AS completed
                FROM intake.cases WHERE deceased_id_number = ANY($1::text[]) AND \(Self.doneSQL)
                """, [ids]).rows {
                times[try row.string("deceased_id_number")] = Double(try row.string("completed"))
            }
            return times
        }
    }

    func shutdown() async { await database.shutdown() }

    private func completed(among pending: [String]) async throws -> [String] {
        let ids = SQLArray(pending)
        return try await database.withConnection { db in
            try db.execute("""
                SELECT deceased_id_number FROM intake.cases
                WHERE deceased_id_number = ANY($1::text[]) AND \(Self.doneSQL)
                """, [ids]).rows.map { try $0.string("deceased_id_number") }
        }
    }
}
