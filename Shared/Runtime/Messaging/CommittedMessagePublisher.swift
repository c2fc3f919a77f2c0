import FoundationEssentials
import HoushiMessaging
import HoushiStorage
import Logging
import ServiceLifecycle

/// Publishes outbox rows that requests (not consumers) wrote, as soon as the writer hands them over
/// after its commit, instead of waking a relay to read them back. The writer enqueues them claimed
/// for `claim` (`Outbox.enqueue(_:claimedFor:on:)`), so no relay is woken and the relays leave them
/// alone meanwhile. The confirmed ones are marked sent shortly after, many in one statement
/// committed asynchronously, and again a second later while the database is unavailable. What this
/// publisher cannot publish (the broker is down or refused them, the process died first) stays
/// claimed and goes out with a relay's batch when its claim ends; a row published but not yet
/// marked then goes out twice, which the consumers' inboxes absorb. One dedicated thread owns its
/// broker and database connections.
public final class CommittedMessagePublisher: Service, Sendable {
    /// How long the relays leave a handed-over row to this publisher.
    public static var claim: Duration { EmittedMessages.claim }
    /// How long confirmed messages wait to be marked sent, so that one statement marks many.
    static let markDelay: Duration = .milliseconds(100)
    /// How long marks wait after a failed attempt (the database is unavailable) before the next.
    static let markRetryDelay: Duration = .seconds(1)
    /// The most messages waiting to be published; more are left to the relays.
    static let capacity = 10_000

    private let configuration: ServiceConfiguration
    private let logger: Logger
    private let handedOver = HandOffQueue<OutboxMessage>(capacity: capacity)

    public init(configuration: ServiceConfiguration, logger: Logger) {
        self.configuration = configuration
        self.logger = logger
    }

    /// Hands over messages whose outbox rows were claimed for `claim` and have just committed.
    /// Never blocks on the broker; when too many wait already, they are left to the relays.
    public func handOver(_ messages: [OutboxMessage]) {
        guard !messages.isEmpty, !handedOver.append(messages) else { return }
        logger.warning("too many messages wait to be published; the outbox relay sends them when their claim ends",
                       metadata: ["count": "\(messages.count)"])
    }

    /// Publishes what is handed over until graceful shutdown, then what is left of it.
    public func run() async throws {
        await withTaskCancellationOrGracefulShutdownHandler {
            await onDedicatedThread(name: "committed-publisher") { self.loop() }
        } onCancelOrGracefulShutdown: {
            self.handedOver.close()
        }
    }

    private func loop() {
        let identity = configuration.identity
        let publisher = EmittedMessagePublisher(configuration: configuration, name: "committed-publisher", logger: logger)
        let database = DatabaseSession(url: configuration.databaseURL, schema: identity.schema,
                                       name: "\(identity.name)-committed-publisher") { db in
            try Outbox.commitSentMarksAsynchronously(on: db)
        }
        var unmarked: [UUID] = []
        var markAt = ContinuousClock.now
        defer {
            publisher.close()
            database.close()
        }
        while true {
            let (messages, closed) = handedOver.take(waitingUpTo: unmarked.isEmpty ? nil : markAt - .now)
            if !messages.isEmpty {
                if unmarked.isEmpty { markAt = .now + Self.markDelay }
                unmarked += publisher.publish(messages)
            }
            if !unmarked.isEmpty, closed || ContinuousClock.now >= markAt {
                if markSent(unmarked, database: database) || closed || unmarked.count >= Self.capacity {
                    unmarked = []
                } else {
                    markAt = .now + Self.markRetryDelay
                }
            }
            if closed, messages.isEmpty { return }
        }
    }

    /// Marks the messages sent; false if that failed, to be tried again while their claims last
    /// (beyond them, the relays publish them again, which the inboxes absorb).
    private func markSent(_ messageIds: [UUID], database: DatabaseSession) -> Bool {
        do {
            try database.use { db in try db.withTransaction { tx in try Outbox.markSent(messageIds: messageIds, on: tx) } }
            return true
        } catch {
            logger.warning("marking published messages sent failed; trying again shortly",
                           metadata: ["count": "\(messageIds.count)", "error": "\(error)"])
            return false
        }
    }
}

/// A queue from any thread to one consuming thread, bounded, closed once at shutdown.
final class HandOffQueue<Element: Sendable>: @unchecked Sendable {
    // `items` and `closed` are guarded by `condition`.
    private let condition = ThreadCondition()
    private var items: [Element] = []
    private var closed = false
    private let capacity: Int

    init(capacity: Int) {
        self.capacity = capacity
    }

    /// Adds `elements` unless that would pass the capacity; returns whether they were added.
    func append(_ elements: [Element]) -> Bool {
        condition.lock()
        defer { condition.unlock() }
        guard items.count + elements.count <= capacity else { return false }
        items += elements
        condition.signal()
        return true
    }

    /// Takes everything queued, waiting for something (up to `timeout`, if given) while the queue
    /// is empty and open; also says whether it is closed.
    func take(waitingUpTo timeout: Duration?) -> (elements: [Element], closed: Bool) {
        condition.lock()
        defer { condition.unlock() }
        if let timeout {
            let deadline = ThreadCondition.deadline(after: max(timeout, .zero))
            while items.isEmpty, !closed, condition.wait(until: deadline) {}
        } else {
            while items.isEmpty, !closed { condition.wait() }
        }
        let taken = items
        items = []
        return (taken, closed)
    }

    /// Wakes the consumer for good: `take` no longer waits.
    func close() {
        condition.lock()
        closed = true
        condition.signal()
        condition.unlock()
    }
}
