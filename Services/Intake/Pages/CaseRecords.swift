import FoundationEssentials
import HoushiContract
import HoushiRuntime
import HoushiStorage

/// A case as the pages show it: the notice as entered, each item's state and result, the timeline.
struct CaseRecord: Sendable {
    struct ItemRow: Sendable {
        let item: Item
        let status: String
        let result: JSONValue?
        let waitingFor: String?
    }

    struct Event: Sendable {
        let type: String
        let occurredAt: Timestamp
    }

    let caseId: UUID
    let number: CaseNumber
    let status: String
    let openedAt: Timestamp
    let notice: DeathNotice
    let items: [ItemRow]
    let events: [Event]
    /// Who entered it on the page; nil when a system posted it.
    let enteredBy: String?
    /// Its withdrawal, if it was withdrawn.
    let withdrawal: Withdrawal?
    /// What subscribers of the public facts (公积金中心, …) did on it, the latest of each.
    let subscribers: [SubscriberRow]

    struct SubscriberRow: Sendable, Decodable {
        let department: String
        let status: SubscriberOutcome.Status
        let summary: String
        let reference: String?
    }

    struct Withdrawal: Sendable {
        let at: Timestamp
        let by: String
        let reason: String
        /// When every department had undone its work.
        let reversedAt: Timestamp?
    }
}

/// The 编号 of a case, to be read out over the phone: `FY` and the year it opened, then its
/// number in the intake (`FY2026-000123`).
struct CaseNumber: Sendable, Equatable, CustomStringConvertible {
    let year: Int
    let number: Int64

    var description: String { "FY\(year)-\(String(number).leftPadded(to: 6))" }
}

/// One line of the case list.
struct CaseSummary: Sendable {
    let caseId: UUID
    let number: CaseNumber
    let status: String
    let deceasedName: String
    let idNumberTail: String
    let openedAt: Timestamp
    let heldItems: Int
}

/// What the case list may be narrowed to.
enum CaseFilter: String, CaseIterable, Sendable {
    case all, open, held, completed, withdrawn

    var label: String {
        switch self {
        case .all: "全部"
        case .open: "办理中"
        case .held: "人工审核中"
        case .completed: "已办结"
        case .withdrawn: "已撤回"
        }
    }
}

/// The reads behind the pages, each limited to the institution the reader belongs to.
enum CaseRecords {
    /// The case, or nil when it does not exist or belongs to another institution (nil
    /// institution: any, for the family's page, which reached it by its link).
    static func record(caseId: UUID, institutionCode: String?, on db: PostgresConnection) throws -> CaseRecord? {
        guard let row = try db.execute("""
            SELECT c.case_id, c.number, c.status, c.notice::text AS notice, s.name AS entered_by,
                \(beijingTimeSQL("c.created_at")) AS opened_at, \(beijingTimeSQL("c.withdrawn_at")) AS withdrawn_at,
                c.withdrawn_by, c.withdrawal_reason, \(beijingTimeSQL("c.reversed_at")) AS reversed_at,
                (SELECT json_agg(json_build_object('item', i.item, 'status', i.status, 'result', i.result,
                                                   'waitingFor', (\(CaseStore.waitingFor))->>'text') ORDER BY i.item)
                 FROM case_items i WHERE i.case_id = c.case_id)::text AS items,
                (SELECT coalesce(json_agg(json_build_object('type', e.type,
                     'occurredAt', \(beijingTimeSQL("e.occurred_at")))
                     ORDER BY e.occurred_at, e.recorded_at), '[]')
                 FROM case_events e WHERE e.case_id = c.case_id)::text AS events,
                \(SubscriberOutcomes.viewSQL)::text AS subscribers
            FROM cases c LEFT JOIN staff s ON s.id = c.entered_by
            WHERE c.case_id = $1 AND ($2::text IS NULL OR c.institution_code = $2)
            """, [caseId, institutionCode]).first else { return nil }
        struct ItemJSON: Decodable { let item: Item; let status: String; let result: JSONValue?; let waitingFor: String? }
        struct EventJSON: Decodable { let type: String; let occurredAt: Timestamp }
        let decoder = JSONDecoder()
        let openedAt = try Timestamp(rfc3339: row.string("opened_at")) ?? .now()
        return CaseRecord(
            caseId: try row.uuid("case_id"), number: CaseNumber(year: openedAt.beijingDate.year, number: try row.int64("number")),
            status: try row.string("status"), openedAt: openedAt,
            notice: try decoder.decode(DeathNotice.self, from: Data(try row.string("notice").utf8)),
            items: try decoder.decode([ItemJSON].self, from: Data(try row.string("items").utf8)).map {
                CaseRecord.ItemRow(item: $0.item, status: $0.status, result: $0.result, waitingFor: $0.waitingFor)
            },
            events: try decoder.decode([EventJSON].self, from: Data(try row.string("events").utf8)).map {
                CaseRecord.Event(type: $0.type, occurredAt: $0.occurredAt)
            },
            enteredBy: row["entered_by"],
            withdrawal: row.timestamp("withdrawn_at").map { at in
                CaseRecord.Withdrawal(at: at, by: row["withdrawn_by"] ?? "", reason: row["withdrawal_reason"] ?? "",
                                      reversedAt: row.timestamp("reversed_at"))
            },
            subscribers: try decoder.decode([CaseRecord.SubscriberRow].self, from: Data(try row.string("subscribers").utf8)))
    }

    /// One page of the institution's cases, newest first, and how many there are in all.
    /// `search`: the deceased's name (or part of it), or the last digits of the ID number.
    static func list(institutionCode: String, filter: CaseFilter, search: String?, page: Int, pageSize: Int,
                     on db: PostgresConnection) throws -> (cases: [CaseSummary], total: Int) {
        let digits = search.flatMap { text in
            text.count >= 4 && text.allSatisfy({ $0.isASCIIDigit || $0 == "X" || $0 == "x" }) ? text.uppercased() : nil
        }
        let name = digits == nil ? search : nil
        // Only the page's rows read the notice (a stored document) and count held items.
        let result = try db.execute("""
            WITH page AS (
                SELECT c.case_id, c.number, c.status, c.created_at, count(*) OVER () AS total
                FROM cases c
                WHERE c.institution_code = $1
                  AND ($2 = 'all' OR ($2 IN ('completed', 'open', 'withdrawn') AND c.status = $2)
                       OR ($2 = 'held' AND EXISTS (SELECT FROM case_items i WHERE i.case_id = c.case_id AND i.status = 'held')))
                  AND ($3::text IS NULL OR c.deceased_id_number LIKE '%' || $3)
                  AND ($4::text IS NULL OR strpos(c.notice->'deceased'->>'name', $4) > 0)
                ORDER BY c.created_at DESC, c.case_id LIMIT $5 OFFSET $6)
            SELECT page.*, c.notice->'deceased'->>'name' AS deceased_name, right(c.deceased_id_number, 4) AS id_tail,
                (SELECT count(*) FROM case_items i WHERE i.case_id = page.case_id AND i.status = 'held') AS held,
                \(beijingTimeSQL("page.created_at")) AS opened_at
            FROM page JOIN cases c USING (case_id) ORDER BY page.created_at DESC, page.case_id
            """, [institutionCode, filter.rawValue, digits, name, pageSize, (page - 1) * pageSize])
        let cases = try result.rows.map { row in
            let openedAt = try Timestamp(rfc3339: row.string("opened_at")) ?? .now()
            return CaseSummary(caseId: try row.uuid("case_id"),
                               number: CaseNumber(year: openedAt.beijingDate.year, number: try row.int64("number")),
                               status: try row.string("status"), deceasedName: try row.string("deceased_name"),
                               idNumberTail: try row.string("id_tail"), openedAt: openedAt, heldItems: try row.int("held"))
        }
        let total = try result.first?.int("total") ?? (page == 1 ? 0 : try count(institutionCode: institutionCode, on: db))
        return (cases, total)
    }

    /// All the institution's cases, for a page past the end.
    private static func count(institutionCode: String, on db: PostgresConnection) throws -> Int {
        try db.execute("SELECT count(*) AS n FROM cases WHERE institution_code = $1", [institutionCode]).first?.int("n") ?? 0
    }
}
