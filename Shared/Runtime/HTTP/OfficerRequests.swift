import FoundationEssentials
import HoushiStorage
import Hummingbird

extension ServiceContext {
    /// The operator whose bearer token the request carries; 401 naming `who` (`whoZh`) otherwise.
    public func authenticateOperator(_ request: Request, who: String, whoZh: String) async throws -> String {
        guard let token = request.bearerToken,
              let officer = try await withDatabase({ db in try Operators.authenticate(token: token, on: db) })
        else { throw APIError.unauthorized(who, whoZh) }
        return officer
    }
}

/// The body of an officer's decision: why.
public struct DecisionReason: Decodable, Sendable {
    public let reason: String

    /// Reads and checks the body: 422 when the reason is blank.
    public static func read(from request: Request) async throws -> String {
        var request = request
        let reason = try await request.decodeJSON(DecisionReason.self, limit: 8 * 1024).reason
            .trimmingWhitespace
        guard !reason.isEmpty else {
            throw APIError.invalid([FieldError(field: "reason", message: "is required", messageZh: "须填写理由")])
        }
        return reason
    }
}

extension Response {
    /// A JSON response.
    public static func json<T: Encodable>(_ value: T, status: HTTPResponse.Status = .ok) throws -> Response {
        Response(status: status, headers: [.contentType: "application/json; charset=utf-8"],
                 body: .init(byteBuffer: ByteBuffer(bytes: try JSONEncoder().encode(value))))
    }
}
