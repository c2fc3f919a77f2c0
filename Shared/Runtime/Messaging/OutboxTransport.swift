import FoundationEssentials
import HoushiMessaging
import HoushiStorage
import Logging
import Metrics

/// The I/O the outbox publisher drives (`OutboxPublisher`): a broker to publish on with
/// confirms, and the service's outbox to mark and to read the rows nobody handed over from.
/// None of it throws: a failure is logged and reported, and the rows stay in the outbox.
protocol OutboxTransport: AnyObject {
    /// Publishes handed-over messages; returns the ids of those the broker confirmed.
    func publish(_ messages: [OutboxMessage]) -> [UUID]
    /// Marks messages sent; whether that committed.
    func markSent(_ messageIds: [UUID]) -> Bool
    /// Publishes up to `limit` of the rows nobody publishes (unclaimed, or their claim ended),
    /// oldest first, and marks the confirmed ones sent in the same transaction.
    func relay(limit: Int) -> OutboxPublisherState.RelayResult
    /// Releases its connections.
    func close()
}

/// The outbox publisher's transport on RabbitMQ and PostgreSQL: one broker connection with
/// confirms and one database session (marks commit asynchronously: a mark lost in a database
/// crash only publishes a row again, which the inboxes absorb). Owned by the publisher's thread.
final class BrokerOutboxTransport: OutboxTransport {
    /// How long messages the broker refused are offered again before the relay is left to them
    /// (most of their claim): a quorum queue refuses while it elects a new leader after its
    /// leader's node died, which took up to 6 s in the HA chaos runs.
    static let refusalPatience: Duration = .seconds(8)

    private let configuration: ServiceConfiguration
    private let name: String
    private let logger: Logger
    private let stop: StopSignal
    private let database: DatabaseSession
    private var broker: AMQPConnection?
    private var lastUsed = ContinuousClock.now

    /// - Parameter stop: ends the waits between offers of refused messages early.
    init(configuration: ServiceConfiguration, name: String, logger: Logger, stop: StopSignal) {
        self.configuration = configuration
        self.name = name
        self.logger = logger
        self.stop = stop
        database = DatabaseSession(configuration: configuration, name: name) { db in
            try Outbox.commitSentMarksAsynchronously(on: db)
        }
    }

    /// A connection idle for longer than the heartbeat (librabbitmq-c answers heartbeats only when
    /// called, so the broker may have dropped it in a quiet hour) is re-opened first; one that
    /// fails is re-opened and the messages published once more (what the first attempt published,
    /// the inboxes absorb). Messages the broker would refuse to this service are not sent (it would
    /// close the channel on them): the relay sets them aside when their claim ends. Messages the
    /// broker refused (nacked) are offered again, at growing intervals, for up to `refusalPatience`.
    func publish(_ messages: [OutboxMessage]) -> [UUID] {
        let messages = messages.filter { $0.isPublishable(by: configuration.identity) }
        guard !messages.isEmpty else { return [] }
        guard var confirmed = attempt(messages, failing: "publishing them again on a new connection", level: .info)
            ?? attempt(messages, failing: "the outbox relay sends them when their claim ends", level: .warning)
        else { return [] }
        var refused = Self.unconfirmed(messages, confirmed: confirmed)
        var backoff = Backoff(initial: .milliseconds(100), maximum: .milliseconds(1_600))
        let deadline = ContinuousClock.now + Self.refusalPatience
        while !refused.isEmpty, ContinuousClock.now < deadline, !stop.wait(backoff.next()) {
            // On a new channel: one opened before the new leader's election may keep routing to the old.
            closeBroker()
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

    func markSent(_ messageIds: [UUID]) -> Bool {
        do {
            try database.use { db in try db.withTransaction { tx in try Outbox.markSent(messageIds: messageIds, on: tx) } }
            return true
        } catch {
            logger.warning("marking published messages sent failed; trying again shortly",
                           metadata: ["count": "\(messageIds.count)", "error": "\(error)"])
            return false
        }
    }

    /// Rows the broker would refuse to this service's user are set aside (`Outbox.setAside`), so
    /// that they never hold up the rest. Rows locked by another replica's relay are skipped.
    func relay(limit: Int) -> OutboxPublisherState.RelayResult {
        do {
            let amqp = try connection()
            let identity = configuration.identity
            return try database.use { db in
                try db.withTransaction { tx in
                    let batch = try Outbox.lockUnsent(limit: limit, on: tx)
                    let publishable = batch.filter { $0.message.isPublishable(by: identity) }
                    try setAside(batch.filter { !$0.message.isPublishable(by: identity) }, on: tx)
                    let confirmed = publishable.isEmpty ? []
                        : try amqp.publishConfirmed(publishable.map(\.message), appId: identity.name)
                    try Outbox.markSent(confirmed.map { publishable[$0].seq }, on: tx)
                    if confirmed.count < publishable.count {
                        logger.warning("broker refused messages; they stay in the outbox",
                                       metadata: ["count": "\(publishable.count - confirmed.count)"])
                    }
                    if !batch.isEmpty { logger.debug("relayed", metadata: ["count": "\(confirmed.count)"]) }
                    return .batch(taken: batch.count, published: confirmed.count + batch.count - publishable.count)
                }
            }
        } catch {
            logger.warning("outbox relay interrupted, reconnecting", metadata: ["error": "\(error)"])
            if broker?.isBroken ?? true { closeBroker() }
            return .failed
        }
    }

    func close() {
        closeBroker()
        database.close()
    }

    private static func unconfirmed(_ messages: [OutboxMessage], confirmed: [UUID]) -> [OutboxMessage] {
        let confirmed = Set(confirmed)
        return messages.filter { !confirmed.contains($0.messageId) }
    }

    /// One attempt: the ids the broker confirmed, or nil once the failure is logged at `level`
    /// with what happens now (`failing`) and the connection closed.
    private func attempt(_ messages: [OutboxMessage], failing: String, level: Logger.Level) -> [UUID]? {
        do {
            return try connection().publishConfirmed(messages, appId: configuration.identity.name)
                .map { messages[$0].messageId }
        } catch {
            logger.log(level: level, "publishing committed messages failed; \(failing)",
                       metadata: ["count": "\(messages.count)", "error": "\(error)"])
            closeBroker()
            return nil
        }
    }

    /// The broker connection: kept alive while it is used, re-opened after a quiet spell longer
    /// than the heartbeat.
    private func connection() throws -> AMQPConnection {
        defer { lastUsed = .now }
        if let broker, ContinuousClock.now - lastUsed <= .seconds(configuration.amqpHeartbeat) {
            try broker.keepAlive()
            return broker
        }
        closeBroker()
        let amqp = try configuration.broker.connect(name: "\(configuration.instance) \(name)",
                                                    heartbeat: configuration.amqpHeartbeat)
        do {
            try amqp.enableConfirms()
        } catch {
            amqp.close()
            throw error
        }
        broker = amqp
        return amqp
    }

    private func closeBroker() {
        broker?.close()
        broker = nil
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
