import FoundationEssentials
@testable import HoushiRuntime
import HoushiStorage
import Testing

/// What a writer's transactions emit counts only once the transaction returns: a rolled-back
/// transaction hands nothing to the outbox publisher.
@Suite struct EmittedMessagesTests {
    struct RolledBack: Error {}

    @Test func onlyWhatCommittedTransactionsEmittedIsHandedOver() {
        let emitted = EmittedMessages()
        let (kept, lost, later) = (Self.message(), Self.message(), Self.message())
        emitted.collect { emitted.add(kept) }
        #expect(throws: RolledBack.self) {
            try emitted.collect {
                emitted.add(lost)
                throw RolledBack()
            }
        }
        emitted.collect { emitted.add(later) }
        #expect(emitted.takeCommitted() == [kept, later])
        #expect(emitted.takeCommitted().isEmpty)
    }

    private static func message() -> OutboxMessage {
        OutboxMessage(messageId: UUID(), exchange: "houshi.events", routingKey: "test.emitted", caseId: nil,
                      body: Data("{}".utf8))
    }
}
