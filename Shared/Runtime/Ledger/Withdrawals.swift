import FoundationEssentials
import HoushiContract
import HoushiStorage
import Logging

/// How a department answers for one item of a withdrawn case (`death.voided`).
public enum ItemReversal: Sendable, Equatable {
    /// Undone (or nothing had been done); `detail` says what, in Chinese, for the family and the clerk.
    case reversed(detail: String)
    /// It cannot be undone by the system: an officer must deal with it by the deadline.
    case held(reasonCode: String, reason: String, deadline: Timestamp)
}

/// A department's recorded request of a case being withdrawn, as its reversal sees it: the
/// status the department's work left it in (`received`, `held`, `cancelled`, …).
public struct WithdrawnRequest: Sendable {
    public let item: Item
    public let status: String
    /// The request's payload as recorded (JSON).
    public let request: String

    /// The request decoded as its payload type.
    public func decoded<P: Decodable>(as type: P.Type) throws -> P {
        try JSONDecoder().decode(P.self, from: Data(request.utf8))
    }
}

/// `death.voided` in a department: the withdrawal recorded once per case, and every item the
/// department has a request for answered with `<item>.reversed` or `<item>.held`, in the
/// transaction that records it. A request that arrives after the withdrawal is answered
/// `reversed` at once with nothing done (`CaseLedger.recordRequest`): the withdrawal leaves a
/// `withdrawn` row for each of the department's items that has no request yet, and the two
/// transactions meet on that row's key, whichever commits first.
public struct DeathVoidedHandler: MessageHandler {
    /// The items the department handles.
    let items: [Item]
    /// Undoes the department's work on one item; an open held item of it is closed already.
    let reverse: @Sendable (WithdrawnRequest, DeathVoided, HandlerContext) throws -> ItemReversal

    public var messageType: MessageType { .deathVoided }

    public init(items: [Item], reverse: @escaping @Sendable (WithdrawnRequest, DeathVoided, HandlerContext) throws -> ItemReversal) {
        self.items = items
        self.reverse = reverse
    }

    public func handle(_ message: Envelope<DeathVoided>, context: HandlerContext) throws {
        guard let requests = try CaseLedger.recordWithdrawal(items: items, context: context) else {
            context.logger.info("case already withdrawn")
            return
        }
        context.logger.info("case withdrawn", metadata: ["requests": "\(requests.count)"])
        for request in requests {
            let heldClosed = try request.status == "held"
                && HeldItems.withdraw(caseId: context.caseId, item: request.item, on: context.db)
            let reversal = try reverse(request, message.payload, context)
            try context.answer(reversal, item: request.item)
            context.logger.info("item answered for the withdrawal",
                                metadata: ["item": "\(request.item.rawValue)", "held_closed": "\(heldClosed)",
                                           "reversal": "\(reversal.code)"])
        }
    }
}

extension ItemReversal {
    /// `reversed` or the hold's reason code, for logs.
    var code: String {
        switch self {
        case .reversed: "reversed"
        case .held(let reasonCode, _, _): reasonCode
        }
    }
}

extension CaseLedger {
    /// The reason `<item>.reversed` carries after `death.voided`.
    public static let withdrawalReason = "death-voided"

    /// The case ledger's third migration: rows of items withdrawn before their request arrived
    /// have neither a request nor its message.
    static let withdrawalMigration = Migration(version: 3, name: "items withdrawn before their request", sql: """
        ALTER TABLE item_requests ALTER COLUMN message_id DROP NOT NULL, ALTER COLUMN request DROP NOT NULL,
            ADD CONSTRAINT item_requests_withdrawn_or_requested CHECK (request IS NOT NULL OR status = 'withdrawn');
        """)

    /// Records the withdrawal being handled once per case (nil when the case had it already),
    /// leaves a `withdrawn` row for each of `items` without a request, and returns the requests
    /// the case has, locked for this transaction.
    static func recordWithdrawal(items: [Item], context: HandlerContext) throws -> [WithdrawnRequest]? {
        let db = context.db
        var recorded = false
        try recordFact(.deathVoided, context: context) { recorded = $0 }
        // Goes to the server with the fact; waits for a request of the case being recorded at
        // this moment, then conflicts with it (a second withdrawal finds the rows there already).
        try db.execute("""
            INSERT INTO item_requests (case_id, item, message_id, request, status)
            SELECT $1, item, NULL, NULL, 'withdrawn' FROM unnest($2::text[]) AS item
            ON CONFLICT (case_id, item) DO NOTHING
            """, [context.caseId, SQLArray(items.map(\.rawValue))])
        guard recorded else { return nil }
        // A new snapshot: it sees every request committed before the rows above were inserted.
        return try db.execute("""
            SELECT item, status, request::text AS request FROM item_requests
            WHERE case_id = $1 AND status <> 'withdrawn' ORDER BY item FOR UPDATE
            """, [context.caseId]).rows.compactMap { row in
            guard let item = Item(rawValue: try row.string("item")) else { return nil }
            return WithdrawnRequest(item: item, status: try row.string("status"), request: try row.string("request"))
        }
    }
}

extension HandlerContext {
    /// Answers for `item` of a withdrawn case: `reversed` (the ledger's status `reversed`,
    /// `<item>.reversed` published) or held for an officer (`<item>.held`).
    public func answer(_ reversal: ItemReversal, item: Item) throws {
        switch reversal {
        case .reversed(let detail):
            try CaseLedger.setStatus("reversed", item: item, caseId: caseId, on: db)
            try emit(.reversed(item), ItemReversed(reason: CaseLedger.withdrawalReason, detail: detail))
        case .held(let reasonCode, let reason, let deadline):
            try HeldItems.hold(caseId: caseId, item: item, reasonCode: reasonCode, reason: reason, receivedAt: .now(),
                               deadline: deadline, purpose: .withdrawal, on: db)
            try CaseLedger.setStatus("reversal-held", item: item, caseId: caseId, on: db)
            try emit(.held(item), ItemHeld(reasonCode: reasonCode, reason: reason, deadline: deadline))
        }
    }

}
