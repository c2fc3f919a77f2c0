import FoundationEssentials
import HoushiMessaging
import HoushiStorage
import Logging

/// The messages handlers emit in one consumer's transactions. Their outbox rows are claimed for
/// `claim` (`Outbox.enqueue(_:claimedFor:on:)`), so that the consumer publishes them itself as soon
/// as they commit (`EmittedMessagePublisher`) instead of waking a relay that reads them back, and
/// marks them sent with its next transaction; a row still unsent when its claim ends (the consumer
/// died, or the broker refused it) goes out with the relay's next batch, and one published but not
/// yet marked then goes out twice, which the consumers' inboxes absorb. Owned by the consumer's thread.
final class EmittedMessages {
    /// How long the relays leave a claimed row to its writer.
    static let claim: Duration = .seconds(10)

    private var staged: [OutboxMessage] = []
    private var committed: [OutboxMessage] = []
    /// Published and confirmed, not yet marked sent; the first `marking` of them are being marked
    /// by the transaction `collect` runs.
    private var unmarked: [UUID] = []
    private var marking = 0

    /// Whether published messages wait to be marked sent.
    var hasUnmarked: Bool { !unmarked.isEmpty }

    /// Adds a message emitted in the transaction `collect` runs.
    func add(_ message: OutboxMessage) { staged.append(message) }

    /// Marks the published messages sent in the transaction `collect` runs (deferred: with its next
    /// statement).
    func markPublished(on tx: PostgresConnection) throws {
        guard marking == 0, !unmarked.isEmpty else { return }
        try Outbox.markSent(messageIds: unmarked, on: tx)
        marking = unmarked.count
    }

    /// Runs `transaction` (a `withTransaction`); what it emitted and marked counts once it returns,
    /// and nothing of it if it throws.
    func collect<T>(_ transaction: () throws -> T) rethrows -> T {
        defer {
            staged.removeAll()
            marking = 0
        }
        let value = try transaction()
        committed += staged
        unmarked.removeFirst(marking)
        return value
    }

    /// What committed transactions emitted since the last call, in order.
    func takeCommitted() -> [OutboxMessage] {
        defer { committed.removeAll() }
        return committed
    }

    /// Records messages the broker confirmed, to be marked sent.
    func published(_ messageIds: [UUID]) { unmarked += messageIds }
}

/// Publishes what a consumer's committed transactions emitted, with publisher confirms, on a
/// broker connection of its own. Owned by the consumer's thread. It never throws: what it cannot
/// publish stays claimed in the outbox, where the relay finds it when the claim ends.
final class EmittedMessagePublisher {
    private let configuration: ServiceConfiguration
    private let name: String
    private let logger: Logger
    private let stop: StopSignal
    private var broker: AMQPConnection?
    private var lastUsed = ContinuousClock.now
    /// How long messages the broker refused are offered again before the relay is left to them
    /// (most of their claim): a quorum queue refuses while it elects a new leader after its
    /// leader's node died, which took up to 6 s in the HA chaos runs.
    static let refusalPatience: Duration = .seconds(8)

    /// - Parameter stop: ends the waits between offers of refused messages early.
    init(configuration: ServiceConfiguration, name: String, logger: Logger, stop: StopSignal = StopSignal()) {
        self.configuration = configuration
        self.name = name
        self.logger = logger
        self.stop = stop
    }

    /// Publishes the messages; returns the ids of those the broker confirmed. A connection idle
    /// for longer than the heartbeat (librabbitmq-c answers heartbeats only when called, so the
    /// broker may have dropped it in a quiet hour) is re-opened first; one that fails is re-opened
    /// and the messages published once more (what the first attempt published, the inboxes absorb).
    /// Messages the broker would refuse to this service are not sent (the broker would close the
    /// channel on them): a relay sets them aside when their claim ends. Messages the broker
    /// refused (nacked) are offered again, at growing intervals, for up to `refusalPatience`.
    func publish(_ messages: [OutboxMessage]) -> [UUID] {
        let messages = messages.filter { $0.isPublishable(by: configuration.identity) }
        guard !messages.isEmpty else { return [] }
        if broker != nil, ContinuousClock.now - lastUsed > .seconds(configuration.amqpHeartbeat) { close() }
        defer { lastUsed = .now }
        guard var confirmed = attempt(messages, failing: "publishing them again on a new connection", level: .info)
            ?? attempt(messages, failing: "the outbox relay sends them when their claim ends", level: .warning)
        else { return [] }
        var refused = Self.unconfirmed(messages, confirmed: confirmed)
        var backoff = Backoff(initial: .milliseconds(100), maximum: .milliseconds(1_600))
        let deadline = ContinuousClock.now + Self.refusalPatience
        while !refused.isEmpty, ContinuousClock.now < deadline, !stop.wait(backoff.next()) {
            // On a new channel: one opened before the new leader's election may keep routing to the old.
            close()
            guard let again = attempt(refused, failing: "the outbox relay sends them when their claim ends", level: .warning)
            else { break }
            confirmed += again
            refused = Self.unconfirmed(refused, confirmed: again)
        }
        if !refused.isEmpty {
            logger.warning("broker refused messages; the outbox relay retries them when their claim ends",
                           metadata: ["count": "\(refused.count)"])
        }
        return confirmed
    }

    private static func unconfirmed(_ messages: [OutboxMessage], confirmed: [UUID]) -> [OutboxMessage] {
        let confirmed = Set(confirmed)
        return messages.filter { !confirmed.contains($0.messageId) }
    }

    func close() {
        broker?.close()
        broker = nil
    }

    /// One attempt: the ids the broker confirmed, or nil once the failure is logged at `level`
    /// with what happens now (`failing`) and the connection closed.
    private func attempt(_ messages: [OutboxMessage], failing: String, level: Logger.Level) -> [UUID]? {
        do {
            let amqp = try broker ?? connect()
            broker = amqp
            return try amqp.publishConfirmed(messages, appId: configuration.identity.name).map { messages[$0].messageId }
        } catch {
            logger.log(level: level, "publishing emitted messages failed; \(failing)",
                       metadata: ["count": "\(messages.count)", "error": "\(error)"])
            close()
            return nil
        }
    }

    private func connect() throws -> AMQPConnection {
        let amqp = try configuration.broker.connect(name: "\(configuration.instance) \(name)",
                                                    heartbeat: configuration.amqpHeartbeat)
        do {
            try amqp.enableConfirms()
        } catch {
            amqp.close()
            throw error
        }
        return amqp
    }
}
