import FoundationEssentials
import HoushiContract
import HoushiStorage

/// What a department has received per case: the item requests intake sent it, and facts other
/// departments published (e.g. `hukou.cancelled`), kept until the department's work needs them,
/// whatever order they arrive in (DESIGN.md reliability rule 4).
public enum CaseLedger {
    /// `item_requests` and `case_facts` in the department's schema.
    public static let migration = Migration(version: 2, name: "case ledger", sql: """
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

    /// Records the request being handled (its payload as received) once per case and item;
    /// returns false when the case already had one.
    @discardableResult
    public static func recordRequest(item: Item, context: HandlerContext) throws -> Bool {
        try context.db.execute("""
            INSERT INTO item_requests (case_id, item, message_id, request) VALUES ($1, $2, $3, ($4::jsonb)->'payload')
            ON CONFLICT (case_id, item) DO NOTHING
            """, [context.caseId, item.rawValue, context.receivedMessageId, context.receivedJSON]).affectedRows == 1
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
            SELECT request::text AS request, message_id FROM item_requests WHERE case_id = $1 AND item = $2 FOR UPDATE
            """, [caseId, item.rawValue]).first
        else { return nil }
        return (try decodeRequest(row), try row.uuid("message_id"))
    }

    /// The recorded request of a case while it is in `status`, once the case has the fact
    /// `fact` too; locked for this transaction.
    public static func request<P: Decodable>(item: Item, caseId: UUID, as payload: P.Type, status: String,
                                             once fact: MessageType, on db: PostgresConnection) throws -> P? {
        guard let row = try db.execute("""
            SELECT request::text AS request FROM item_requests
            WHERE case_id = $1 AND item = $2 AND status = $3
                AND EXISTS (SELECT FROM case_facts WHERE case_id = $1 AND fact = $4)
            FOR UPDATE
            """, [caseId, item.rawValue, status, fact.name]).first
        else { return nil }
        return try decodeRequest(row)
    }

    /// Those of `caseIds` whose request for `item` is in `status` and which have the fact `fact`,
    /// as `request(item:caseId:as:status:once:on:)` would find them, without locking.
    public static func cases(among caseIds: [UUID], withRequest item: Item, status: String, once fact: MessageType,
                             on db: PostgresConnection) throws -> Set<UUID> {
        Set(try db.execute("""
            SELECT case_id FROM item_requests r
            WHERE case_id = ANY($1::uuid[]) AND item = $2 AND status = $3
                AND EXISTS (SELECT FROM case_facts f WHERE f.case_id = r.case_id AND f.fact = $4)
            """, [SQLArray(caseIds.map(\.uuidString)), item.rawValue, status, fact.name]).rows.map { try $0.uuid("case_id") })
    }

    private static func decodeRequest<P: Decodable>(_ row: Row) throws -> P {
        try JSONDecoder().decode(P.self, from: Data(try row.string("request").utf8))
    }
}

/// Records an item request in the department's ledger.
public struct RecordItemRequest<Payload: Codable & Sendable>: MessageHandler {
    public let item: Item
    public var messageType: MessageType { .request(for: item) }

    public init(_ item: Item, as payload: Payload.Type) { self.item = item }

    public func handle(_ message: Envelope<Payload>, context: HandlerContext) throws {
        let recorded = try CaseLedger.recordRequest(item: item, context: context)
        context.logger.info(recorded ? "request recorded" : "case already has this request",
                            metadata: ["item": "\(item.rawValue)"])
    }
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
