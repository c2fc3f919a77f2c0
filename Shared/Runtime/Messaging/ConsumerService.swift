import HoushiContract
import HoushiMessaging
import HoushiStorage
import Logging
import ServiceLifecycle

/// Consumes the service's queue with `consumers` competing loops, each on a dedicated thread
/// owning its broker and database connections. Deliveries are acknowledged only after their
/// transaction commits, once what it emitted is handed to the outbox publisher; lost connections
/// are re-established with back-off; graceful shutdown finishes the delivery in hand and leaves
/// the rest to other replicas.
public struct ConsumerService: Service {
    let configuration: ServiceConfiguration
    let processor: MessageProcessor
    let publisher: OutboxPublisher
    let readiness: Readiness
    let logger: Logger

    public init(configuration: ServiceConfiguration, processor: MessageProcessor, publisher: OutboxPublisher,
                readiness: Readiness, logger: Logger) {
        self.configuration = configuration
        self.processor = processor
        self.publisher = publisher
        self.readiness = readiness
        self.logger = logger
    }

    public func run() async throws {
        let stop = StopSignal()
        await withTaskCancellationOrGracefulShutdownHandler {
            await withTaskGroup(of: Void.self) { group in
                for index in 0..<configuration.consumers {
                    let loop = ConsumerLoop(index: index, configuration: configuration, processor: processor,
                                            publisher: publisher, readiness: readiness, logger: logger, stop: stop)
                    group.addTask { await onDedicatedThread(name: "consumer-\(index)") { loop.run() } }
                }
            }
        } onCancelOrGracefulShutdown: {
            stop.set()
        }
    }
}

/// One consumer: connect, declare, consume, process, ack, and start over when a connection drops.
struct ConsumerLoop: Sendable {
    let index: Int
    let configuration: ServiceConfiguration
    let processor: MessageProcessor
    let publisher: OutboxPublisher
    let readiness: Readiness
    let logger: Logger
    let stop: StopSignal

    private var component: String { "consumer-\(index)" }

    func run() {
        var logger = logger
        logger[metadataKey: "consumer"] = "\(index)"
        let database = DatabaseSession(configuration: configuration, name: component)
        var broker: AMQPConnection?
        let emitted = EmittedMessages()
        var backoff = Backoff()
        defer {
            broker?.close()
            database.close()
            readiness.set(component, ready: false)
        }
        while !stop.isSet {
            do {
                let amqp = try broker ?? connect(logger: logger)
                broker = amqp
                readiness.set(component, ready: true)
                guard let first = try amqp.nextDelivery(timeout: .milliseconds(250)) else { continue }
                var batch = [first]
                let deadline = ContinuousClock.now + configuration.consumerLinger
                while batch.count < configuration.consumerBatch,
                      let next = try amqp.nextDelivery(timeout: max(.zero, deadline - .now)) {
                    batch.append(next)
                }
                try process(batch, database: database, emitted: emitted, logger: logger)
                publisher.handOver(emitted.takeCommitted())
                // Deliveries on a channel are numbered in order, and this loop settles each before the next.
                try amqp.ack(batch[batch.count - 1].deliveryTag, multiple: true)
                backoff.reset()
            } catch is StoppedWhileRetrying {
                break
            } catch {
                // Closing the connection returns any delivery in hand to the queue.
                readiness.set(component, ready: false)
                logger.warning("consumer interrupted, reconnecting", metadata: ["error": "\(error)"])
                broker?.close()
                broker = nil
                stop.wait(backoff.next())
            }
        }
    }

    private func connect(logger: Logger) throws -> AMQPConnection {
        let amqp = try configuration.broker.connect(name: "\(configuration.instance) \(component)",
                                                    heartbeat: configuration.amqpHeartbeat)
        do {
            try BrokerTopology.declare(for: configuration.identity, on: amqp)
            try amqp.setPrefetch(UInt16(clamping: configuration.prefetch))
            try amqp.consume(queue: configuration.identity.queue)
        } catch {
            amqp.close()
            throw error
        }
        logger.info("consuming", metadata: ["queue": "\(configuration.identity.queue)",
                                            "broker": "\(amqp.node)"])
        return amqp
    }

    /// Processes the deliveries, waiting out database outages: they stay in hand, so a lost
    /// database connection never drops or reorders them.
    private func process(_ batch: [Delivery], database: DatabaseSession, emitted: EmittedMessages, logger: Logger) throws {
        var backoff = Backoff()
        while true {
            do {
                _ = try database.use { db in
                    try processor.process(batch: batch, on: db, emitted: emitted, logger: logger, stop: stop)
                }
                return
            } catch let error as PostgresError where error.connectionLost {
                logger.warning("database unavailable, retrying the delivery", metadata: ["error": "\(error)"])
                if stop.wait(backoff.next()) { throw StoppedWhileRetrying() }
            }
        }
    }
}
