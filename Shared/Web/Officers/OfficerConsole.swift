import FoundationEssentials
import HoushiContract
import HoushiRuntime
import HoushiStorage
import Hummingbird
import Logging

extension Department {
    /// Where the department's pages live behind the one address (DESIGN.md, pages).
    public var consoleRoot: String {
        switch self {
        case .intake: "/yiyuan"
        case .publicSecurity: "/gongan"
        case .civilAffairs: "/minzheng"
        case .socialSecurity: "/renshe"
        }
    }

    /// The department as officers and families call it.
    public var chineseName: String {
        switch self {
        case .intake: "医疗机构"
        case .publicSecurity: "公安局"
        case .civilAffairs: "民政局（殡仪馆）"
        case .socialSecurity: "人社局"
        }
    }

    /// The items the department does.
    public var items: [Item] { Item.allCases.filter { $0.department == self } }
}

/// A department's console: its officers sign in, see what is held and overdue on every page,
/// and use the pages the department adds beside the shared ones (held items, decisions,
/// supervision).
public struct OfficerConsole: Sendable {
    public let console: Console<OfficerDirectory>
    public let context: ServiceContext
    public let department: Department
    let navigation: [(path: String, label: String)]

    /// A link of the console's menu.
    public struct NavLink: Sendable {
        public let href: String
        public let label: String

        public init(href: String, label: String) {
            self.href = href
            self.label = label
        }
    }

    /// What every signed-in page shows around its content.
    public struct Chrome: Sendable {
        public let officerName: String
        public let roleLabel: String
        public let csrf: String
        /// Held items past their deadline, in the department.
        public let overdue: Int
        /// A stored property: templates read values through reflection, which sees no computed ones.
        public let anyOverdue: Bool
        /// Where the overdue items are listed.
        public let overdueHref: String
        public let nav: [NavLink]

        public init(officerName: String, roleLabel: String, csrf: String, overdue: Int, overdueHref: String,
                    nav: [NavLink]) {
            self.officerName = officerName
            self.roleLabel = roleLabel
            self.csrf = csrf
            self.overdue = overdue
            anyOverdue = overdue > 0
            self.overdueHref = overdueHref
            self.nav = nav
        }
    }

    /// A signed-in officer, their session and the page's chrome.
    public struct SignedIn: Sendable {
        public let officer: Officer
        public let session: PageSession
        public let chrome: Chrome
    }

    /// - Parameters:
    ///   - navigation: the department's own pages before the shared ones (path under the root, label).
    ///   - sourceFolder: the folder of the department's `Templates` in the source tree.
    public init(context: ServiceContext, navigation: [(path: String, label: String)], sourceFolder: String) throws {
        guard let department = context.configuration.department else {
            throw ConfigurationError(variable: "service", problem: "\(context.configuration.identity.name) is no department: it has no officers' console")
        }
        self.context = context
        self.department = department
        self.navigation = navigation + [("/held", "待审核"), ("/decisions", "审核记录"), ("/supervision", "限时结办")]
        console = try Console(
            site: Site(root: department.consoleRoot, name: department.chineseName),
            folders: .of(service: department.rawValue, sourceFolder: sourceFolder),
            directory: OfficerDirectory(),
            texts: .init(heading: "\(department.chineseName)工作人员登录",
                         hint: "使用本部门分配的帐号登录，办理身后“一件事”联办事项。"),
            database: context.database, logger: context.logger)
    }

    public var site: Site { console.site }

    /// The console's routes (sign-in, the shared pages) under its root; the department adds its
    /// own to the group returned. `home` is where a signed-in officer starts.
    public func routes(on router: Router<BasicRequestContext>, home: String, desk: some HeldItemDesk)
        -> RouterGroup<PageRequestContext> {
        let pages = console.routes(on: router, home: home)
        HeldPages(console: self, desk: desk).register(on: pages)
        SupervisionPage(console: self).register(on: pages)
        return pages
    }

    /// The signed-in officer; a request without one goes to the sign-in page.
    public func signedIn(_ requestContext: PageRequestContext) async throws -> SignedIn {
        let (officer, session) = try await console.signedIn(requestContext)
        let items = department.items
        let overdue = try await context.database.withConnection { db in
            try HeldItems.overdueCounts(items: items, on: db).values.reduce(0, +)
        }
        let root = site.root
        return SignedIn(officer: officer, session: session, chrome: Chrome(
            officerName: officer.name, roleLabel: officer.role.label, csrf: session.csrfToken, overdue: overdue, overdueHref: "\(root)/supervision#overdue",
            nav: navigation.map { NavLink(href: root + $0.path, label: $0.label) }))
    }

    /// The signed-in officer, who must be a reviewer (403 with why otherwise).
    public func signedInReviewer(_ requestContext: PageRequestContext) async throws -> SignedIn {
        let signedIn = try await signedIn(requestContext)
        guard signedIn.officer.role.decides else {
            throw PageRefusal("只有审核人员可以作出决定，请联系本部门审核人员。")
        }
        return signedIn
    }

    /// Reads a posted form and checks its CSRF token.
    public func form(_ request: Request, _ signedIn: SignedIn) async throws -> FormFields {
        try await console.form(request, signedIn.session)
    }

    /// The page as an HTML response.
    public func page(_ name: String, _ view: Any, status: HTTPResponse.Status = .ok) throws -> Response {
        try console.templates.page(name, view, status: status)
    }

    /// A logger naming the case and the officer.
    public func logger(caseId: UUID, officer: Officer) -> Logger {
        var logger = context.logger
        logger[metadataKey: "case"] = "\(caseId.lowercased)"
        logger[metadataKey: "officer"] = "\(officer.login)"
        return logger
    }
}
