import FoundationEssentials
import HoushiContract
import HoushiMessaging
import HoushiStorage
import Logging
import Metrics

/// DESIGN.md's reliability rules 1–3 for one delivery, written once for every service: decode,
/// record the id in the inbox, run the handler, write what it emits to the outbox, commit. The
/// caller hands what was emitted (`EmittedMessages`) to the outbox publisher and acknowledges the
/// delivery after `process` returns.
///
/// A duplicate id changes nothing. A handler failure is retried with back-off a bounded number of
/// times; then, like an undecodable or unknown message at once, the message is written to the
/// outbox bound for the service's dead-letter queue, with its reason. Only a lost database
/// connection escapes: the caller reconnects and processes the same delivery again.
public struct MessageProcessor: Sendable {
    public let identity: ServiceIdentity
    public let maxAttempts: Int
    private let handlers: [String: RegisteredHandler]
    private let followUp: FollowUp?
    private let codec = MessageCodec()

    /// Work that follows the handlers in their transaction, for every message of it, handled or
    /// found duplicate. Each context is that of one message; all share what the handlers left in
    /// `HandlerContext.followUp`, for statements that write it for the whole batch at once. Work
    /// that waits for what several messages record (a case whose every item has ended, a claim and
    /// its `hukou.cancelled`), which other consumers may be recording at the same moment, locks the
    /// case before it looks: of two transactions that each recorded one missing part, the second
    /// to take the lock sees what the first committed.
    public typealias FollowUp = @Sendable (_ messages: [HandlerContext]) throws -> Void

    /// Outcome of processing one delivery, for logs and tests.
    public enum Outcome: Sendable, Equatable {
        case handled
        case duplicate
        case deadLettered(reason: String)
    }

    public init(identity: ServiceIdentity, handlers: [RegisteredHandler], maxAttempts: Int,
                followUp: FollowUp? = nil) {
        self.identity = identity
        self.maxAttempts = max(1, maxAttempts)
        self.handlers = Dictionary(uniqueKeysWithValues: handlers.map { ($0.messageType.routingKey, $0) })
        self.followUp = followUp
    }

    /// The routing keys handled: the service queue's bindings must be exactly these.
    public var routingKeys: Set<String> { Set(handlers.keys) }

    private func process(_ delivery: Delivery, _ admission: Admission, on db: PostgresConnection,
                         emitted: EmittedMessages, stop: StopSignal) throws -> Outcome {
        let message: Admitted
        switch admission {
        case .refused(let reason, let logger):
            return try deadLetter(delivery, reason: reason, on: db, emitted: emitted, logger: logger)
        case .admitted(let admitted): message = admitted
        }
        var backoff = Backoff(initial: .milliseconds(200), maximum: .seconds(3))
        var lastError: any Error = UnprocessableMessage("not attempted")
        for attempt in 1...maxAttempts {
            do {
                let fresh = try emitted.collect { try db.withTransaction { tx in try handle([message], in: tx, emitted)[0] } }
                return report(message, fresh: fresh)
            } catch let error as PostgresError where error.connectionLost {
                throw error
            } catch let error as UnprocessableMessage {
                return try deadLetter(delivery, reason: error.reason, on: db, emitted: emitted, logger: message.logger)
            } catch {
                lastError = error
                message.logger.warning("handler failed", metadata: ["attempt": "\(attempt)", "error": "\(error)"])
                if attempt < maxAttempts, stop.wait(backoff.next()) { throw StoppedWhileRetrying() }
            }
        }
        return try deadLetter(delivery, reason: "failed \(maxAttempts) times: \(lastError)", on: db, emitted: emitted,
                              logger: message.logger)
    }

    /// Processes deliveries that were waiting together in one transaction, in case order (so two
    /// consumers lock cases in the same order), with one commit for all; the caller acknowledges
    /// them after it. If any is not simply handled or a duplicate (it cannot be decoded, has no
    /// handler, its handler fails, the transaction deadlocks), the batch is rolled back and each
    /// delivery is processed alone by `process`, with its retries and dead letter. What the
    /// handlers emit, and the dead letters, are collected in `emitted`.
    func process(batch deliveries: [Delivery], on db: PostgresConnection, emitted: EmittedMessages, logger: Logger,
                 stop: StopSignal) throws -> [Outcome] {
        let admissions = deliveries.map { admit($0, logger: logger) }
        let admitted = admissions.compactMap { admission -> Admitted? in
            if case .admitted(let message) = admission { return message }
            return nil
        }
        if deliveries.count > 1, admitted.count == deliveries.count {
            // In PostgreSQL's order of uuids (byte by byte), as the statements lock cases in.
            let ordered = admitted.sorted { $0.header.caseId < $1.header.caseId }
            var fresh: [Bool]?
            do {
                fresh = try emitted.collect { try db.withTransaction { tx in try handle(ordered, in: tx, emitted) } }
            } catch let error as PostgresError where error.connectionLost {
                throw error
            } catch {
                logger.info("batch rolled back, processing its messages one by one",
                            metadata: ["count": "\(deliveries.count)", "error": "\(error)"])
            }
            if let fresh {
                return zip(ordered, fresh).map { report($0, fresh: $1) }
            }
        }
        return try zip(deliveries, admissions).map { try process($0, $1, on: db, emitted: emitted, stop: stop) }
    }

    /// A decoded delivery ready for its handler, with the logger and trace that go with it.
    private struct Admitted {
        let delivery: Delivery
        let decoded: DecodedMessage
        let logger: Logger
        let trace: TraceParent
        /// The broker user it comes from (`PublisherCheck.Verdict.accepted`).
        let publisher: String

        var header: EnvelopeHeader { decoded.header }

        /// The context its handler (or the follow-up) sees, on the transaction `tx`, emitting into
        /// `emitted` and leaving `work` to the follow-up.
        func context(on tx: PostgresConnection, identity: ServiceIdentity, emitted: EmittedMessages,
                     work: FollowUpWork) -> HandlerContext {
            HandlerContext(db: tx, logger: logger, identity: identity, caseId: header.caseId,
                           causationId: header.id, trace: trace,
                           received: ReceivedMessage(id: header.id, type: header.messageType, body: delivery.body,
                                                     publisher: publisher),
                           emitted: emitted, followUp: work)
        }
    }

    private enum Admission {
        case admitted(Admitted)
        case refused(reason: String, logger: Logger)
    }

    /// Decodes the envelope as its handler's payload type, or says why the message can never be
    /// handled. The delivery's routing key names the handler to try first (it is the envelope's
    /// type, except for a replayed dead letter); only when that fails is the header read alone,
    /// to find the handler or the reason.
    private func admit(_ delivery: Delivery, logger: Logger) -> Admission {
        var logger = logger
        logger[metadataKey: "delivery_routing_key"] = "\(delivery.routingKey)"
        let decoded: DecodedMessage
        if let handler = handlers[delivery.routingKey], let message = try? handler.decode(delivery.body),
           message.header.messageType == handler.messageType {
            decoded = message
        } else {
            let header: EnvelopeHeader
            do {
                header = try codec.decodeHeader(delivery.body)
            } catch {
                return .refused(reason: "undecodable envelope: \(describe(error))", logger: logger)
            }
            guard let handler = handlers[header.messageType.routingKey] else {
                return .refused(reason: "\(identity.name) has no handler for \(header.messageType)",
                                logger: logger.forMessage(header))
            }
            do {
                decoded = try handler.decode(delivery.body)
            } catch {
                return .refused(reason: error.reason, logger: logger.forMessage(header))
            }
        }
        logger = logger.forMessage(decoded.header)
        let publisher: String
        switch PublisherCheck.verdict(on: decoded.header.messageType, in: delivery, consumer: identity) {
        case .refused(let reason): return .refused(reason: reason, logger: logger)
        case .accepted(let user): publisher = user
        }
        let trace = delivery.traceParent?.child() ?? .start()
        logger[metadataKey: "trace_id"] = "\(trace.traceId)"
        return .admitted(Admitted(delivery: delivery, decoded: decoded, logger: logger, trace: trace, publisher: publisher))
    }

    /// Records the messages in the inbox, runs the handler of each recorded now and then the
    /// follow-up for all, in the caller's transaction; false for a message the inbox already had.
    private func handle(_ messages: [Admitted], in tx: PostgresConnection, _ emitted: EmittedMessages) throws -> [Bool] {
        var fresh = try Outbox.recordReceived(
            messages.map { ($0.header.id, $0.header.messageType.routingKey, $0.header.caseId) }, on: tx)
        let work = FollowUpWork()
        let handled = try messages.map { message in
            guard fresh.remove(message.header.id) != nil else { return false }
            try message.decoded.handle(message.context(on: tx, identity: identity, emitted: emitted, work: work))
            return true
        }
        try followUp?(messages.map { $0.context(on: tx, identity: identity, emitted: emitted, work: work) })
        return handled
    }

    private func report(_ message: Admitted, fresh: Bool) -> Outcome {
        // A handled message's handler logs what it did; a duplicate did nothing else to log.
        if fresh { message.logger.debug("handled") } else { message.logger.info("duplicate ignored") }
        count(fresh ? "handled" : "duplicate", type: message.header.messageType.routingKey)
        return fresh ? .handled : .duplicate
    }

    private func deadLetter(_ delivery: Delivery, reason: String, on db: PostgresConnection, emitted: EmittedMessages,
                            logger: Logger) throws -> Outcome {
        var headers = DeadLetter.headers(reason: reason, delivery: delivery)
        headers[TraceParent.header] = delivery.traceParent?.description
        let letter = OutboxMessage(messageId: .timeOrdered(), exchange: Topology.deadLetterExchange, routingKey: identity.queue,
                                   caseId: delivery.properties.correlationId.flatMap(UUID.init(text:)),
                                   headers: headers, body: delivery.body)
        try emitted.collect {
            try db.withTransaction { tx in try Outbox.enqueue(letter, claimedFor: OutboxPublisher.claim, on: tx) }
            emitted.add(letter)
        }
        logger.error("dead-lettered", metadata: ["reason": "\(reason)"])
        count("dead-lettered", type: delivery.routingKey)
        return .deadLettered(reason: reason)
    }

    /// `houshi_messages_total{outcome, type}`.
    private func count(_ outcome: String, type: String) {
        Counter(label: "houshi_messages_total", dimensions: [("outcome", outcome), ("type", type)]).increment()
    }
}

/// Shutdown came while a failed handler waited to retry; the delivery is left unacknowledged.
struct StoppedWhileRetrying: Error {}

/// The headers a dead letter carries: why it failed and where it came from.
public enum DeadLetter {
    public static let reasonHeader = "x-houshi-reason"
    public static let originalRoutingKeyHeader = "x-houshi-original-routing-key"
    public static let originalExchangeHeader = "x-houshi-original-exchange"
    public static let originalMessageIdHeader = "x-houshi-original-message-id"
    public static let originalUserIdHeader = "x-houshi-original-user-id"
    public static let deadLetteredAtHeader = "x-houshi-dead-lettered-at"

    /// The headers of `delivery`'s dead letter. A replayed dead letter that fails again keeps the
    /// routing key, exchange and message id it first came with, not the replay's.
    static func headers(reason: String, delivery: Delivery) -> [String: String] {
        func original(_ header: String, else value: String?) -> String? {
            delivery.properties.headers[header]?.description ?? value
        }
        var headers = [reasonHeader: reason, deadLetteredAtHeader: Timestamp.now().rfc3339]
        headers[originalRoutingKeyHeader] = original(originalRoutingKeyHeader, else: delivery.routingKey)
        headers[originalExchangeHeader] = original(originalExchangeHeader, else: delivery.exchange)
        headers[originalMessageIdHeader] = original(originalMessageIdHeader, else: delivery.properties.messageId)
        headers[originalUserIdHeader] = original(originalUserIdHeader, else: delivery.properties.userId)
        return headers
    }
}

extension Logger {
    /// This logger with the message's case, id and type, when its header could be read.
    fileprivate func forMessage(_ header: EnvelopeHeader) -> Logger {
        var logger = self
        logger[metadataKey: "case"] = "\(header.caseId.lowercased)"
        logger[metadataKey: "message_id"] = "\(header.id.lowercased)"
        logger[metadataKey: "type"] = "\(header.messageType)"
        return logger
    }
}

extension Delivery {
    var traceParent: TraceParent? {
        guard case .string(let value)? = properties.headers[TraceParent.header] else { return nil }
        return TraceParent(header: value)
    }
}
