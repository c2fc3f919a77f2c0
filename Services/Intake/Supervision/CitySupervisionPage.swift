import FoundationEssentials
import HoushiContract
import HoushiRuntime
import HoushiWeb
import Hummingbird
import Metrics
import ServiceLifecycle

/// The city's supervision page (`/jiandu/city`) for the reform office: read-only, signed in with an
/// account of `intake officers add --role supervisor`.
struct CitySupervisionPage: Sendable {
    let console: Console<OfficerDirectory>
    static let site = Site(root: "/jiandu", name: "联办监督")

    /// On the templates the hospital's pages loaded.
    init(sharingPagesOf hospital: Console<StaffDirectory>) {
        console = Console(
            site: Self.site, sharingPagesOf: hospital, directory: OfficerDirectory(),
            texts: .init(heading: "联办监督登录", hint: "深化改革办公室等监督部门使用分配的帐号登录，查看全市联办事项的限时结办情况。"))
    }

    struct View {
        struct StateRow {
            let department: String
            let itemName: String
            let stateLabel: String
            let count: Int
        }

        struct TimeRow {
            let itemName: String
            let finished: Int
            let median: String
            let worst: String
        }

        struct OverdueRow {
            let number: String
            let deceasedName: String
            let department: String
            let itemName: String
            let deadline: String
        }

        struct MonthRow {
            let label: String
            let thisMonth: Int
            let lastMonth: Int
        }

        let site: Site
        let chrome: OfficerConsole.Chrome
        let states: [StateRow]
        let times: [TimeRow]
        let overdue: [OverdueRow]
        let months: [MonthRow]
    }

    func register(on router: Router<BasicRequestContext>) {
        let pages = console.routes(on: router, home: "/city")
        pages.get("/city") { _, requestContext in
            let (officer, session) = try await console.signedIn(requestContext)
            let figures = try await console.database.withConnection { db in try CityFigures.read(on: db) }
            let chrome = OfficerConsole.Chrome(officerName: officer.name, roleLabel: officer.role.label,
                                               csrf: session.csrfToken, overdue: figures.overdueCount,
                                               overdueHref: "\(Self.site.root)/city#overdue",
                                               nav: [.init(href: "\(Self.site.root)/city", label: "全市限时结办")])
            return try console.templates.page("city-supervision", View(
                site: Self.site, chrome: chrome,
                states: figures.states.map { .init(department: $0.item.department.chineseName, itemName: $0.item.chineseName,
                                                   stateLabel: cityStateLabel($0.state), count: $0.count) },
                times: figures.finishTimes.map { .init(itemName: $0.item.chineseName, finished: $0.finished,
                                                       median: durationText(seconds: $0.medianSeconds),
                                                       worst: durationText(seconds: $0.worstSeconds)) },
                overdue: figures.overdue.map { .init(number: $0.number.description, deceasedName: $0.deceasedName,
                                                     department: $0.item.department.chineseName,
                                                     itemName: $0.item.chineseName, deadline: $0.deadline.chineseDateTime) },
                months: figures.months.map { .init(label: $0.label, thisMonth: $0.thisMonth, lastMonth: $0.lastMonth) }))
        }
    }
}

/// The city's figures as Prometheus gauges: `houshi_city_items{item,state}`,
/// `houshi_city_finish_seconds{item,quantile}` and `houshi_city_overdue`.
struct CitySupervisionGauges: Service {
    let database: Database
    var interval: Duration = .seconds(60)

    func run() async throws {
        try? await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                if let figures = try? await database.withConnection({ db in try CityFigures.read(on: db) }) {
                    for state in figures.states {
                        Gauge(label: "houshi_city_items", dimensions: [("item", state.item.rawValue), ("state", state.state)])
                            .record(state.count)
                    }
                    for times in figures.finishTimes {
                        for (quantile, seconds) in [("0.5", times.medianSeconds), ("1", times.worstSeconds)] {
                            Gauge(label: "houshi_city_finish_seconds",
                                  dimensions: [("item", times.item.rawValue), ("quantile", quantile)]).record(seconds)
                        }
                    }
                    Gauge(label: "houshi_city_overdue").record(figures.overdueCount)
                }
                try await Task.sleep(for: interval)
            }
        }
    }
}
