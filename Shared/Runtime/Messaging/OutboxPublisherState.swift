import FoundationEssentials

/// When the outbox publisher marks what the broker confirmed and when it looks for rows nobody
/// handed over: the publisher's rules without its I/O, so that they are unit-tested without a
/// broker, a database or a clock (every call is given the time).
///
/// Confirmed messages are marked sent `markDelay` after the first of them, many in one
/// statement; a failed mark is tried again `markRetryDelay` later, while the claims last. The
/// relay (rows unclaimed, or whose claim ended) runs at start, again at once after a full batch
/// that all went out, else every `pollInterval`, and after a failure with back-off. Closing, it
/// marks what is confirmed (once, whatever the result) and stops when nothing is left.
struct OutboxPublisherState {
    /// Something the publisher must do now.
    enum Action: Equatable {
        /// Mark these confirmed messages sent.
        case markSent([UUID])
        /// Publish one batch of the rows nobody publishes (unclaimed, or their claim ended).
        case relay
        /// Everything handed over is published and marked: end.
        case stop
    }

    /// What a relay batch did.
    enum RelayResult: Equatable {
        /// It took `taken` rows, of which the broker confirmed `published`.
        case batch(taken: Int, published: Int)
        /// The database or the broker was unavailable.
        case failed
    }

    struct Timing {
        var markDelay: Duration = .milliseconds(100)
        var markRetryDelay: Duration = .seconds(1)
        var pollInterval: Duration = .seconds(1)
        var relayBatch = 100
        /// The most confirmed messages kept waiting for a mark; beyond, they are dropped (the
        /// relay publishes them again when their claims end, which the inboxes absorb).
        var unmarkedCapacity = 10_000
        var relayBackoff = Backoff(initial: .milliseconds(500), maximum: .seconds(10))
    }

    private let timing: Timing
    private var unmarked: [UUID] = []
    private var markAt: ContinuousClock.Instant?
    private var relayAt: ContinuousClock.Instant
    private var relayBackoff: Backoff

    init(timing: Timing = Timing(), now: ContinuousClock.Instant) {
        self.timing = timing
        relayAt = now
        relayBackoff = timing.relayBackoff
    }

    /// How many confirmed messages wait to be marked.
    var unmarkedCount: Int { unmarked.count }

    /// How long the publisher may wait for messages to be handed over before something is due.
    func waitLimit(now: ContinuousClock.Instant) -> Duration {
        max(.zero, min(markAt ?? relayAt, relayAt) - now)
    }

    /// What is due at `now`, in order. `closing`: no more messages will be handed over;
    /// `drained`: and none is waiting.
    func due(now: ContinuousClock.Instant, closing: Bool, drained: Bool) -> [Action] {
        var actions: [Action] = []
        if let markAt, closing || now >= markAt { actions.append(.markSent(unmarked)) }
        if closing {
            if drained { actions.append(.stop) }
        } else if now >= relayAt {
            actions.append(.relay)
        }
        return actions
    }

    /// The broker confirmed these handed-over messages at `now`.
    mutating func confirmed(_ messageIds: [UUID], now: ContinuousClock.Instant) {
        guard !messageIds.isEmpty else { return }
        if markAt == nil { markAt = now + timing.markDelay }
        unmarked += messageIds
    }

    /// The marks asked for by `.markSent(messageIds)` were written (or not) at `now`.
    mutating func marked(_ messageIds: [UUID], succeeded: Bool, now: ContinuousClock.Instant, closing: Bool) {
        if succeeded || closing || unmarked.count >= timing.unmarkedCapacity {
            unmarked.removeFirst(min(messageIds.count, unmarked.count))
        }
        markAt = unmarked.isEmpty ? nil : now + (succeeded ? timing.markDelay : timing.markRetryDelay)
    }

    /// A relay batch ended at `now` with `result`.
    mutating func relayed(_ result: RelayResult, now: ContinuousClock.Instant) {
        guard case .batch(let taken, let published) = result else {
            relayAt = now + relayBackoff.next()
            return
        }
        relayBackoff.reset()
        let more = taken == timing.relayBatch && published == taken
        relayAt = more ? now : now + timing.pollInterval
    }
}
