import FoundationEssentials
import HoushiContract
import HoushiRuntime
import HoushiStorage

/// The figures of 限时结办 for the whole city, from intake's view of every case: items by
/// department and state, how long each item takes from the notice to its end, held items past
/// their deadline, this month against the last.
struct CityFigures: Sendable {
    struct StateCount: Sendable {
        let item: Item
        let state: String
        let count: Int
    }

    struct FinishTimes: Sendable {
        let item: Item
        let finished: Int
        let medianSeconds: Double
        let worstSeconds: Double
    }

    struct Overdue: Sendable {
        let number: CaseNumber
        let deceasedName: String
        let item: Item
        let deadline: Timestamp
    }

    struct Month: Sendable {
        let label: String
        let thisMonth: Int
        let lastMonth: Int
    }

    let states: [StateCount]
    let finishTimes: [FinishTimes]
    /// The held items past their deadline (the first 200), and how many there are.
    let overdue: [Overdue]
    let overdueCount: Int
    let months: [Month]

    static func read(on db: PostgresConnection) throws -> CityFigures {
        let states = try db.execute("""
            SELECT item, status, count(*) AS count FROM case_items GROUP BY item, status ORDER BY item, status
            """).rows.compactMap { row in
            try Item(rawValue: try row.string("item")).map {
                StateCount(item: $0, state: try row.string("status"), count: try row.int("count"))
            }
        }
        let times = try db.execute("""
            SELECT i.item, count(*) AS finished,
                   percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM i.updated_at - c.created_at)) AS median,
                   max(extract(epoch FROM i.updated_at - c.created_at)) AS worst
            FROM case_items i JOIN cases c ON c.case_id = i.case_id
            WHERE i.status IN ('done', 'rejected') GROUP BY i.item ORDER BY i.item
            """).rows.compactMap { row in
            try Item(rawValue: try row.string("item")).map {
                FinishTimes(item: $0, finished: try row.int("finished"), medianSeconds: Double(try row.string("median")) ?? 0,
                            worstSeconds: Double(try row.string("worst")) ?? 0)
            }
        }
        let overdue = try db.execute("""
            SELECT c.number, c.created_at AT TIME ZONE 'Asia/Shanghai' AS opened, c.notice->'deceased'->>'name' AS name,
                   i.item, i.result->>'deadline' AS deadline
            FROM case_items i JOIN cases c ON c.case_id = i.case_id
            WHERE i.status = 'held' AND (i.result->>'deadline')::timestamptz < now()
            ORDER BY (i.result->>'deadline')::timestamptz LIMIT 200
            """).rows.compactMap { row -> Overdue? in
            guard let item = Item(rawValue: try row.string("item")), let deadline = row.timestamp("deadline"),
                  let year = Int(try row.string("opened").prefix(4))
            else { return nil }
            return Overdue(number: CaseNumber(year: year, number: try row.int64("number")),
                           deceasedName: row["name"] ?? "", item: item, deadline: deadline)
        }
        let month = try db.execute("""
            WITH bounds AS (
                SELECT date_trunc('month', now() AT TIME ZONE 'Asia/Shanghai') AT TIME ZONE 'Asia/Shanghai' AS this_month,
                       date_trunc('month', (now() AT TIME ZONE 'Asia/Shanghai') - interval '1 month')
                           AT TIME ZONE 'Asia/Shanghai' AS last_month)
            SELECT
                (SELECT count(*) FROM cases, bounds WHERE created_at >= this_month) AS opened_now,
                (SELECT count(*) FROM cases, bounds WHERE created_at >= last_month AND created_at < this_month) AS opened_before,
                (SELECT count(*) FROM cases, bounds WHERE completed_at >= this_month) AS completed_now,
                (SELECT count(*) FROM cases, bounds WHERE completed_at >= last_month AND completed_at < this_month)
                    AS completed_before,
                (SELECT count(*) FROM case_events, bounds WHERE type LIKE '%.held' AND occurred_at >= this_month) AS held_now,
                (SELECT count(*) FROM case_events, bounds WHERE type LIKE '%.held' AND occurred_at >= last_month
                    AND occurred_at < this_month) AS held_before,
                (SELECT count(*) FROM case_items
                    WHERE status = 'held' AND (result->>'deadline')::timestamptz < now()) AS overdue_now
            FROM bounds
            """).first!
        let months = [
            Month(label: "受理案件", thisMonth: try month.int("opened_now"), lastMonth: try month.int("opened_before")),
            Month(label: "办结案件", thisMonth: try month.int("completed_now"), lastMonth: try month.int("completed_before")),
            Month(label: "转人工审核的事项", thisMonth: try month.int("held_now"), lastMonth: try month.int("held_before")),
        ]
        return CityFigures(states: states, finishTimes: times, overdue: overdue,
                           overdueCount: try month.int("overdue_now"), months: months)
    }
}

/// How intake's item status reads on the city's page.
func cityStateLabel(_ status: String) -> String {
    switch status {
    case "requested": "办理中"
    case "held": "人工审核中"
    case "done": "已办结"
    case "rejected": "转线下办理"
    case "reversed": "已撤销"
    default: status
    }
}
