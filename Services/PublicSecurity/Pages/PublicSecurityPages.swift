import FoundationEssentials
import HoushiContract
import HoushiRuntime
import HoushiStorage
import HoushiWeb
import Hummingbird
import Logging

/// The public security officers' pages: the shared held-item pages with the register entry and
/// the household beside each request, and the day's cancellations.
struct PublicSecurityPages: Sendable {
    let console: OfficerConsole

    init(context: ServiceContext) throws {
        console = try OfficerConsole(context: context, navigation: [("/cancellations", "当日注销")],
                                     sourceFolder: URL(filePath: #filePath).deletingLastPathComponent().path)
    }

    func register(on router: Router<BasicRequestContext>) {
        let pages = console.routes(on: router, home: "/held", desk: HukouDesk(review: HukouReview(context: console.context)))
        pages.get("/cancellations") { request, requestContext in
            let signedIn = try await console.signedIn(requestContext)
            let day = try DayNavigation(request, path: "\(console.site.root)/cancellations")
            let entries = try await console.context.database.withConnection { db in try Register.day(day.date, on: db) }
            return try console.page("cancellations", CancellationsView(
                site: console.site, chrome: signedIn.chrome, day: day,
                rows: entries.map { entry in
                    CancellationsView.Row(
                        time: String(entry.at.inBeijingTime.rfc3339.dropFirst(11).prefix(5)), name: entry.name,
                        idNumber: Redact.idNumber(entry.idNumber), householdNumber: entry.householdNumber,
                        certificateNumber: entry.certificateNumber ?? "—",
                        kind: entry.confirmation ? "确认此前已注销" : "注销", decidedBy: OfficerAccounts.display(login: entry.decidedBy, name: entry.decidedByName))
                }))
        }
    }

    struct CancellationsView {
        struct Row {
            let time: String
            let name: String
            let idNumber: String
            let householdNumber: String
            let certificateNumber: String
            let kind: String
            let decidedBy: String
        }

        let site: Site
        let chrome: OfficerConsole.Chrome
        let day: DayNavigation
        let rows: [Row]
    }
}

/// Public security's part of the held-item pages: the register entry and the household of the
/// deceased, and the decision through `HukouReview`.
struct HukouDesk: HeldItemDesk {
    let review: HukouReview

    func details(of held: HeldEntry, on db: PostgresConnection) throws -> [DetailSection] {
        let household = try Register.household(of: held.deceasedIdNumber, on: db)
        guard let entry = household.first, entry.idNumber == held.deceasedIdNumber.uppercased() else {
            return [DetailSection(title: "户籍登记", empty: "户籍登记中没有这个身份证号。")]
        }
        let members = household.dropFirst()
        return [
            DetailSection(title: "户籍登记", rows: [
                .init("登记姓名", entry.name), .init("户号", entry.householdNumber),
                .init("与户主关系", entry.relationToHead.chineseName), .init("户籍地址", entry.address),
                .init("登记状态", entry.active ? "正常" : "已注销"),
            ]),
            DetailSection(title: "同户成员", table: (
                headers: ["姓名", "与户主关系", "身份证号", "状态"],
                rows: members.map { [$0.name, $0.relationToHead.chineseName, Redact.idNumber($0.idNumber),
                                     $0.active ? "正常" : "已注销"] }),
                empty: "户内没有其他成员。"),
        ]
    }

    func options(for held: HeldEntry, on db: PostgresConnection) throws -> DecisionOptions {
        switch held.reasonCode {
        case "already-cancelled": DecisionOptions(approveLabel: "确认此前已注销")
        case "household-head-with-dependants": DecisionOptions(approveLabel: "批准注销（另行办理户主变更）")
        default: DecisionOptions(approveLabel: "批准注销户口")
        }
    }

    func decide(_ decision: HeldDecision, officer: Officer, logger: Logger) async throws {
        _ = try await review.decide(caseId: decision.caseId, approve: decision.approved, officer: officer.login,
                                    reason: decision.reason, logger: logger)
    }
}

extension HouseholdRelation {
    var chineseName: String {
        switch self {
        case .head: "户主"
        case .spouse: "配偶"
        case .child: "子女"
        case .parent: "父母"
        case .grandchild: "孙子女"
        case .grandparent: "祖父母"
        case .sibling: "兄弟姐妹"
        case .other: "其他"
        }
    }
}
