import Foundation
@testable import HoushiRuntime
import HoushiStorage
import Testing

/// A consumer's `EmittedMessages` against the real database: what a transaction emitted counts
/// only once it commits, and the sent marks of published messages ride on the next transaction
/// until one commits.
extension TransactionTests {
    @Test("emitted messages count once their transaction commits; marks survive a rollback")
    func commitDecides() async throws {
        let published = [UUID(), UUID()]
        let outcome = try await withDatabaseConnection(url: url) { db in
            try db.execute("CREATE TEMP TABLE outbox (message_id uuid PRIMARY KEY, sent_at timestamptz)")
            try db.execute("INSERT INTO outbox (message_id) VALUES ($1), ($2)", [published[0], published[1]])
            let sent = { try db.execute("SELECT count(sent_at) AS n FROM outbox").first?.int("n") }
            let emitted = EmittedMessages()
            emitted.published(published)

            var rolledBack = false
            do {
                try emitted.collect { () throws -> Void in
                    try db.withTransaction { tx -> Void in
                        try emitted.markPublished(on: tx)
                        emitted.add(Self.message())
                        _ = try tx.execute("SELECT 1/0")
                    }
                }
            } catch {
                rolledBack = true
            }
            let afterRollback = (try sent(), emitted.hasUnmarked, emitted.takeCommitted().count)

            let kept = Self.message()
            try emitted.collect {
                try db.withTransaction { tx in
                    try emitted.markPublished(on: tx)
                    emitted.add(kept)
                }
            }
            let afterCommit = (try sent(), emitted.hasUnmarked, emitted.takeCommitted())
            return (rolledBack, afterRollback, afterCommit, kept)
        }
        #expect(outcome.0, "the division by zero rolled the first transaction back")
        #expect(outcome.1 == (0, true, 0), "nothing of the rolled-back transaction counts")
        #expect(outcome.2.0 == 2 && !outcome.2.1, "the next transaction marked both")
        #expect(outcome.2.2 == [outcome.3])
    }

    private static func message() -> OutboxMessage {
        OutboxMessage(messageId: UUID(), exchange: "houshi.events", routingKey: "test.emitted", caseId: nil,
                      body: Data("{}".utf8))
    }
}
