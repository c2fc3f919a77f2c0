import FoundationEssentials
import HoushiContract
import HoushiMessaging
import HoushiStorage
import Logging
import Metrics
import ServiceLifecycle

/// Publishes the service's outbox: locks a batch of unsent rows, publishes them with publisher
/// confirms, marks the confirmed ones sent and commits. Wakes on the outbox's NOTIFY, or after
/// `pollInterval` at the latest. Rows a consumer emitted are its own to publish while their claim
/// lasts (`EmittedMessages`); the relay takes those left over when it ends. `outboxRelays` loops,
/// each with its own connections, and those of replicas share the work (`FOR UPDATE SKIP
/// LOCKED`): while one waits for the broker's confirms, another publishes what was committed
/// meanwhile. A crash between confirm and commit publishes a row again: consumers' inboxes make
/// that harmless, and so the marking commits asynchronously (`synchronous_commit` off on the
/// relay's connection).
public struct OutboxRelay: Service {
    let configuration: ServiceConfiguration
    let readiness: Readiness
    let logger: Logger
    let pollInterval: Duration

    public init(configuration: ServiceConfiguration, readiness: Readiness, logger: Logger,
                pollInterval: Duration = .seconds(1)) {
        self.configuration = configuration
        self.readiness = readiness
        self.logger = logger
        self.pollInterval = pollInterval
    }

    public func run() async throws {
        let stop = StopSignal()
        let relay = self
        await withTaskCancellationOrGracefulShutdownHandler {
            await withTaskGroup(of: Void.self) { group in
                for index in 0..<configuration.outboxRelays {
                    let component = "outbox-relay-\(index)"
                    group.addTask { await onDedicatedThread(name: component) { relay.loop(component: component, stop: stop) } }
                }
            }
        } onCancelOrGracefulShutdown: {
            stop.set()
        }
    }

    private func loop(component: String, stop: StopSignal) {
        let schema = configuration.identity.schema
        let database = DatabaseSession(url: configuration.databaseURL, schema: schema,
                                       name: "\(configuration.identity.name)-\(component)") { db in
            try db.listen(Outbox.channel(schema: schema))
            try Outbox.commitSentMarksAsynchronously(on: db)
        }
        var broker: AMQPConnection?
        var backoff = Backoff()
        defer {
            broker?.close()
            database.close()
            readiness.set(component, ready: false)
        }
        while !stop.isSet {
            do {
                let amqp = try broker ?? {
                    let amqp = try configuration.broker.connect(name: "\(configuration.instance) \(component)",
                                                                heartbeat: configuration.amqpHeartbeat)
                    try amqp.enableConfirms()
                    return amqp
                }()
                broker = amqp
                try database.use { db in
                    readiness.set(component, ready: true)
                    while try publishBatch(db: db, amqp: amqp) == configuration.outboxBatchSize, !stop.isSet {}
                    _ = try db.waitForNotification(timeout: pollInterval)
                    try amqp.keepAlive()
                }
                backoff.reset()
            } catch {
                readiness.set(component, ready: false)
                logger.warning("outbox relay interrupted, reconnecting", metadata: ["error": "\(error)"])
                if broker?.isBroken ?? false { broker?.close(); broker = nil }
                stop.wait(backoff.next())
            }
        }
    }

    /// Publishes one batch; returns how many rows it took. Rows the broker would refuse to this
    /// service's user are set aside (`Outbox.setAside`), so that they never hold up the rest.
    private func publishBatch(db: PostgresConnection, amqp: AMQPConnection) throws -> Int {
        try db.withTransaction { tx in
            let batch = try Outbox.lockUnsent(limit: configuration.outboxBatchSize, on: tx)
            guard !batch.isEmpty else { return 0 }
            let identity = configuration.identity
            let publishable = batch.filter { $0.message.isPublishable(by: identity) }
            try setAside(batch.filter { !$0.message.isPublishable(by: identity) }, on: tx)
            let confirmed = try amqp.publishConfirmed(publishable.map(\.message), appId: identity.name)
            try Outbox.markSent(confirmed.map { publishable[$0].seq }, on: tx)
            if confirmed.count < publishable.count {
                logger.warning("broker refused messages; they stay in the outbox",
                               metadata: ["count": "\(publishable.count - confirmed.count)"])
            }
            logger.debug("published", metadata: ["count": "\(confirmed.count)"])
            return batch.count
        }
    }

    private func setAside(_ rows: [(seq: Int64, message: OutboxMessage)], on tx: PostgresConnection) throws {
        guard !rows.isEmpty else { return }
        let identity = configuration.identity
        try Outbox.setAside(rows.map { ($0.seq, $0.message.refusal(for: identity)) }, on: tx)
        for row in rows {
            var metadata: Logger.Metadata = ["message_id": "\(row.message.messageId)", "routing_key": "\(row.message.routingKey)",
                                             "exchange": "\(row.message.exchange)"]
            metadata["case_id"] = row.message.caseId.map { "\($0)" }
            logger.error("outbox row set aside in outbox_refused: the broker would refuse it to this service", metadata: metadata)
        }
        Counter(label: "houshi_outbox_refused_total").increment(by: rows.count)
    }
}
