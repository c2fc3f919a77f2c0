import FoundationEssentials
import HoushiContract
import HoushiRuntime
import HoushiStorage
import Hummingbird
import Logging

/// What a department adds to the shared held-item pages: what the officer reads before deciding,
/// the form's buttons and choices, and the decision itself (the same as its JSON route's).
public protocol HeldItemDesk: Sendable {
    /// Sections the officer reads beside the request (e.g. the register entry and the household).
    func details(of held: HeldEntry, on db: PostgresConnection) throws -> [DetailSection]
    /// The decision form's buttons and choices.
    func options(for held: HeldEntry, on db: PostgresConnection) throws -> DecisionOptions
    /// Carries out the decision in its own transaction; throws `APIError` when it cannot be taken.
    func decide(_ decision: HeldDecision, officer: Officer, logger: Logger) async throws
}

/// An officer's decision on a held item, as the form sent it.
public struct HeldDecision: Sendable {
    public let caseId: UUID
    public let item: Item
    public let approved: Bool
    public let reason: String
    /// The form, for the desk's own choices (e.g. the funeral home).
    public let fields: FormFields
}

/// A titled block of facts on a page: label and value rows, or a table.
public struct DetailSection: Sendable {
    public struct Row: Sendable {
        public let label: String
        public let value: String

        public init(_ label: String, _ value: String) {
            self.label = label
            self.value = value
        }
    }

    public struct Table: Sendable {
        public let headers: [String]
        public let rows: [[String]]
    }

    public let title: String
    public let rows: [Row]
    public let table: Table?
    /// Shown when there are neither rows nor table rows.
    public let empty: String?

    public init(title: String, rows: [Row] = [], table: (headers: [String], rows: [[String]])? = nil, empty: String? = nil) {
        self.title = title
        self.rows = rows
        self.table = table.map { Table(headers: $0.headers, rows: $0.rows) }
        self.empty = rows.isEmpty && (table?.rows.isEmpty ?? true) ? empty : nil
    }
}

/// The decision form: what its buttons say, and the choices an approval needs.
public struct DecisionOptions: Sendable {
    public struct Choice: Sendable {
        public let value: String
        public let label: String
        public let selected: Bool

        public init(value: String, label: String, selected: Bool = false) {
            self.value = value
            self.label = label
            self.selected = selected
        }
    }

    /// A select on the form, e.g. the funeral home that takes the body.
    public struct ChoiceField: Sendable {
        public let name: String
        public let label: String
        public let choices: [Choice]

        public init(name: String, label: String, choices: [Choice]) {
            self.name = name
            self.label = label
            self.choices = choices
        }
    }

    public let approveLabel: String
    public let rejectLabel: String
    public let fields: [ChoiceField]

    public init(approveLabel: String, rejectLabel: String = "退回，转线下办理", fields: [ChoiceField] = []) {
        self.approveLabel = approveLabel
        self.rejectLabel = rejectLabel
        self.fields = fields
    }
}

/// The shared pages of held items: the queue (overdue in red, the nearest deadline first), one
/// item with the department's details and the decision form, and the decisions taken.
struct HeldPages<Desk: HeldItemDesk>: Sendable {
    let console: OfficerConsole
    let desk: Desk

    struct Row {
        let href: String
        let deceasedName: String
        let idNumber: String
        let itemName: String
        let reason: String
        let receivedAt: String
        let deadline: String
        let overdue: Bool
        let decision: String?
        let decidedBy: String?
        let decidedAt: String?
        let decisionReason: String?
    }

    struct ListView {
        let site: Site
        let chrome: OfficerConsole.Chrome
        let rows: [Row]
    }

    struct ItemView {
        let site: Site
        let chrome: OfficerConsole.Chrome
        let caseId: String
        let action: String
        let deceasedName: String
        let idNumber: String
        let diedAt: String?
        let itemName: String
        let reason: String
        let receivedAt: String
        let deadline: String
        let overdue: Bool
        let open: Bool
        let decides: Bool
        let decision: Row?
        let sections: [DetailSection]
        let options: DecisionOptions
        let reasonTyped: String
        let error: String?
    }

    /// The held items a list page shows, each case recorded as read by the officer.
    private func listed(_ items: [Item], _ filter: HeldQueue.Filter, by signedIn: OfficerConsole.SignedIn) async throws -> [HeldEntry] {
        try await console.context.database.withConnection { db in
            let entries = try HeldQueue.entries(items: items, filter, on: db)
            try CaseReads.record(caseIds: entries.map(\.caseId), by: .officer(id: signedIn.officer.id), view: .list, on: db)
            return entries
        }
    }

    func register(on pages: RouterGroup<PageRequestContext>) {
        pages.get("/held") { _, requestContext in
            let signedIn = try await console.signedIn(requestContext)
            let items = console.department.items
            let entries = try await listed(items, .open, by: signedIn)
            return try console.page("held", ListView(site: console.site, chrome: signedIn.chrome, rows: entries.map(row)))
        }
        pages.get("/decisions") { _, requestContext in
            let signedIn = try await console.signedIn(requestContext)
            let items = console.department.items
            let entries = try await listed(items, .decided, by: signedIn)
            return try console.page("decisions", ListView(site: console.site, chrome: signedIn.chrome,
                                                          rows: entries.map(row)))
        }
        pages.get("/held/:caseId/:item") { _, requestContext in
            let signedIn = try await console.signedIn(requestContext)
            return try await itemPage(try path(requestContext), signedIn)
        }
        pages.post("/held/:caseId/:item") { request, requestContext in
            let signedIn = try await console.signedInReviewer(requestContext)
            let (caseId, item) = try path(requestContext)
            let fields = try await console.form(request, signedIn)
            let reason = fields["reason"]
            guard let approved = ["approve": true, "reject": false][fields["decision"]] else {
                return try await itemPage((caseId, item), signedIn, reasonTyped: reason, error: "请选择批准或退回。",
                                          status: .unprocessableContent)
            }
            guard !reason.isEmpty else {
                return try await itemPage((caseId, item), signedIn, reasonTyped: reason, error: "请填写理由。",
                                          status: .unprocessableContent)
            }
            let decision = HeldDecision(caseId: caseId, item: item, approved: approved, reason: reason, fields: fields)
            do {
                try await desk.decide(decision, officer: signedIn.officer,
                                      logger: console.logger(caseId: caseId, officer: signedIn.officer))
            } catch let error as APIError where error.status != .notFound {
                return try await itemPage((caseId, item), signedIn, reasonTyped: reason, error: error.pageMessage,
                                          status: error.status)
            }
            return seeOther("\(console.site.root)/held/\(caseId.lowercased)/\(item.rawValue)")
        }
    }

    private func path(_ requestContext: PageRequestContext) throws -> (UUID, Item) {
        guard let caseId = requestContext.parameters.get("caseId").flatMap(UUID.init(text:)),
              let item = requestContext.parameters.get("item").flatMap(Item.init(rawValue:)),
              item.department == console.department
        else { throw HTTPError(.notFound) }
        return (caseId, item)
    }

    private func itemPage(_ key: (UUID, Item), _ signedIn: OfficerConsole.SignedIn, reasonTyped: String = "",
                          error: String? = nil, status: HTTPResponse.Status = .ok) async throws -> Response {
        let desk = desk
        let (entry, sections, options) = try await console.context.database.withConnection { db in
            guard let entry = try HeldQueue.entries(items: [key.1], .one(key.0, key.1), on: db).first else {
                throw HTTPError(.notFound)
            }
            try CaseReads.record(caseId: key.0, by: .officer(id: signedIn.officer.id), view: .heldItem, on: db)
            return (entry, try desk.details(of: entry, on: db), try desk.options(for: entry, on: db))
        }
        let view = ItemView(
            site: console.site, chrome: signedIn.chrome, caseId: entry.caseId.lowercased,
            action: "\(console.site.root)/held/\(entry.caseId.lowercased)/\(entry.item.rawValue)",
            deceasedName: entry.deceasedName, idNumber: entry.deceasedIdNumber, diedAt: entry.diedAt?.chineseDateTime,
            itemName: entry.item.chineseName, reason: entry.reason, receivedAt: entry.receivedAt.chineseDateTime,
            deadline: entry.deadline.chineseDateTime, overdue: entry.overdue, open: entry.status == "open",
            decides: signedIn.officer.role.decides, decision: entry.status == "open" ? nil : row(entry),
            sections: sections, options: options, reasonTyped: reasonTyped, error: error)
        return try console.page("held-item", view, status: status)
    }

    private func row(_ entry: HeldEntry) -> Row {
        Row(href: "\(console.site.root)/held/\(entry.caseId.lowercased)/\(entry.item.rawValue)",
            deceasedName: entry.deceasedName, idNumber: Redact.idNumber(entry.deceasedIdNumber),
            itemName: entry.item.chineseName, reason: entry.reason, receivedAt: entry.receivedAt.chineseDateTime,
            deadline: entry.deadline.chineseDateTime, overdue: entry.overdue,
            decision: ["approved": "已批准", "rejected": "已退回", "withdrawn": "登记已撤回，不再审核"][entry.status],
            decidedBy: entry.decidedBy.map { OfficerAccounts.display(login: $0, name: entry.decidedByName) },
            decidedAt: entry.decidedAt?.chineseDateTime, decisionReason: entry.decisionReason)
    }
}
