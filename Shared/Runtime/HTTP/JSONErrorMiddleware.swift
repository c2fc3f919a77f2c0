import Hummingbird

/// Answers the framework's own errors as JSON, like every `APIError`: an unknown route (404) or
/// a body over a route's limit (413) would otherwise go out with an empty body; a request that
/// found no database connection in time (`PoolBusy`) gets 503 with `Retry-After`.
struct JSONErrorMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context,
                next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as APIError {
            throw error
        } catch let error as PoolBusy {
            context.logger.warning("request turned away: \(error)")
            throw APIError.busy
        } catch let error as any HTTPResponseError {
            let framework = error as? HTTPError
            throw APIError(status: error.status, code: Self.code(error.status),
                           message: framework?.body ?? Self.message(error.status), headers: framework?.headers ?? [:],
                           messageZh: Self.messageZh(error.status))
        }
    }

    private static func code(_ status: HTTPResponse.Status) -> String {
        status.reasonPhrase.lowercased().split(whereSeparator: { !$0.isLetter && !$0.isNumber }).joined(separator: "-")
    }

    private static func messageZh(_ status: HTTPResponse.Status) -> String? {
        switch status {
        case .notFound: "无此资源"
        case .contentTooLarge: "请求体超过本接口的大小上限"
        case .methodNotAllowed: "本接口不支持该请求方法"
        default: nil
        }
    }

    private static func message(_ status: HTTPResponse.Status) -> String {
        switch status {
        case .notFound: "no such resource"
        case .contentTooLarge: "the body is over this route's size limit"
        default: status.reasonPhrase.lowercased()
        }
    }
}
