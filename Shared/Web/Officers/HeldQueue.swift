import FoundationEssentials
import HoushiContract
import HoushiRuntime
import HoushiStorage

/// A held item as the officers' pages show it: why and until when it is held, whom it is about,
/// and the decision once taken.
public struct HeldEntry: Sendable {
    public let caseId: UUID
    public let item: Item
    public let reasonCode: String
    public let reason: String
    public let receivedAt: Timestamp
    public let deadline: Timestamp
    /// Open and past its deadline.
    public let overdue: Bool
    /// `open`, `approved`, `rejected` or `withdrawn` (closed by the case's withdrawal).
    public let status: String
    /// The officer's login (or an API operator's name), their name when they are an officer.
    public let decidedBy: String?
    public let decidedByName: String?
    public let decidedAt: Timestamp?
    public let decisionReason: String?
    public let deceasedName: String
    public let deceasedIdNumber: String
    public let diedAt: Timestamp?
}

/// Reading held items and their decisions for the pages, joined with the request they hold.
public enum HeldQueue {
    /// Which held items to read.
    public enum Filter: Sendable {
        /// Open ones, the nearest deadline first.
        case open
        /// Open ones past their deadline, the longest overdue first.
        case overdue
        /// Decided ones, the latest decision first.
        case decided
        /// The one item of a case.
        case one(UUID, Item)
    }

    public static func entries(items: [Item], _ filter: Filter, limit: Int = 200, on db: PostgresConnection) throws
        -> [HeldEntry] {
        let (condition, order, parameters): (String, String, [any SQLValue]) = switch filter {
        case .open: ("h.status = 'open'", "h.deadline, h.case_id", [])
        case .overdue: ("h.status = 'open' AND h.deadline < now()", "h.deadline, h.case_id", [])
        case .decided: ("h.status <> 'open'", "h.decided_at DESC, h.case_id", [])
        case .one(let caseId, let item): ("h.case_id = $3 AND h.item = $4", "h.case_id", [caseId, item.rawValue])
        }
        return try db.execute("""
            SELECT h.case_id, h.item, h.reason_code, h.reason, \(beijingTimeSQL("h.received_at")) AS received_at,
                   \(beijingTimeSQL("h.deadline")) AS deadline, h.status = 'open' AND h.deadline < now() AS overdue, h.status,
                   h.decided_by, \(OfficerAccounts.nameSQL(ofLoginIn: "h.decided_by")) AS decided_by_name,
                   \(beijingTimeSQL("h.decided_at")) AS decided_at, h.decision_reason,
                   coalesce(r.request->'deceased'->>'name', '') AS deceased_name,
                   coalesce(r.request->'deceased'->>'idNumber', '') AS id_number, r.request->>'diedAt' AS died_at
            FROM held_items h LEFT JOIN item_requests r ON r.case_id = h.case_id AND r.item = h.item
            WHERE h.item = ANY($1::text[]) AND \(condition)
            ORDER BY \(order) LIMIT $2
            """, [SQLArray(items.map(\.rawValue)), limit] + parameters).rows.map(entry(from:))
    }

    private static func entry(from row: Row) throws -> HeldEntry {
        guard let item = Item(rawValue: try row.string("item")), let receivedAt = row.timestamp("received_at"),
              let deadline = row.timestamp("deadline")
        else { throw PostgresError(message: "a held item that cannot be read") }
        return HeldEntry(
            caseId: try row.uuid("case_id"), item: item, reasonCode: try row.string("reason_code"),
            reason: try row.string("reason"), receivedAt: receivedAt, deadline: deadline, overdue: try row.bool("overdue"),
            status: try row.string("status"), decidedBy: row["decided_by"], decidedByName: row["decided_by_name"],
            decidedAt: row.timestamp("decided_at"), decisionReason: row["decision_reason"],
            deceasedName: try row.string("deceased_name"), deceasedIdNumber: try row.string("id_number"),
            diedAt: row.timestamp("died_at"))
    }
}
