import FoundationEssentials
import HoushiContract
import HoushiStorage
import Logging

/// Handles one message type for a service. `handle` runs inside the transaction that also
/// records the message in the inbox and its emitted messages in the outbox, on the consumer's
/// own thread: it may block on the database, and must not do anything else slow.
public protocol MessageHandler: Sendable {
    associatedtype Payload: Codable & Sendable
    /// The type (name and version) this handler consumes.
    var messageType: MessageType { get }
    func handle(_ message: Envelope<Payload>, context: HandlerContext) throws
}

/// The consumed message a handler is handling: its id, its type and its envelope as received.
public struct ReceivedMessage: Sendable {
    public let id: UUID
    public let type: MessageType
    /// The envelope's JSON as delivered, so that its payload is stored without being encoded again.
    public let body: Data
    /// The broker user that published it (the AMQP `user_id`, which the broker checked; for a
    /// replayed dead letter, the user it first came from: `PublisherCheck`).
    public let publisher: String?

    public init(id: UUID, type: MessageType, body: Data, publisher: String? = nil) {
        self.id = id
        self.type = type
        self.body = body
        self.publisher = publisher
    }
}

/// What the handlers of one transaction leave to its follow-up (`MessageProcessor.FollowUp`), which
/// writes it for all of them at once: one statement for a batch of messages instead of one each.
/// Owned by the thread that runs the transaction.
public final class FollowUpWork {
    private var items: [Any] = []

    public init() {}

    /// Leaves `item` to the follow-up.
    public func add(_ item: Any) { items.append(item) }

    /// What the handlers left of type `T`, in the order they left it.
    public func items<T>(of type: T.Type) -> [T] { items.compactMap { $0 as? T } }
}

/// What a handler may use while handling one message: the transaction, a logger carrying the
/// case id, and `emit` for the messages it causes. Officers' decisions taken over HTTP use one too.
public final class HandlerContext {
    /// The open transaction; statements here commit or roll back with the inbox record.
    public let db: PostgresConnection
    public let logger: Logger
    /// The service handling it: the producer of what it emits.
    let identity: ServiceIdentity
    /// The case every emitted message belongs to.
    public let caseId: UUID
    let causationId: UUID?
    let trace: TraceParent
    /// The consumed message; nil for an officer's decision taken over HTTP.
    public let received: ReceivedMessage?
    /// Where the writer collects what is emitted, to hand it to the outbox publisher after the commit.
    let emitted: EmittedMessages
    /// What the handlers leave to the follow-up; shared by every context of the transaction. Only
    /// a consumer's transactions have a follow-up.
    public let followUp: FollowUpWork

    /// - Parameters:
    ///   - caseId: the case every emitted message belongs to.
    ///   - causationId: the message that caused what is emitted, if any.
    ///   - received: the message being handled, if any.
    ///   - emitted: collects what is emitted (`ServiceContext.inTransaction` gives one).
    public convenience init(db: PostgresConnection, logger: Logger, department: Department, caseId: UUID,
                            causationId: UUID?, trace: TraceParent, received: ReceivedMessage? = nil,
                            emitted: EmittedMessages) {
        self.init(db: db, logger: logger, identity: department.identity, caseId: caseId, causationId: causationId,
                  trace: trace, received: received, emitted: emitted, followUp: FollowUpWork())
    }

    /// A context of `identity`'s, for work over HTTP (an officer's decision).
    public convenience init(db: PostgresConnection, logger: Logger, identity: ServiceIdentity, caseId: UUID,
                            causationId: UUID?, trace: TraceParent, emitted: EmittedMessages) {
        self.init(db: db, logger: logger, identity: identity, caseId: caseId, causationId: causationId,
                  trace: trace, received: nil, emitted: emitted, followUp: FollowUpWork())
    }

    init(db: PostgresConnection, logger: Logger, identity: ServiceIdentity, caseId: UUID, causationId: UUID?,
         trace: TraceParent, received: ReceivedMessage?, emitted: EmittedMessages, followUp: FollowUpWork) {
        self.db = db
        self.logger = logger
        self.identity = identity
        self.caseId = caseId
        self.causationId = causationId
        self.trace = trace
        self.received = received
        self.emitted = emitted
        self.followUp = followUp
    }

    /// The consumed message's envelope as JSON text, for SQL that stores `->'payload'` of it.
    /// Only handlers of consumed messages may ask.
    public var receivedJSON: String {
        guard let received else { preconditionFailure("no consumed message: an officer's decision has no payload to store") }
        return String(decoding: received.body, as: UTF8.self)
    }

    /// The id of the consumed message being handled.
    public var receivedMessageId: UUID {
        guard let received else { preconditionFailure("no consumed message") }
        return received.id
    }

    /// Emits a message of the case; it is handed to the outbox publisher after the transaction commits.
    public func emit<P: Codable & Sendable>(_ type: MessageType, _ payload: P) throws {
        let envelope = Envelope(type: type, caseId: caseId, causationId: causationId, producer: identity,
                                payload: payload)
        let message = try envelope.outboxMessage(trace: trace.child())
        try Outbox.enqueue(message, claimedFor: OutboxPublisher.claim, on: db)
        emitted.add(message)
        logger.info("emitted", metadata: ["emitted_type": "\(type)", "emitted_id": "\(envelope.id.lowercased)"])
    }
}

extension Array where Element == HandlerContext {
    /// The last context of each case: what a follow-up acts on.
    public var lastByCase: [UUID: HandlerContext] {
        Dictionary(map { ($0.caseId, $0) }, uniquingKeysWith: { $1 })
    }
}

/// A message that can never be handled (it does not decode as its type, or the data breaks the
/// contract): it goes to the dead-letter queue at once, without retries.
public struct UnprocessableMessage: Error, Sendable, CustomStringConvertible {
    public let reason: String
    public init(_ reason: String) { self.reason = reason }
    public var description: String { reason }
}

/// A handler with its payload type erased, as the processor dispatches them by routing key.
public struct RegisteredHandler: Sendable {
    public let messageType: MessageType
    /// Decodes a whole envelope of this type; what it returns runs the handler on it.
    let decode: @Sendable (Data) throws(UnprocessableMessage) -> DecodedMessage

    public init<H: MessageHandler>(_ handler: H) {
        messageType = handler.messageType
        decode = { body throws(UnprocessableMessage) in
            let envelope: Envelope<H.Payload>
            do {
                envelope = try MessageCodec().decode(body)
            } catch {
                throw UnprocessableMessage("payload does not decode as \(handler.messageType): \(describe(error))")
            }
            return DecodedMessage(header: envelope.header) { context in try handler.handle(envelope, context: context) }
        }
    }
}

/// A delivery decoded as its handler's payload type, ready to be handled.
struct DecodedMessage {
    let header: EnvelopeHeader
    let handle: (HandlerContext) throws -> Void
}

/// A short, log-safe account of a decoding error: where and what, never the values (so not the
/// decoder's own text either, which quotes an unexpected value: an ID number in the wrong field).
func describe(_ error: any Error) -> String {
    guard let error = error as? DecodingError else { return String(describing: error) }
    func path(_ context: DecodingError.Context) -> String {
        let path = context.codingPath.map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }.joined(separator: ".")
        return path.isEmpty ? "the document" : path
    }
    switch error {
    case .keyNotFound(let key, let context): return "\(path(context)).\(key.stringValue) is missing"
    case .valueNotFound(_, let context): return "\(path(context)) is null"
    case .typeMismatch(let type, let context): return "\(path(context)) is not \(type)"
    case .dataCorrupted(let context): return "\(path(context)) has an invalid value"
    @unknown default: return "undecodable"
    }
}
