import FoundationEssentials
import HoushiContract
import HoushiRuntime
import Hummingbird
import HummingbirdAuth

/// The hospital staff's pages (sign in, the 登记表, their cases, the printed form) and the
/// family's page, server-rendered from the templates; the JSON API stays for systems.
struct IntakePages: Sendable {
    let context: ServiceContext
    let opening: NoticeOpening
    let templates: PageTemplates
    let statics: StaticFiles
    let links: FamilyLinkSource
    let sessions: StoredSessions
    /// How long a session lasts without a new sign-in.
    static let sessionLifetime: Duration = .seconds(8 * 3600)
    /// Where the hospital staff's pages live (DESIGN.md, pages).
    static let root = "/yiyuan"
    static let sessionCookie = "houshi_session"
    static let loginCookie = "houshi_login"

    init(context: ServiceContext, opening: NoticeOpening, links: FamilyLinkSource) throws {
        self.context = context
        self.opening = opening
        self.links = links
        templates = try .load()
        statics = try .load()
        sessions = StoredSessions(database: context.database)
    }

    func register(on router: Router<BasicRequestContext>) {
        router.get("/static/:file") { _, requestContext in
            statics.response(requestContext.parameters.get("file") ?? "")
        }
        let family = router.group("jd", context: PageRequestContext.self)
            .add(middleware: PageHeadersMiddleware())
            .add(middleware: PageErrorMiddleware(templates: templates))
        FamilyPage(pages: self).register(on: family)

        router.get("/") { _, _ in Response(status: .seeOther, headers: [.location: "\(Self.root)/"]) }
        let pages = router.group(RouterPath(stringLiteral: String(Self.root.dropFirst())), context: PageRequestContext.self)
            .add(middleware: PageHeadersMiddleware())
            .add(middleware: PageErrorMiddleware(templates: templates))
            .add(middleware: SessionMiddleware(storage: sessions, configuration: .init(
                sessionCookieParameters: .init(name: Self.sessionCookie, path: "/", secure: links.secure,
                                               sameSite: .strict),
                keyPrefix: "", defaultSessionExpiration: Self.sessionLifetime)))
        pages.get("/") { _, requestContext in
            Response(status: .seeOther, headers: [.location: "\(Self.root)/" + (requestContext.sessions.session == nil ? "login" : "cases")])
        }
        pages.get("/login") { request, _ in try loginPage(request) }
        pages.post("/login") { request, requestContext in try await login(request, requestContext) }
        pages.post("/logout") { request, requestContext in
            let (_, session) = try await signedIn(requestContext)
            try CSRF.check(try await FormFields.read(request), expected: session.csrfToken)
            requestContext.sessions.clearSession()
            return Response(status: .seeOther, headers: [.location: "\(Self.root)/login"])
        }
        NoticeFormPage(pages: self).register(on: pages)
        CasePages(pages: self).register(on: pages)
    }

    // MARK: signing in

    struct LoginView {
        let csrf: String
        let login: String
        let error: String?
    }

    /// The sign-in form; its token is also set as a cookie (double submit: the session does not exist yet).
    private func loginPage(_ request: Request, login: String = "", error: String? = nil,
                           status: HTTPResponse.Status = .ok) throws -> Response {
        let token = CSRF.newToken()
        var response = try templates.page("login", LoginView(csrf: token, login: login, error: error), status: status)
        response.setCookie(Cookie(name: Self.loginCookie, value: token, maxAge: 3600, path: "\(Self.root)/login",
                                  secure: links.secure, httpOnly: true, sameSite: .strict))
        return response
    }

    private func login(_ request: Request, _ requestContext: PageRequestContext) async throws -> Response {
        let fields = try await FormFields.read(request)
        try CSRF.check(fields, expected: request.cookies[Self.loginCookie]?.value ?? "")
        let login = fields["login"]
        let address = request.headers[.init("X-Real-IP")!] ?? "direct"
        switch try await StaffLogin(database: context.database)
            .attempt(login: login, password: fields.text("password") ?? "", address: address) {
        case .signedIn(let member):
            requestContext.sessions.createSession(StaffSession(staffId: member.id, csrfToken: CSRF.newToken()),
                                                  expiresIn: Self.sessionLifetime)
            context.logger.info("staff signed in", metadata: ["staff": "\(member.login)", "institution": "\(member.institution.code)"])
            return Response(status: .seeOther, headers: [.location: "\(Self.root)/cases"])
        case .wrongPassword:
            context.logger.notice("sign-in refused", metadata: ["staff": "\(login)"])
            return try loginPage(request, login: login, error: "帐号或密码不正确。", status: .unauthorized)
        case .throttled:
            context.logger.warning("sign-in throttled", metadata: ["staff": "\(login)"])
            return try loginPage(request, login: login, error: "尝试次数过多，请\(LoginThrottle().windowSeconds / 60)分钟后再试。", status: .tooManyRequests)
        }
    }

    /// The signed-in staff member and their session; a request without one goes to the sign-in page.
    func signedIn(_ requestContext: PageRequestContext) async throws -> (StaffMember, StaffSession) {
        guard let session = requestContext.sessions.session,
              let member = try await context.database.withConnection({ db in
                  try StaffAccounts.member(id: session.staffId, on: db)
              })
        else { throw PageRedirect(location: "\(Self.root)/login") }
        return (member, session)
    }

    /// What every signed-in page shows around its content.
    struct Chrome {
        let staffName: String
        let institutionName: String
        let csrf: String
    }

    func chrome(_ member: StaffMember, _ session: StaffSession) -> Chrome {
        Chrome(staffName: member.name, institutionName: member.institution.name, csrf: session.csrfToken)
    }
}
