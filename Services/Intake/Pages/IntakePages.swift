import FoundationEssentials
import HoushiContract
import HoushiRuntime
import HoushiWeb
import Hummingbird

/// The hospital staff's pages (sign in, the 登记表, their cases, the printed form) and the
/// family's page, server-rendered from the templates; the JSON API stays for systems.
struct IntakePages: Sendable {
    let context: ServiceContext
    let opening: NoticeOpening
    let console: Console<StaffDirectory>
    let links: FamilyLinkSource
    /// Where the hospital staff's pages live (DESIGN.md, pages).
    static let root = "/yiyuan"
    static let site = Site(root: root, name: "医疗机构")

    var templates: PageTemplates { console.templates }

    init(context: ServiceContext, opening: NoticeOpening, links: FamilyLinkSource) throws {
        self.context = context
        self.opening = opening
        self.links = links
        console = try Console(
            site: Self.site, folders: .of(service: Department.intake.rawValue, sourceFolder: Self.sourceFolder),
            directory: StaffDirectory(),
            texts: .init(heading: "工作人员登录", hint: "医疗机构受理人员使用本机构分配的帐号登录。"),
            database: context.database, logger: context.logger)
    }

    private static var sourceFolder: String { URL(filePath: #filePath).deletingLastPathComponent().path }

    func register(on router: Router<BasicRequestContext>) {
        let family = router.group("jd", context: PageRequestContext.self)
            .add(middleware: PageHeadersMiddleware())
            .add(middleware: PageErrorMiddleware(templates: templates, site: Self.site))
        FamilyPage(pages: self).register(on: family)

        router.get("/") { _, _ in seeOther("\(Self.root)/") }
        let pages = console.routes(on: router, home: "/cases")
        NoticeFormPage(pages: self).register(on: pages)
        CasePages(pages: self).register(on: pages)
    }

    /// The signed-in staff member and their session; a request without one goes to the sign-in page.
    func signedIn(_ requestContext: PageRequestContext) async throws -> (StaffMember, PageSession) {
        try await console.signedIn(requestContext)
    }

    /// What every signed-in page shows around its content.
    struct Chrome {
        let staffName: String
        let institutionName: String
        let csrf: String
    }

    func chrome(_ member: StaffMember, _ session: PageSession) -> Chrome {
        Chrome(staffName: member.name, institutionName: member.institution.name, csrf: session.csrfToken)
    }
}
