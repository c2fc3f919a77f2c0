import FoundationEssentials
import HoushiContract
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

    /// `GET /v1/held?page=N`: one page of the open held items of the kinds given, for an operator
    /// (401 naming `who` otherwise); every case listed is recorded as read by them.
    public func heldList(_ request: Request, items: [Item], who: String, whoZh: String) async throws -> Response {
        let reader = CaseReads.Reader.apiOperator(name: try await authenticateOperator(request, who: who, whoZh: whoZh))
        let page = try PageQuery.of(request, size: HeldItems.pageSize)
        return try Response.json(try await withDatabase { db in
            let held = try HeldItems.open(items: items, page: page, on: db)
            try CaseReads.record(caseIds: held.items.compactMap { UUID(text: $0.caseId) }, by: reader, view: .list, on: db)
            return held
        })
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
