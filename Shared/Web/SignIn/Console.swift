import FoundationEssentials
import HoushiRuntime
import Hummingbird
import HummingbirdAuth
import Logging

/// One console of signed-in pages (the hospital's, a department's): its templates and static
/// files, sessions kept in the service's schema, the sign-in and sign-out pages, and the check
/// every page makes that someone is signed in.
public struct Console<Directory: AccountDirectory>: Sendable {
    public let site: Site
    public let templates: PageTemplates
    public let database: Database
    public let logger: Logger
    let statics: StaticFiles
    let signIn: PasswordSignIn<Directory>
    let sessions: StoredSessions
    let texts: SignInTexts
    /// Cookies only over HTTPS, when the public address is one (`HOUSHI_PUBLIC_URL`).
    public let secureCookies: Bool

    /// How long a session lasts without a new sign-in.
    public static var sessionLifetime: Duration { .seconds(8 * 3600) }
    public static var sessionCookie: String { "houshi_session" }
    public static var loginCookie: String { "houshi_login" }

    /// What the sign-in page says to whom.
    public struct SignInTexts: Sendable {
        public let heading: String
        public let hint: String

        public init(heading: String, hint: String) {
            self.heading = heading
            self.hint = hint
        }
    }

    public init(site: Site, folders: PageFolders, directory: Directory, texts: SignInTexts,
                database: Database, logger: Logger) throws {
        self.init(site: site, templates: try .load(from: folders.templates), statics: try .load(from: folders.statics),
                  directory: directory, texts: texts, database: database, logger: logger)
    }

    /// Another console of the same service (its own root and accounts) on the templates and
    /// static files `other` loaded.
    public init<Other>(site: Site, sharingPagesOf other: Console<Other>, directory: Directory, texts: SignInTexts) {
        self.init(site: site, templates: other.templates, statics: other.statics, directory: directory, texts: texts,
                  database: other.database, logger: other.logger)
    }

    private init(site: Site, templates: PageTemplates, statics: StaticFiles, directory: Directory, texts: SignInTexts,
                 database: Database, logger: Logger) {
        self.site = site
        self.templates = templates
        self.statics = statics
        self.texts = texts
        self.database = database
        self.logger = logger
        signIn = PasswordSignIn(database: database, directory: directory)
        sessions = StoredSessions(database: database)
        secureCookies = PublicAddress.current.lowercased().hasPrefix("https://")
    }

    /// The console's group of routes under its root, with the page headers, errors as pages and
    /// sessions; the static files, `/`, `/login` and `/logout` are registered on it. `home` is
    /// where a signed-in person starts.
    public func routes(on router: Router<BasicRequestContext>, home: String) -> RouterGroup<PageRequestContext> {
        let pages = router.group(RouterPath(stringLiteral: String(site.root.dropFirst())), context: PageRequestContext.self)
            .add(middleware: PageHeadersMiddleware())
            .add(middleware: PageErrorMiddleware(templates: templates, site: site))
        pages.get("/static/:file") { _, requestContext in
            statics.response(requestContext.parameters.get("file") ?? "")
        }
        let signedPages = pages.add(middleware: SessionMiddleware(storage: sessions, configuration: .init(
            sessionCookieParameters: .init(name: Self.sessionCookie, path: site.root, secure: secureCookies,
                                           sameSite: .strict),
            keyPrefix: "", defaultSessionExpiration: Self.sessionLifetime)))
        let root = site.root
        signedPages.get("/") { _, requestContext in
            seeOther(root + (requestContext.sessions.session == nil ? "/login" : home))
        }
        signedPages.get("/login") { _, _ in try loginPage() }
        signedPages.post("/login") { request, requestContext in try await login(request, requestContext, home: home) }
        signedPages.post("/logout") { request, requestContext in
            let (_, session) = try await signedIn(requestContext)
            try CSRF.check(try await FormFields.read(request), expected: session.csrfToken)
            requestContext.sessions.clearSession()
            return seeOther("\(root)/login")
        }
        return signedPages
    }

    /// The signed-in account and their session; a request without one goes to the sign-in page.
    public func signedIn(_ requestContext: PageRequestContext) async throws -> (Directory.Account, PageSession) {
        let directory = signIn.directory
        guard let session = requestContext.sessions.session,
              let account = try await database.withConnection({ db in try directory.account(id: session.accountId, on: db) })
        else { throw PageRedirect(location: "\(site.root)/login") }
        return (account, session)
    }

    /// Reads a posted form and checks its CSRF token against the session's.
    public func form(_ request: Request, _ session: PageSession, limit: Int = FormFields.textFormLimit) async throws
        -> FormFields {
        let fields = try await FormFields.read(request, limit: limit)
        try CSRF.check(fields, expected: session.csrfToken)
        return fields
    }

    struct LoginView {
        let site: Site
        let heading: String
        let hint: String
        let csrf: String
        let login: String
        let error: String?
    }

    /// The sign-in form; its token is also set as a cookie (double submit: the session does not exist yet).
    private func loginPage(login: String = "", error: String? = nil, status: HTTPResponse.Status = .ok) throws -> Response {
        let token = CSRF.newToken()
        var response = try templates.page("login", LoginView(site: site, heading: texts.heading, hint: texts.hint,
                                                             csrf: token, login: login, error: error), status: status)
        response.setCookie(Cookie(name: Self.loginCookie, value: token, maxAge: 3600, path: "\(site.root)/login",
                                  secure: secureCookies, httpOnly: true, sameSite: .strict))
        return response
    }

    private func login(_ request: Request, _ requestContext: PageRequestContext, home: String) async throws -> Response {
        let fields = try await FormFields.read(request)
        try CSRF.check(fields, expected: request.cookies[Self.loginCookie]?.value ?? "")
        let login = fields["login"]
        let address = request.headers[.init("X-Real-IP")!] ?? "direct"
        switch try await signIn.attempt(login: login, password: fields.text("password") ?? "", address: address) {
        case .signedIn(let account):
            requestContext.sessions.createSession(PageSession(accountId: account.id), expiresIn: Self.sessionLifetime)
            logger.info("signed in", metadata: ["login": "\(account.login)", "console": "\(site.root)"])
            return seeOther(site.root + home)
        case .passwordExpired(let account):
            logger.notice("sign-in refused: password expired", metadata: ["login": "\(account.login)", "console": "\(site.root)"])
            return try loginPage(login: login, error: "密码已过期，请联系管理员重新设置密码。Your password has expired: ask your administrator for a new one.",
                                 status: .forbidden)
        case .wrongPassword:
            logger.notice("sign-in refused", metadata: ["login": "\(login)", "console": "\(site.root)"])
            return try loginPage(login: login, error: "帐号或密码不正确。", status: .unauthorized)
        case .throttled:
            logger.warning("sign-in throttled", metadata: ["login": "\(login)", "console": "\(site.root)"])
            return try loginPage(login: login, error: "尝试次数过多，请\(LoginThrottle().windowSeconds / 60)分钟后再试。",
                                 status: .tooManyRequests)
        }
    }
}

/// The pages' public address, e.g. `https://fy.example.gov.cn` (`HOUSHI_PUBLIC_URL`, default
/// `http://127.0.0.1:8000`), without a trailing slash.
public enum PublicAddress {
    public static var current: String {
        var url = ProcessInfo.processInfo.environment["HOUSHI_PUBLIC_URL"] ?? "http://127.0.0.1:8000"
        while url.hasSuffix("/") { url.removeLast() }
        return url.isEmpty ? "http://127.0.0.1:8000" : url
    }
}
