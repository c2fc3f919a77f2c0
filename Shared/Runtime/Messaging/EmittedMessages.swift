import FoundationEssentials
import HoushiContract
import HoushiMessaging
import HoushiStorage
import Logging

/// The messages handlers emit in one consumer's transactions. Their outbox rows are claimed for
/// `claim` (`Outbox.enqueue(_:claimedFor:on:)`), so that the consumer publishes them itself as soon
/// as they commit (`EmittedMessagePublisher`) instead of waking a relay that reads them back; a row
/// still unsent when its claim ends (the consumer died, or the broker refused it) goes out with
/// the relay's next batch.
final class EmittedMessages {
    /// How long the relays leave a claimed row to its writer.
    static let claim: Duration = .seconds(10)

    private var staged: [OutboxMessage] = []
    /// What committed transactions emitted, in order.
    private(set) var committed: [OutboxMessage] = []

    /// Adds a message emitted in the transaction `collect` runs.
    func add(_ message: OutboxMessage) { staged.append(message) }

    /// Runs `transaction` (a `withTransaction`); what it emitted counts as committed once it
    /// returns, and is dropped if it throws.
    func collect<T>(_ transaction: () throws -> T) rethrows -> T {
        staged.removeAll()
        defer { staged.removeAll() }
        let value = try transaction()
        committed += staged
        return value
    }
}

/// Publishes what a consumer's committed transactions emitted, with publisher confirms, on a
/// broker connection of its own, then marks it sent. Owned by the consumer's thread. It never
/// throws: what it cannot publish or mark stays in the outbox, where the relay finds it when the
/// claim ends (a message marked late is published twice, which the consumers' inboxes absorb).
final class EmittedMessagePublisher {
    private let configuration: ServiceConfiguration
    private let name: String
    private let logger: Logger
    private var broker: AMQPConnection?

    init(configuration: ServiceConfiguration, name: String, logger: Logger) {
        self.configuration = configuration
        self.name = name
        self.logger = logger
    }

    func publish(_ messages: [OutboxMessage], markingOn database: DatabaseSession) {
        guard !messages.isEmpty else { return }
        let confirmed: [OutboxMessage]
        do {
            let amqp = try broker ?? connect()
            broker = amqp
            confirmed = try amqp.publishConfirmed(messages, appId: configuration.department.rawValue).map { messages[$0] }
        } catch {
            logger.warning("publishing emitted messages failed; the outbox relay sends them when their claim ends",
                           metadata: ["count": "\(messages.count)", "error": "\(error)"])
            close()
            return
        }
        if confirmed.count < messages.count {
            logger.warning("broker refused messages; the outbox relay retries them when their claim ends",
                           metadata: ["count": "\(messages.count - confirmed.count)"])
        }
        do {
            try database.use { db in
                try db.withTransaction { tx in
                    // As the relay's marks: a mark lost in a database crash only publishes again.
                    try tx.executeDeferred("SELECT set_config('synchronous_commit', 'off', true)")
                    try Outbox.markSent(messageIds: confirmed.map(\.messageId), on: tx)
                }
            }
        } catch {
            logger.warning("marking published messages sent failed; the outbox relay publishes them again",
                           metadata: ["count": "\(confirmed.count)", "error": "\(error)"])
        }
    }

    func close() {
        broker?.close()
        broker = nil
    }

    private func connect() throws -> AMQPConnection {
        let amqp = try AMQPConnection(url: configuration.amqpURL, name: "\(configuration.instance) \(name)")
        do {
            try amqp.enableConfirms()
        } catch {
            amqp.close()
            throw error
        }
        return amqp
    }
}

extension AMQPConnection {
    /// Publishes outbox messages on a channel with confirms enabled and waits for the broker's
    /// answers; returns the positions in `messages` of those it confirmed, in order.
    func publishConfirmed(_ messages: [OutboxMessage], appId: String) throws -> [Int] {
        var positions: [UInt64: Int] = [:]
        for (position, message) in messages.enumerated() {
            let tag = try publish(exchange: message.exchange, routingKey: message.routingKey, body: message.body,
                                  properties: message.properties(appId: appId))
            positions[tag] = position
        }
        let refused = try waitForConfirms()
        return positions.filter { !refused.contains($0.key) }.map(\.value).sorted()
    }
}

extension OutboxMessage {
    /// The AMQP properties it is published with.
    func properties(appId: String) -> MessageProperties {
        MessageProperties(
            contentType: "application/json", messageId: messageId.lowercased, correlationId: caseId?.lowercased,
            type: routingKey, appId: appId, timestamp: Date(), persistent: true,
            headers: headers.mapValues { .string($0) })
    }
}
