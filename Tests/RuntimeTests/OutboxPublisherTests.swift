import FoundationEssentials
@testable import HoushiRuntime
import HoushiStorage
import Synchronization
import Testing

/// The outbox publisher's rules (`OutboxPublisherState`), given the time, and its loop over a
/// stand-in transport: what is handed over is published, marked after the delay, marks that
/// fail are tried again, the relay runs at start and every poll, and closing marks and stops.
@Suite struct OutboxPublisherTests {
    typealias State = OutboxPublisherState
    let start = ContinuousClock.now
    let ids = (0..<3).map { _ in UUID() }

    func at(_ milliseconds: Int) -> ContinuousClock.Instant { start + .milliseconds(milliseconds) }

    @Test func theRelayRunsAtStartThenEveryPollOrAtOnceAfterAFullBatchThatWentOut() {
        var state = State(timing: State.Timing(pollInterval: .seconds(1), relayBatch: 10), now: start)
        #expect(state.due(now: start, closing: false, drained: false) == [.relay])
        state.relayed(.batch(taken: 3, published: 3), now: at(0))
        #expect(state.due(now: at(999), closing: false, drained: false).isEmpty)
        #expect(state.waitLimit(now: at(400)) == .milliseconds(600))
        #expect(state.due(now: at(1_000), closing: false, drained: false) == [.relay])
        state.relayed(.batch(taken: 10, published: 10), now: at(1_000))
        #expect(state.due(now: at(1_000), closing: false, drained: false) == [.relay])
        // A full batch the broker refused in part waits for the next poll instead of spinning.
        state.relayed(.batch(taken: 10, published: 7), now: at(1_000))
        #expect(state.due(now: at(1_500), closing: false, drained: false).isEmpty)
    }

    @Test func aFailedRelayIsTriedAgainWithBackOffUntilOneSucceeds() {
        var timing = State.Timing(pollInterval: .seconds(1))
        timing.relayBackoff = Backoff(initial: .milliseconds(500), maximum: .seconds(2))
        var state = State(timing: timing, now: start)
        state.relayed(.failed, now: at(0))
        #expect(state.waitLimit(now: at(0)) == .milliseconds(500))
        state.relayed(.failed, now: at(500))
        #expect(state.waitLimit(now: at(500)) == .seconds(1))
        state.relayed(.failed, now: at(1_500))
        state.relayed(.failed, now: at(3_500))
        #expect(state.waitLimit(now: at(3_500)) == .seconds(2))
        state.relayed(.batch(taken: 0, published: 0), now: at(5_500))
        state.relayed(.failed, now: at(6_500))
        #expect(state.waitLimit(now: at(6_500)) == .milliseconds(500))
    }

    @Test func confirmedMessagesAreMarkedTogetherAfterTheDelayAndAFailedMarkLater() {
        var state = State(timing: State.Timing(markDelay: .milliseconds(100), markRetryDelay: .seconds(1)), now: start)
        state.relayed(.batch(taken: 0, published: 0), now: at(0))
        state.confirmed([ids[0]], now: at(10))
        state.confirmed([ids[1], ids[2]], now: at(60))
        #expect(state.waitLimit(now: at(60)) == .milliseconds(50))
        #expect(state.due(now: at(109), closing: false, drained: false).isEmpty)
        #expect(state.due(now: at(110), closing: false, drained: false) == [.markSent(ids)])
        state.marked(ids, succeeded: false, now: at(110), closing: false)
        #expect(state.unmarkedCount == 3)
        #expect(state.due(now: at(999), closing: false, drained: false).isEmpty)
        #expect(state.due(now: at(1_110), closing: false, drained: false) == [.markSent(ids), .relay])
        state.marked(ids, succeeded: true, now: at(1_110), closing: false)
        #expect(state.unmarkedCount == 0)
        #expect(state.waitLimit(now: at(1_110)) == .zero)
        state.relayed(.batch(taken: 0, published: 0), now: at(1_110))
        #expect(state.waitLimit(now: at(1_110)) == .seconds(1))
    }

    @Test func closingMarksAtOnceWithoutRelayingAndStopsWhenDrained() {
        var state = State(now: start)
        state.relayed(.batch(taken: 0, published: 0), now: at(0))
        state.confirmed(ids, now: at(10))
        #expect(state.due(now: at(11), closing: true, drained: false) == [.markSent(ids)])
        #expect(state.due(now: at(5_000), closing: true, drained: true) == [.markSent(ids), .stop])
        // Closing, a failed mark is not tried again: the relay publishes those rows after their claim.
        state.marked(ids, succeeded: false, now: at(5_000), closing: true)
        #expect(state.due(now: at(5_000), closing: true, drained: true) == [.stop])
    }

    @Test func markFailuresBeyondTheCapacityAreDropped() {
        var state = State(timing: State.Timing(unmarkedCapacity: 2), now: start)
        state.confirmed(ids, now: at(0))
        state.marked(ids, succeeded: false, now: at(100), closing: false)
        #expect(state.unmarkedCount == 0)
    }

    @Test func theLoopPublishesWhatIsHandedOverMarksItAndRelaysUntilClosed() async throws {
        let transport = StandInTransport(failMarks: 1)
        let queue = HandOffQueue<OutboxMessage>(capacity: 100)
        let messages = ids.map { OutboxMessage(messageId: $0, exchange: "x", routingKey: "k", caseId: nil, body: Data()) }
        let timing = State.Timing(markDelay: .milliseconds(20), markRetryDelay: .milliseconds(50),
                                  pollInterval: .milliseconds(100))
        async let finished: Void = onDedicatedThread(name: "test-publisher") {
            OutboxPublisher.publish(from: queue, through: transport, timing: timing)
        }
        #expect(queue.append(Array(messages.prefix(2))))
        #expect(try await transport.waitFor { $0.marked.count == 2 })
        #expect(queue.append([messages[2]]))
        queue.close()
        await finished
        let calls = transport.calls.withLock { $0 }
        #expect(calls.published == ids)
        // The first mark failed and was tried again; the last was made at closing.
        #expect(calls.markAttempts == 3)
        #expect(Set(calls.marked) == Set(ids))
        #expect(calls.relays >= 1)
    }
}

/// A transport that confirms everything, fails its first `failMarks` marks, and records its calls.
private final class StandInTransport: OutboxTransport, Sendable {
    struct Calls {
        var published: [UUID] = []
        var marked: [UUID] = []
        var markAttempts = 0
        var relays = 0
        var failMarks: Int
    }
    let calls: Mutex<Calls>

    init(failMarks: Int) { calls = Mutex(Calls(failMarks: failMarks)) }

    func publish(_ messages: [OutboxMessage]) -> [UUID] {
        calls.withLock { $0.published += messages.map(\.messageId) }
        return messages.map(\.messageId)
    }

    func markSent(_ messageIds: [UUID]) -> Bool {
        calls.withLock { calls in
            calls.markAttempts += 1
            guard calls.failMarks == 0 else {
                calls.failMarks -= 1
                return false
            }
            calls.marked += messageIds
            return true
        }
    }

    func relay(limit: Int) -> OutboxPublisherState.RelayResult {
        calls.withLock { $0.relays += 1 }
        return .batch(taken: 0, published: 0)
    }

    func close() {}

    /// Waits up to 5 s for `condition` to hold of the calls.
    func waitFor(_ condition: (Calls) -> Bool) async throws -> Bool {
        let deadline = ContinuousClock.now + .seconds(5)
        while ContinuousClock.now < deadline {
            if calls.withLock({ condition($0) }) { return true }
            try await Task.sleep(for: .milliseconds(5))
        }
        return false
    }
}
