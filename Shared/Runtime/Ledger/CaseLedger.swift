import FoundationEssentials
import HoushiContract
import HoushiStorage

/// What a department has received per case: the item requests intake sent it, and facts other
/// departments published (e.g. `hukou.cancelled`), kept until the department's work needs them,
/// whatever order they arrive in (DESIGN.md reliability rule 4).
public enum CaseLedger {
    /// `item_requests` and `case_facts` in the department's schema.
    public static let migration = Migration(version: 1, formerly: 2, name: "case ledger", sql: """
        CREATE TABLE item_requests (
            case_id uuid NOT NULL,
            item text NOT NULL,
            message_id uuid NOT NULL UNIQUE,
            received_at timestamptz NOT NULL DEFAULT now(),
            status text NOT NULL DEFAULT 'received',
            request jsonb NOT NULL,
            PRIMARY KEY (case_id, item));
        CREATE TABLE case_facts (
            case_id uuid NOT NULL,
            fact text NOT NULL,
            message_id uuid NOT NULL UNIQUE,
            received_at timestamptz NOT NULL DEFAULT now(),
            payload jsonb NOT NULL,
            PRIMARY KEY (case_id, fact));
        """)

    /// The stored payloads carry no statistics: no statement filters on them (see
    /// `Outbox.statisticsMigration`).
    public static let statisticsMigration = Migration(version: 2, formerly: 8, name: "ledger payloads without statistics", sql: """
        ALTER TABLE item_requests ALTER COLUMN request SET STATISTICS 0;
        ALTER TABLE case_facts ALTER COLUMN payload SET STATISTICS 0;
        """)

    /// Records the request being handled (its payload as received) once per case and item, in
    /// one round trip with the handler's first statement, which `read` runs. A correction
    /// (`RequestCorrection`) newer than the recorded request replaces it; a request of a case
    /// withdrawn before it came is answered `reversed` here, nothing done. `read` sees the
    /// request recorded now; it must run exactly one statement whose result it needs, and a
    /// statement with effects must make them depend on the request's status being `received`
    /// with this message's id (a correction replacing a request still `received` looks the same).
    public static func recordRequest<T>(item: Item, context: HandlerContext,
                                        along read: () throws -> T) throws -> RecordedRequest<T> {
        var recorded: (status: String, inserted: Bool)??
        try context.db.executeDeferred("""
            INSERT INTO item_requests (case_id, item, message_id, request) VALUES ($1, $2, $3, ($4::jsonb)->'payload')
            ON CONFLICT (case_id, item) DO UPDATE
                SET message_id = EXCLUDED.message_id, request = EXCLUDED.request,
                    status = CASE WHEN item_requests.status = 'withdrawn' THEN 'reversed' ELSE item_requests.status END,
                    received_at = CASE WHEN item_requests.status = 'withdrawn' THEN now() ELSE item_requests.received_at END
                WHERE item_requests.status = 'withdrawn'
                    OR (item_requests.status <> 'reversed'
                        AND coalesce((EXCLUDED.request->'correction'->>'sequence')::int, 0)
                            > coalesce((item_requests.request->'correction'->>'sequence')::int, 0))
            RETURNING status, xmax = 0 AS inserted
            """, [context.caseId, item.rawValue, context.receivedMessageId, context.receivedJSON]) { result in
            recorded = .some(try result.first.map { (try $0.string("status"), try $0.bool("inserted")) })
        }
        let value = try read()
        guard let recorded else { preconditionFailure("the request went to the server with no statement of `read`") }
        switch recorded {
        case (_, true)?:
            return .new(value)
        case ("reversed", false)?:
            context.logger.info("request of a case withdrawn before it came: nothing done", metadata: ["item": "\(item.rawValue)"])
            try context.emit(.reversed(item), ItemReversed(reason: withdrawalReason, detail: "登记已撤回，本事项未办理"))
            return .nothing
        case (let status, false)?:
            context.logger.info("request corrected", metadata: ["item": "\(item.rawValue)", "status": "\(status)"])
            return .corrected(status: status)
        case nil:
            return .nothing
        }
    }

    /// Records the fact being handled (its payload as received) once per case and type.
    /// Deferred: `recorded` learns, before the transaction commits, whether the case had it
    /// already (false).
    public static func recordFact(_ type: MessageType, context: HandlerContext,
                                  recorded: @escaping (Bool) -> Void) throws {
        try context.db.executeDeferred("""
            INSERT INTO case_facts (case_id, fact, message_id, payload) VALUES ($1, $2, $3, ($4::jsonb)->'payload')
            ON CONFLICT (case_id, fact) DO NOTHING
            """, [context.caseId, type.name, context.receivedMessageId, context.receivedJSON]) { recorded($0.affectedRows == 1) }
    }

    /// Moves a recorded request to a department-defined status (e.g. `held`, `cancelled`).
    public static func setStatus(_ status: String, item: Item, caseId: UUID, on db: PostgresConnection) throws {
        try db.executeDeferred("UPDATE item_requests SET status = $3 WHERE case_id = $1 AND item = $2",
                       [caseId, item.rawValue, status])
    }

    /// The recorded request of a case and the id of the message that brought it, locked for
    /// this transaction.
    public static func request<P: Decodable>(item: Item, caseId: UUID, as payload: P.Type,
                                             on db: PostgresConnection) throws -> (request: P, messageId: UUID)? {
        guard let row = try db.execute("""
            SELECT request::text AS request, message_id FROM item_requests
            WHERE case_id = $1 AND item = $2 AND request IS NOT NULL FOR UPDATE
            """, [caseId, item.rawValue]).first
        else { return nil }
        return (try JSONDecoder().decode(P.self, from: Data(try row.string("request").utf8)), try row.uuid("message_id"))
    }
}

/// What became of a request `CaseLedger.recordRequest` recorded.
public enum RecordedRequest<T> {
    /// The case's first request of the item: what `read` returned.
    case new(T)
    /// A correction replaced the recorded request, whose item is in `status` (`received`,
    /// `held`, `settled`, …): the department redoes what depends on it.
    case corrected(status: String)
    /// Nothing to do: the request again, an older correction, or a withdrawn case's.
    case nothing
}

/// Records another department's published fact in the ledger.
public struct RecordFact<Payload: Codable & Sendable>: MessageHandler {
    public let messageType: MessageType

    public init(_ type: MessageType, as payload: Payload.Type) { messageType = type }

    public func handle(_ message: Envelope<Payload>, context: HandlerContext) throws {
        let (logger, fact) = (context.logger, messageType.name)
        try CaseLedger.recordFact(messageType, context: context) { recorded in
            logger.info(recorded ? "fact recorded" : "case already has this fact", metadata: ["fact": "\(fact)"])
        }
    }
}
