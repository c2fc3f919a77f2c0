import Crypto
import FoundationEssentials
import HoushiRuntime
import Hummingbird

/// Headers every page carries: no script or style from elsewhere, no framing, no referrer
/// (the family's link must not leak), nothing cached.
public struct PageHeadersMiddleware<Context: RequestContext>: RouterMiddleware {
    public init() {}

    public static var contentSecurityPolicy: String {
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; form-action 'self'; "
            + "frame-ancestors 'none'; base-uri 'none'"
    }

    public func handle(_ request: Request, context: Context,
                       next: (Request, Context) async throws -> Response) async throws -> Response {
        var response = try await next(request, context)
        response.headers[.contentSecurityPolicy] = Self.contentSecurityPolicy
        response.headers[.xContentTypeOptions] = "nosniff"
        response.headers[.init("Referrer-Policy")!] = "no-referrer"
        response.headers[.init("X-Frame-Options")!] = "DENY"
        if response.headers[.cacheControl] == nil { response.headers[.cacheControl] = "no-store" }
        return response
    }
}

/// Where a page sends the browser instead (303 See Other), answered by `PageErrorMiddleware`.
public struct PageRedirect: Error {
    public let location: String

    public init(location: String) {
        self.location = location
    }
}

/// 303 to a page, e.g. after a form was taken.
public func seeOther(_ location: String) -> Response {
    Response(status: .seeOther, headers: [.location: location])
}

/// Answers errors on the pages as pages (the API answers JSON): a missing case, a refused form,
/// too many attempts, a fault.
public struct PageErrorMiddleware<Context: RequestContext>: RouterMiddleware {
    let templates: PageTemplates
    let site: Site

    public init(templates: PageTemplates, site: Site) {
        self.templates = templates
        self.site = site
    }

    struct ErrorView {
        let site: Site
        let title: String
        let message: String
    }

    public func handle(_ request: Request, context: Context,
                       next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let redirect as PageRedirect {
            return seeOther(redirect.location)
        } catch {
            let status = (error as? any HTTPResponseError)?.status ?? .internalServerError
            if status == .internalServerError {
                context.logger.error("page failed", metadata: ["path": "\(request.uri.path)", "error": "\(error)"])
            }
            let (title, message): (String, String) = switch status {
            case .notFound: ("未找到", "没有这个页面或案件，或者它不属于您所在的机构。")
            case .forbidden where (error as? PageRefusal) != nil:
                ("无权办理", (error as? PageRefusal)?.message ?? "")
            case .forbidden: ("无法提交", "页面已过期或不是从本系统提交的，请返回刷新后重试。")
            case .tooManyRequests: ("请稍后再试", "尝试次数过多，请稍后再试。")
            case .contentTooLarge: ("文件过大", "上传的文件过大：每份材料不超过5 MiB。")
            case .serviceUnavailable: ("暂时无法办理", "系统繁忙，请稍后再试，您填写的内容未提交。")
            default: ("出错了", "请求无法完成，请稍后再试。")
            }
            return try templates.page("error", ErrorView(site: site, title: title, message: message), status: status)
        }
    }
}

/// The CSRF token check: the form's `_csrf` must equal the expected token (compared in
/// constant time), else 403.
public enum CSRF {
    public static let field = "_csrf"

    public static func check(_ fields: FormFields, expected: String) throws {
        let sent = Data((fields.text(field) ?? "").utf8)
        let wanted = Data(expected.utf8)
        guard !wanted.isEmpty, sent.count == wanted.count,
              zip(sent, wanted).reduce(UInt8(0), { $0 | ($1.0 ^ $1.1) }) == 0
        else { throw HTTPError(.forbidden, message: "the form's token is missing or wrong") }
    }

    public static func newToken() -> String { String.randomHex(bytes: 32) }
}

/// A page the signed-in person may not use (e.g. a clerk deciding a held item): 403, with why.
public struct PageRefusal: HTTPResponseError {
    public let message: String
    public var status: HTTPResponse.Status { .forbidden }

    public init(_ message: String) {
        self.message = message
    }

    public func response(from request: Request, context: some RequestContext) throws -> Response {
        Response(status: status)
    }
}

/// What every page of one console shares: where it lives, whose it is.
public struct Site: Sendable {
    /// The path the console's pages live under, e.g. `/yiyuan`.
    public let root: String
    /// Who the console is for, in the title and heading, e.g. `公安局`.
    public let name: String
    /// Where a static file of this console is served.
    public let staticRoot: String

    public init(root: String, name: String, staticRoot: String? = nil) {
        self.root = root
        self.name = name
        self.staticRoot = staticRoot ?? root + "/static"
    }
}
