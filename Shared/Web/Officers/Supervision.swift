import FoundationEssentials
import HoushiContract
import HoushiRuntime
import HoushiStorage
import Hummingbird
import Metrics
import ServiceLifecycle

/// The figures of 限时结办 for one department: items by state, how long officers take to decide
/// held items, what is past its deadline, this month against the last.
public struct SupervisionFigures: Sendable {
    public struct StateCount: Sendable {
        public let item: Item
        public let state: String
        public let count: Int
    }

    public struct DecisionTimes: Sendable {
        public let item: Item
        public let decided: Int
        public let medianSeconds: Double
        public let worstSeconds: Double
    }

    public struct Month: Sendable {
        public let item: Item
        public let receivedThisMonth: Int
        public let receivedLastMonth: Int
        public let heldThisMonth: Int
        public let heldLastMonth: Int
        public let decidedLateThisMonth: Int
        public let decidedLateLastMonth: Int
    }

    public let states: [StateCount]
    public let decisionTimes: [DecisionTimes]
    public let months: [Month]
    /// The items past their deadline (the first 200), and how many there are of each kind.
    public let overdue: [HeldEntry]
    public let overdueCounts: [Item: Int]

    /// Read from the department's schema: the ledger of requests and the held items.
    public static func read(items: [Item], on db: PostgresConnection) throws -> SupervisionFigures {
        let names = SQLArray(items.map(\.rawValue))
        let states = try db.execute("""
            SELECT item, status, count(*) AS count FROM item_requests
            WHERE item = ANY($1::text[]) AND request IS NOT NULL
            GROUP BY item, status ORDER BY item, status
            """, [names]).rows.compactMap { row in
            try Item(rawValue: try row.string("item")).map { item in
                StateCount(item: item, state: try row.string("status"), count: try row.int("count"))
            }
        }
        let times = try db.execute("""
            SELECT item, count(*) AS decided,
                   coalesce(percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM decided_at - received_at)), 0)
                       AS median,
                   coalesce(max(extract(epoch FROM decided_at - received_at)), 0) AS worst
            FROM held_items WHERE item = ANY($1::text[]) AND status <> 'open' GROUP BY item ORDER BY item
            """, [names]).rows.compactMap { row in
            try Item(rawValue: try row.string("item")).map { item in
                DecisionTimes(item: item, decided: try row.int("decided"), medianSeconds: Double(try row.string("median")) ?? 0,
                              worstSeconds: Double(try row.string("worst")) ?? 0)
            }
        }
        let months = try db.execute("""
            WITH bounds AS (
                SELECT date_trunc('month', now() AT TIME ZONE 'Asia/Shanghai') AT TIME ZONE 'Asia/Shanghai' AS this_month,
                       date_trunc('month', (now() AT TIME ZONE 'Asia/Shanghai') - interval '1 month')
                           AT TIME ZONE 'Asia/Shanghai' AS last_month)
            SELECT i.item,
                (SELECT count(*) FROM item_requests r WHERE r.item = i.item AND r.request IS NOT NULL
                    AND r.received_at >= b.this_month) AS received_now,
                (SELECT count(*) FROM item_requests r WHERE r.item = i.item AND r.request IS NOT NULL
                    AND r.received_at >= b.last_month AND r.received_at < b.this_month) AS received_before,
                (SELECT count(*) FROM held_items h WHERE h.item = i.item AND h.received_at >= b.this_month) AS held_now,
                (SELECT count(*) FROM held_items h WHERE h.item = i.item AND h.received_at >= b.last_month
                    AND h.received_at < b.this_month) AS held_before,
                (SELECT count(*) FROM held_items h WHERE h.item = i.item AND h.decided_at >= b.this_month
                    AND h.decided_at > h.deadline) AS late_now,
                (SELECT count(*) FROM held_items h WHERE h.item = i.item AND h.decided_at >= b.last_month
                    AND h.decided_at < b.this_month AND h.decided_at > h.deadline) AS late_before
            FROM unnest($1::text[]) AS i (item), bounds b
            """, [names]).rows.compactMap { row in
            try Item(rawValue: try row.string("item")).map { item in
                Month(item: item, receivedThisMonth: try row.int("received_now"), receivedLastMonth: try row.int("received_before"),
                      heldThisMonth: try row.int("held_now"), heldLastMonth: try row.int("held_before"),
                      decidedLateThisMonth: try row.int("late_now"), decidedLateLastMonth: try row.int("late_before"))
            }
        }
        return SupervisionFigures(states: states, decisionTimes: times, months: months,
                                  overdue: try HeldQueue.entries(items: items, .overdue, on: db),
                                  overdueCounts: try HeldItems.overdueCounts(items: items, on: db))
    }
}

/// How a department's ledger status reads on the supervision pages.
public func itemStateLabel(_ status: String) -> String {
    switch status {
    case "received": "办理中"
    case "held": "待审核"
    case "rejected": "已退回线下办理"
    case "cancelled": "已注销"
    case "certified": "已开具火化证明"
    case "cremated": "已火化"
    case "settled": "已结算"
    case "reversed": "已撤销（登记撤回）"
    case "reversal-held": "撤销待人工处理"
    default: status
    }
}

/// A duration as officers read it: `40秒`, `2小时5分`, `3天4小时`.
public func durationText(seconds: Double) -> String {
    let minutes = Int(seconds / 60)
    let (days, hours, rest) = (minutes / 1440, minutes % 1440 / 60, minutes % 60)
    if days > 0 { return "\(days)天\(hours)小时" }
    if hours > 0 { return "\(hours)小时\(rest)分" }
    if minutes > 0 { return "\(rest)分" }
    return "\(Int(max(seconds, 0)))秒"
}

/// The department's supervision page (read-only; every officer may read it).
struct SupervisionPage: Sendable {
    let console: OfficerConsole

    struct View {
        struct StateRow {
            let itemName: String
            let stateLabel: String
            let count: Int
        }

        struct TimeRow {
            let itemName: String
            let decided: Int
            let median: String
            let worst: String
        }

        struct MonthRow {
            let itemName: String
            let received: String
            let held: String
            let decidedLate: String
        }

        struct OverdueRow {
            let href: String
            let deceasedName: String
            let itemName: String
            let deadline: String
        }

        let site: Site
        let chrome: OfficerConsole.Chrome
        let departmentName: String
        let states: [StateRow]
        let times: [TimeRow]
        let months: [MonthRow]
        let overdue: [OverdueRow]
    }

    func register(on pages: RouterGroup<PageRequestContext>) {
        pages.get("/supervision") { _, requestContext in
            let signedIn = try await console.signedIn(requestContext)
            let items = console.department.items
            let figures = try await console.context.database.withConnection { db in
                try SupervisionFigures.read(items: items, on: db)
            }
            func compare(_ now: Int, _ before: Int) -> String { "\(now)（上月\(before)）" }
            let root = console.site.root
            return try console.page("supervision", View(
                site: console.site, chrome: signedIn.chrome, departmentName: console.department.chineseName,
                states: figures.states.map { View.StateRow(itemName: $0.item.chineseName, stateLabel: itemStateLabel($0.state),
                                                           count: $0.count) },
                times: figures.decisionTimes.map { View.TimeRow(itemName: $0.item.chineseName, decided: $0.decided,
                                                                median: durationText(seconds: $0.medianSeconds),
                                                                worst: durationText(seconds: $0.worstSeconds)) },
                months: figures.months.map { View.MonthRow(
                    itemName: $0.item.chineseName, received: compare($0.receivedThisMonth, $0.receivedLastMonth),
                    held: compare($0.heldThisMonth, $0.heldLastMonth),
                    decidedLate: compare($0.decidedLateThisMonth, $0.decidedLateLastMonth)) },
                overdue: figures.overdue.map { View.OverdueRow(
                    href: "\(root)/held/\($0.caseId.lowercased)/\($0.item.rawValue)", deceasedName: $0.deceasedName,
                    itemName: $0.item.chineseName, deadline: $0.deadline.chineseDateTime) }))
        }
    }
}

/// Keeps the supervision figures as Prometheus gauges: `houshi_items{item,state}`,
/// `houshi_held_decision_seconds{item,quantile}` (0.5 and 1) and `houshi_held_overdue{item}`
/// (held items past their deadline, 0 when none), so a dashboard shows what nobody decided in time.
public struct SupervisionGauges: Service {
    let items: [Item]
    let database: Database
    let interval: Duration

    public init(items: [Item], database: Database, interval: Duration = .seconds(15)) {
        self.items = items
        self.database = database
        self.interval = interval
    }

    public func run() async throws {
        let items = items
        try? await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                if let figures = try? await database.withConnection({ db in try SupervisionFigures.read(items: items, on: db) }) {
                    Self.record(figures, items: items)
                }
                try await Task.sleep(for: interval)
            }
        }
    }

    static func record(_ figures: SupervisionFigures, items: [Item]) {
        for item in items {
            Gauge(label: "houshi_held_overdue", dimensions: [("item", item.rawValue)]).record(figures.overdueCounts[item] ?? 0)
        }
        for state in figures.states {
            Gauge(label: "houshi_items", dimensions: [("item", state.item.rawValue), ("state", state.state)])
                .record(state.count)
        }
        for times in figures.decisionTimes {
            Gauge(label: "houshi_held_decision_seconds", dimensions: [("item", times.item.rawValue), ("quantile", "0.5")])
                .record(times.medianSeconds)
            Gauge(label: "houshi_held_decision_seconds", dimensions: [("item", times.item.rawValue), ("quantile", "1")])
                .record(times.worstSeconds)
        }
    }
}
