import FoundationEssentials
import HoushiStorage
import Logging
import ServiceLifecycle

/// The one way out of a service's outbox: every writer (a consumer's transaction, a request, an
/// officer's decision, a dead letter) claims its rows for `claim` and hands them over here once
/// they commit. One dedicated thread publishes them with publisher confirms on its own broker
/// connection, marks the confirmed ones sent shortly after (many in one statement), and relays
/// the rows nobody handed over: those written by another process (an administrator's command),
/// and those whose claim ended unsent (this process died first, or the broker refused them).
/// A row published but not yet marked when its claim ends goes out twice, which the consumers'
/// inboxes absorb. Replicas' relays share the rows (`FOR UPDATE SKIP LOCKED`). Its rules are
/// `OutboxPublisherState`'s; its I/O is an `OutboxTransport`.
public final class OutboxPublisher: Service, Sendable {
    /// How long other publishers' relays leave a handed-over row to this one.
    public static let claim: Duration = .seconds(10)
    /// The readiness component it reports: ready while its relay reaches the database and broker.
    public static let component = "outbox-publisher"
    /// The most messages waiting to be published; more are left to the relay.
    static let capacity = 10_000

    private let configuration: ServiceConfiguration
    private let readiness: Readiness?
    private let logger: Logger
    private let handedOver = HandOffQueue<OutboxMessage>(capacity: capacity)

    public init(configuration: ServiceConfiguration, readiness: Readiness?, logger: Logger) {
        self.configuration = configuration
        self.readiness = readiness
        self.logger = logger
    }

    /// Hands over messages whose outbox rows were claimed for `claim` and have just committed.
    /// Never blocks on the broker; when too many wait already, they are left to the relay.
    public func handOver(_ messages: [OutboxMessage]) {
        guard !messages.isEmpty, !handedOver.append(messages) else { return }
        logger.warning("too many messages wait to be published; the outbox relay sends them when their claim ends",
                       metadata: ["count": "\(messages.count)"])
    }

    /// Publishes and relays until graceful shutdown, then publishes and marks what is left.
    public func run() async throws {
        let stop = StopSignal()
        await withTaskCancellationOrGracefulShutdownHandler {
            await onDedicatedThread(name: Self.component) {
                let transport = BrokerOutboxTransport(configuration: self.configuration, name: Self.component,
                                                      logger: self.logger, stop: stop)
                defer {
                    transport.close()
                    self.readiness?.set(Self.component, ready: false)
                }
                var timing = OutboxPublisherState.Timing()
                timing.relayBatch = self.configuration.outboxBatchSize
                Self.publish(from: self.handedOver, through: transport, timing: timing, readiness: self.readiness)
            }
        } onCancelOrGracefulShutdown: {
            stop.set()
            self.handedOver.close()
        }
    }

    /// Runs `OutboxPublisherState`'s rules over `transport` until `queue` is closed and drained.
    static func publish(from queue: HandOffQueue<OutboxMessage>, through transport: some OutboxTransport,
                        timing: OutboxPublisherState.Timing, readiness: Readiness? = nil) {
        var state = OutboxPublisherState(timing: timing, now: .now)
        while true {
            let (messages, closed) = queue.take(waitingUpTo: state.waitLimit(now: .now))
            if !messages.isEmpty { state.confirmed(transport.publish(messages), now: .now) }
            for action in state.due(now: .now, closing: closed, drained: closed && messages.isEmpty) {
                switch action {
                case .markSent(let messageIds):
                    state.marked(messageIds, succeeded: transport.markSent(messageIds), now: .now, closing: closed)
                case .relay:
                    let result = transport.relay(limit: timing.relayBatch)
                    readiness?.set(component, ready: result != .failed)
                    state.relayed(result, now: .now)
                case .stop:
                    return
                }
            }
        }
    }
}
