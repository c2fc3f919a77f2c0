import FoundationEssentials
import Hummingbird

/// One problem with one field of a request, in Chinese and English.
public struct FieldError: Codable, Sendable, Equatable {
    public var field: String
    public var message: String
    public var messageZh: String

    public init(field: String, message: String, messageZh: String) {
        self.field = field
        self.message = message
        self.messageZh = messageZh
    }
}

/// An error answered as JSON: `{"error": code, "message": text, "messageZh": 中文, "fields": [...]}`.
public struct APIError: HTTPResponseError {
    public let status: HTTPResponse.Status
    public let code: String
    public let message: String
    public var fields: [FieldError] = []
    public var headers: HTTPFields = [:]
    /// The message in Chinese, for a page that shows the error to an officer.
    public var messageZh: String?

    public init(status: HTTPResponse.Status, code: String, message: String, fields: [FieldError] = [],
                headers: HTTPFields = [:], messageZh: String? = nil) {
        self.status = status
        self.code = code
        self.message = message
        self.fields = fields
        self.headers = headers
        self.messageZh = messageZh
    }

    /// What an officer reads on a page: each field's Chinese message, else the Chinese message,
    /// else the English one.
    public var pageMessage: String {
        fields.isEmpty ? messageZh ?? message : fields.map(\.messageZh).joined(separator: "；")
    }

    /// 401: no token, or one that is not (or no longer) valid; `who` and `whoZh` name whose token it must be.
    public static func unauthorized(_ who: String, _ whoZh: String) -> APIError {
        APIError(status: .unauthorized, code: "unauthorized",
                 message: "a valid bearer token of \(who) is required (an expired, revoked or replaced one is refused)",
                 headers: [.wwwAuthenticate: "Bearer"], messageZh: "需要\(whoZh)的有效令牌（过期、作废或已被新令牌取代的令牌无效）")
    }

    public static let unsupportedMediaType = APIError(
        status: .unsupportedMediaType, code: "unsupported-media-type", message: "send application/json",
        messageZh: "请以application/json格式发送")
    public static let notFound = APIError(status: .notFound, code: "not-found", message: "no such case",
                                          messageZh: "无此案件")
    public static let databaseUnavailable = APIError(
        status: .serviceUnavailable, code: "unavailable", message: "the database is unavailable; retry shortly",
        headers: [.retryAfter: "5"], messageZh: "数据库暂不可用，请稍后重试")

    public static let busy = APIError(
        status: .serviceUnavailable, code: "busy", message: "the service is busy; retry shortly",
        headers: [.retryAfter: "2"], messageZh: "服务繁忙，请稍后重试")

    /// 422 with the problems of each field.
    public static func invalid(_ fields: [FieldError], code: String = "invalid-request",
                               message: String = "the request has errors", messageZh: String = "请求有误") -> APIError {
        APIError(status: .unprocessableContent, code: code, message: message, fields: fields, messageZh: messageZh)
    }

    private struct Body: Encodable {
        let error: String
        let message: String
        let messageZh: String?
        let fields: [FieldError]?
    }

    public func response(from request: Request, context: some RequestContext) throws -> Response {
        var headers = self.headers
        headers[.contentType] = "application/json; charset=utf-8"
        let body = try JSONEncoder().encode(Body(error: code, message: message, messageZh: messageZh,
                                                 fields: fields.isEmpty ? nil : fields))
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: body)))
    }
}
