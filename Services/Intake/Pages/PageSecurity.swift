import Crypto
import FoundationEssentials
import HoushiRuntime
import Hummingbird

/// Headers every page carries: no script or style from elsewhere, no framing, no referrer
/// (the family's link must not leak), nothing cached.
struct PageHeadersMiddleware<Context: RequestContext>: RouterMiddleware {
    static var contentSecurityPolicy: String {
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; form-action 'self'; "
            + "frame-ancestors 'none'; base-uri 'none'"
    }

    func handle(_ request: Request, context: Context,
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
struct PageRedirect: Error {
    let location: String
}

/// Answers errors on the pages as pages (the API answers JSON): a missing case, a refused form,
/// too many attempts, a fault.
struct PageErrorMiddleware<Context: RequestContext>: RouterMiddleware {
    let templates: PageTemplates

    struct ErrorView {
        let title: String
        let message: String
    }

    func handle(_ request: Request, context: Context,
                next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let redirect as PageRedirect {
            return Response(status: .seeOther, headers: [.location: redirect.location])
        } catch {
            let status = (error as? any HTTPResponseError)?.status ?? .internalServerError
            if status == .internalServerError {
                context.logger.error("page failed", metadata: ["path": "\(request.uri.path)", "error": "\(error)"])
            }
            let (title, message): (String, String) = switch status {
            case .notFound: ("未找到", "没有这个页面或案件，或者它不属于您所在的机构。")
            case .forbidden: ("无法提交", "页面已过期或不是从本系统提交的，请返回刷新后重试。")
            case .tooManyRequests: ("请稍后再试", "尝试次数过多，请稍后再试。")
            case .contentTooLarge: ("文件过大", "上传的文件过大：每份材料不超过5 MiB。")
            case .serviceUnavailable: ("暂时无法办理", "系统繁忙，请稍后再试，您填写的内容未提交。")
            default: ("出错了", "请求无法完成，请稍后再试。")
            }
            return try templates.page("error", ErrorView(title: title, message: message), status: status)
        }
    }
}

/// The CSRF token check: the form's `_csrf` must equal the expected token (compared in
/// constant time), else 403.
enum CSRF {
    static let field = "_csrf"

    static func check(_ fields: FormFields, expected: String) throws {
        let sent = Data((fields.text(field) ?? "").utf8)
        let wanted = Data(expected.utf8)
        guard !wanted.isEmpty, sent.count == wanted.count,
              zip(sent, wanted).reduce(UInt8(0), { $0 | ($1.0 ^ $1.1) }) == 0
        else { throw HTTPError(.forbidden, message: "the form's token is missing or wrong") }
    }

    static func newToken() -> String { String.randomHex(bytes: 32) }
}
