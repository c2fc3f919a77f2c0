import FoundationEssentials
import HoushiContract
import HoushiStorage
import Logging

/// Items a department holds for an officer's review, each with a deadline, and the decisions
/// taken on them (who, when, why). Shared by every department's schema.
public enum HeldItems {
    public static let migration = Migration(version: 1, formerly: 4, name: "held items", sql: """
        CREATE TABLE held_items (
            case_id uuid NOT NULL,
            item text NOT NULL,
            reason_code text NOT NULL,
            reason text NOT NULL,
            received_at timestamptz NOT NULL,
            deadline timestamptz NOT NULL,
            status text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'approved', 'rejected')),
            decided_by text,
            decided_at timestamptz,
            decision_reason text,
            PRIMARY KEY (case_id, item));
        CREATE INDEX held_items_open_by_deadline ON held_items (item, deadline) WHERE status = 'open';
        """)

    /// What an item is held for: its request (the department's work on it) or the withdrawal of
    /// its case (undoing that work).
    public enum Purpose: String, Sendable {
        case request, withdrawal
    }

    /// Items are held a second time, for the withdrawal of their case, beside the request's
    /// hold; a withdrawal closes an open hold as `withdrawn`.
    public static let purposeMigration = Migration(version: 2, name: "holds for withdrawals", sql: """
        ALTER TABLE held_items ADD COLUMN purpose text NOT NULL DEFAULT 'request' CHECK (purpose IN ('request', 'withdrawal')),
            DROP CONSTRAINT held_items_status_check,
            ADD CONSTRAINT held_items_status_check CHECK (status IN ('open', 'approved', 'rejected', 'withdrawn')),
            DROP CONSTRAINT held_items_pkey, ADD PRIMARY KEY (case_id, item, purpose);
        """)

    /// An open held item, as officers see it.
    public struct Held: Sendable, Encodable {
        /// Lowercase, as everywhere in the API.
        public let caseId: String
        public let item: String
        public let reasonCode: String
        public let reason: String
        public let receivedAt: String
        public let deadline: String
        public let overdue: Bool
    }

    public static func hold(caseId: UUID, item: Item, reasonCode: String, reason: String, receivedAt: Timestamp,
                            deadline: Timestamp, purpose: Purpose = .request, on db: PostgresConnection) throws {
        try db.execute("""
            INSERT INTO held_items (case_id, item, reason_code, reason, received_at, deadline, purpose)
            VALUES ($1, $2, $3, $4, $5::timestamptz, $6::timestamptz, $7)
            """, [caseId, item.rawValue, reasonCode, reason, receivedAt.rfc3339, deadline.rfc3339, purpose.rawValue])
    }

    /// Closes the open hold of a withdrawn case's item (nothing is decided on it any more); false
    /// when it had none.
    static func withdraw(caseId: UUID, item: Item, on db: PostgresConnection) throws -> Bool {
        try db.execute("""
            UPDATE held_items SET status = 'withdrawn', decided_by = 'system', decided_at = now(),
                decision_reason = '登记已撤回'
            WHERE case_id = $1 AND item = $2 AND status = 'open'
            """, [caseId, item.rawValue]).affectedRows == 1
    }

    /// Open items of the kinds given, the most urgent first.
    public static func open(items: [Item], on db: PostgresConnection) throws -> [Held] {
        try db.execute(openSQL(paged: false), [SQLArray(items.map(\.rawValue))]).rows.map(held)
    }

    /// How many held items a page of `/v1/held` lists.
    public static let pageSize = 50

    /// One page of the open items of the kinds given, soonest deadline first, and how many are open.
    public static func open(items: [Item], page: PageQuery, on db: PostgresConnection) throws -> Page<Held> {
        let rows = try db.execute(openSQL(paged: true), [SQLArray(items.map(\.rawValue)), page.size, page.offset]).rows
        let total = try rows.first.map { try $0.int("total") }
            ?? db.execute("SELECT count(*) AS total FROM held_items WHERE item = ANY($1::text[]) AND status = 'open'",
                          [SQLArray(items.map(\.rawValue))]).first.map { try $0.int("total") } ?? 0
        return Page("held", page, total: total, items: try rows.map(held))
    }

    private static func openSQL(paged: Bool) -> String {
        """
        SELECT case_id, item, reason_code, reason, \(beijingTimeSQL("received_at")) AS received_at,
               \(beijingTimeSQL("deadline")) AS deadline, deadline < now() AS overdue\(paged ? ", count(*) OVER () AS total" : "")
        FROM held_items WHERE item = ANY($1::text[]) AND status = 'open' ORDER BY deadline, case_id
        \(paged ? "LIMIT $2 OFFSET $3" : "")
        """
    }

    private static func held(_ row: Row) throws -> Held {
        Held(caseId: try row.string("case_id"), item: try row.string("item"), reasonCode: try row.string("reason_code"),
             reason: try row.string("reason"), receivedAt: try row.string("received_at"),
             deadline: try row.string("deadline"), overdue: try row.bool("overdue"))
    }

    /// Whether the open held item's deadline has passed; nil when it is not open.
    public static func deadlinePassed(caseId: UUID, item: Item, on db: PostgresConnection) throws -> Bool? {
        try db.execute("""
            SELECT deadline < now() AS passed FROM held_items WHERE case_id = $1 AND item = $2 AND status = 'open'
            FOR UPDATE
            """, [caseId, item.rawValue]).first.map { try $0.bool("passed") }
    }

    /// How many open items of the kinds given are past their deadline, by kind (a kind with none
    /// is absent).
    public static func overdueCounts(items: [Item], on db: PostgresConnection) throws -> [Item: Int] {
        var counts: [Item: Int] = [:]
        for row in try db.execute("""
            SELECT item, count(*) AS count FROM held_items
            WHERE item = ANY($1::text[]) AND status = 'open' AND deadline < now() GROUP BY item
            """, [SQLArray(items.map(\.rawValue))]).rows {
            if let item = Item(rawValue: try row.string("item")) { counts[item] = try row.int("count") }
        }
        return counts
    }

    /// Closes an open item with the decision; returns what it was held for, nil when it is not
    /// open (decided already, or unknown).
    public static func decide(caseId: UUID, item: Item, approved: Bool, by officer: String, reason: String,
                              on db: PostgresConnection) throws -> Purpose? {
        try db.execute("""
            UPDATE held_items SET status = $3, decided_by = $4, decided_at = now(), decision_reason = $5
            WHERE case_id = $1 AND item = $2 AND status = 'open'
            RETURNING purpose
            """, [caseId, item.rawValue, approved ? "approved" : "rejected", officer, reason]).first
            .flatMap { $0["purpose"].flatMap(Purpose.init(rawValue:)) }
    }

}

extension ServiceContext {
    /// An officer's decision on a held item, in one transaction: the item's request (404 when the
    /// case has none), the held item closed with who and why (409 when it is not open), then
    /// `effect` with a context that emits messages caused by the request. An item held for its
    /// case's withdrawal is answered `reversed` with the officer's reason instead, whichever
    /// the decision, and nil returned: what could not be undone is then the officer's record.
    @discardableResult
    public func decideHeld<Request: Decodable & Sendable, T: Sendable>(
        item: Item, caseId: UUID, as request: Request.Type, approved: Bool, officer: String, reason: String,
        logger: Logger, effect: @escaping @Sendable (Request, HandlerContext) throws -> T
    ) async throws -> T? {
        let identity = configuration.identity
        let outcome = try await inTransaction { tx, emitted -> T? in
            guard let (request, messageId) = try CaseLedger.request(item: item, caseId: caseId, as: Request.self, on: tx)
            else { throw APIError.notFound }
            guard let purpose = try HeldItems.decide(caseId: caseId, item: item, approved: approved, by: officer,
                                                     reason: reason, on: tx)
            else {
                throw APIError(status: .conflict, code: "not-held", message: "the case has no open held request",
                               messageZh: "该事项已不在待审核状态，可能已由其他人员作出决定。")
            }
            let handling = HandlerContext(db: tx, logger: logger, identity: identity, caseId: caseId,
                                          causationId: messageId, trace: .start(), emitted: emitted)
            guard purpose == .request else {
                try handling.answer(.reversed(detail: "登记已撤回；\(officer)处理：\(reason)"), item: item)
                return nil
            }
            return try effect(request, handling)
        }
        logger.info("held request decided", metadata: ["approved": "\(approved)"])
        return outcome
    }
}

extension HandlerContext {
    /// Holds `item` of this context's case for an officer, in its transaction: the held item with
    /// its deadline, the ledger's status `held`, and `<item>.held` published.
    public func hold(_ item: Item, reasonCode: String, reason: String, receivedAt: Timestamp,
                     deadline: Timestamp) throws {
        try HeldItems.hold(caseId: caseId, item: item, reasonCode: reasonCode, reason: reason, receivedAt: receivedAt,
                           deadline: deadline, on: db)
        try CaseLedger.setStatus("held", item: item, caseId: caseId, on: db)
        try emit(.held(item), ItemHeld(reasonCode: reasonCode, reason: reason, deadline: deadline))
    }

    /// Sends `item` of this context's case to the offline process, in its transaction: the
    /// ledger's status `rejected`, and `<item>.rejected` published.
    public func reject(_ item: Item, reasonCode: String, reason: String) throws {
        try CaseLedger.setStatus("rejected", item: item, caseId: caseId, on: db)
        try emit(.rejected(item), ItemRejected(reasonCode: reasonCode, reason: reason))
    }
}
