import Foundation
import Hummingbird

/// An error answered as JSON: `{"error": code, "message": text, "fields": [...]}`.
struct APIError: HTTPResponseError {
    let status: HTTPResponse.Status
    let code: String
    let message: String
    var fields: [FieldError] = []
    var headers: HTTPFields = [:]

    static let unauthorized = APIError(
        status: .unauthorized, code: "unauthorized", message: "a valid bearer token of a medical institution is required",
        headers: [.wwwAuthenticate: "Bearer"])
    static let unsupportedMediaType = APIError(
        status: .unsupportedMediaType, code: "unsupported-media-type", message: "send application/json")
    static let notFound = APIError(status: .notFound, code: "not-found", message: "no such case")

    static func invalid(_ fields: [FieldError]) -> APIError {
        APIError(status: .unprocessableContent, code: "invalid-notice", message: "the notice has errors", fields: fields)
    }

    private struct Body: Encodable {
        let error: String
        let message: String
        let fields: [FieldError]?
    }

    func response(from request: Request, context: some RequestContext) throws -> Response {
        var headers = self.headers
        headers[.contentType] = "application/json; charset=utf-8"
        let body = try JSONEncoder().encode(Body(error: code, message: message, fields: fields.isEmpty ? nil : fields))
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: body)))
    }
}
