import Foundation
import HoushiContract
import HoushiMessaging
import HoushiStorage
import Logging
import Metrics

/// DESIGN.md's reliability rules 1–3 for one delivery, written once for every service: decode,
/// record the id in the inbox, run the handler, write what it emits to the outbox, commit. The
/// caller acknowledges the delivery after `process` returns.
///
/// A duplicate id changes nothing. A handler failure is retried with back-off a bounded number of
/// times; then, like an undecodable or unknown message at once, the message is written to the
/// outbox bound for the service's dead-letter queue, with its reason. Only a lost database
/// connection escapes: the caller reconnects and processes the same delivery again.
public struct MessageProcessor: Sendable {
    public let department: Department
    public let maxAttempts: Int
    private let handlers: [String: RegisteredHandler]
    private let codec = MessageCodec()

    /// Outcome of processing one delivery, for logs and tests.
    public enum Outcome: Sendable, Equatable {
        case handled
        case duplicate
        case deadLettered(reason: String)
    }

    public init(department: Department, handlers: [RegisteredHandler], maxAttempts: Int) {
        self.department = department
        self.maxAttempts = max(1, maxAttempts)
        self.handlers = Dictionary(uniqueKeysWithValues: handlers.map { ($0.messageType.routingKey, $0) })
    }

    /// The routing keys handled: the service queue's bindings must be exactly these.
    public var routingKeys: Set<String> { Set(handlers.keys) }

    @discardableResult
    public func process(_ delivery: Delivery, on db: PostgresConnection, logger: Logger, stop: StopSignal) throws -> Outcome {
        var logger = logger
        logger[metadataKey: "delivery_routing_key"] = "\(delivery.routingKey)"
        let header: EnvelopeHeader
        do {
            header = try codec.decodeHeader(delivery.body)
        } catch {
            return try deadLetter(delivery, reason: "undecodable envelope: \(describe(error))", on: db, logger: logger)
        }
        logger[metadataKey: "case"] = "\(header.caseId.lowercased)"
        logger[metadataKey: "message_id"] = "\(header.id.lowercased)"
        logger[metadataKey: "type"] = "\(header.messageType)"
        guard let handler = handlers[header.messageType.routingKey] else {
            return try deadLetter(delivery, reason: "\(department.rawValue) has no handler for \(header.messageType)",
                                  on: db, logger: logger)
        }
        let trace = delivery.traceParent?.child() ?? .start()
        logger[metadataKey: "trace_id"] = "\(trace.traceId)"

        var backoff = Backoff(initial: .milliseconds(200), maximum: .seconds(3))
        var lastError: any Error = UnprocessableMessage("not attempted")
        for attempt in 1...maxAttempts {
            do {
                let fresh = try db.withTransaction { tx in
                    guard try Outbox.recordReceived(messageId: header.id, routingKey: header.messageType.routingKey,
                                                    caseId: header.caseId, on: tx)
                    else { return false }
                    try handler.handle(delivery.body, HandlerContext(
                        db: tx, logger: logger, department: department, caseId: header.caseId,
                        causationId: header.id, trace: trace))
                    return true
                }
                logger.info(fresh ? "handled" : "duplicate ignored")
                count(fresh ? "handled" : "duplicate", type: header.messageType.routingKey)
                return fresh ? .handled : .duplicate
            } catch let error as PostgresError where error.connectionLost {
                throw error
            } catch let error as UnprocessableMessage {
                return try deadLetter(delivery, reason: error.reason, on: db, logger: logger)
            } catch {
                lastError = error
                logger.warning("handler failed", metadata: ["attempt": "\(attempt)", "error": "\(error)"])
                if attempt < maxAttempts, stop.wait(backoff.next()) { throw StoppedWhileRetrying() }
            }
        }
        return try deadLetter(delivery, reason: "failed \(maxAttempts) times: \(lastError)", on: db, logger: logger)
    }

    private func deadLetter(_ delivery: Delivery, reason: String, on db: PostgresConnection, logger: Logger) throws -> Outcome {
        let queue = Topology.queue(of: department)
        var headers = DeadLetter.headers(reason: reason, delivery: delivery)
        headers[TraceParent.header] = delivery.traceParent?.description
        try db.withTransaction { tx in
            try Outbox.enqueue(OutboxMessage(
                messageId: UUID(), exchange: Topology.deadLetterExchange, routingKey: queue,
                caseId: delivery.properties.correlationId.flatMap(UUID.init(uuidString:)),
                headers: headers, body: delivery.body), on: tx)
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
    public static let deadLetteredAtHeader = "x-houshi-dead-lettered-at"

    static func headers(reason: String, delivery: Delivery) -> [String: String] {
        var headers = [
            reasonHeader: reason,
            originalRoutingKeyHeader: delivery.routingKey,
            originalExchangeHeader: delivery.exchange,
            deadLetteredAtHeader: Timestamp.now().rfc3339,
        ]
        headers[originalMessageIdHeader] = delivery.properties.messageId
        return headers
    }
}

extension Delivery {
    var traceParent: TraceParent? {
        guard case .string(let value)? = properties.headers[TraceParent.header] else { return nil }
        return TraceParent(header: value)
    }
}
