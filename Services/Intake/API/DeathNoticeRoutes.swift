import Foundation
import HoushiContract
import HoushiRuntime
import HoushiStorage
import Hummingbird
import Logging

/// The hospital's API: post a death notice, read a case.
struct DeathNoticeRoutes: Sendable {
    let context: ServiceContext
    /// Largest accepted notice body.
    static let bodyLimit = 64 * 1024

    func register(on router: Router<BasicRequestContext>) {
        router.post("/v1/death-notices") { request, _ in try await postNotice(request) }
        router.get("/v1/cases/:id") { request, requestContext in
            try await getCase(request, id: requestContext.parameters.get("id") ?? "")
        }
    }

    private func postNotice(_ request: Request) async throws -> Response {
        let institution = try await authenticate(request)
        guard request.headers[.contentType].map({ $0.lowercased().hasPrefix("application/json") }) ?? false else {
            throw APIError.unsupportedMediaType
        }
        var request = request
        let body = try await request.collectBody(upTo: Self.bodyLimit)
        let notice: DeathNotice
        do {
            notice = try JSONDecoder().decode(DeathNotice.self, from: Data(buffer: body))
        } catch {
            throw APIError.invalid([FieldError(decoding: error)])
        }
        let problems = NoticeValidation.problems(in: notice, localInstitution: institution.local, now: .now())
        guard problems.isEmpty else { throw APIError.invalid(problems) }

        let trace = request.headers.first { $0.name.canonicalName == TraceParent.header }
            .flatMap { TraceParent(header: $0.value) }?.child() ?? .start()
        let outcome = try await context.database.withConnection { db in
            try CaseStore.open(notice, institution: institution, trace: trace, on: db)
        }
        var logger = context.logger
        logger[metadataKey: "trace_id"] = "\(trace.traceId)"
        switch outcome {
        case .opened(let caseId):
            logger.info("case opened", metadata: ["case": "\(caseId.lowercased)", "institution": "\(institution.code)",
                                                  "items": "\(notice.requestedItems.map(\.rawValue))"])
            return try await caseResponse(caseId, institution: institution, status: .created)
        case .repeated(let caseId):
            logger.info("notice repeated, case unchanged", metadata: ["case": "\(caseId.lowercased)"])
            return try await caseResponse(caseId, institution: institution, status: .ok)
        case .conflicting(let caseId):
            logger.warning("different notice for a deceased with a case", metadata: ["case": "\(caseId.lowercased)"])
            throw APIError(status: .conflict, code: "case-exists",
                           message: "the deceased already has case \(caseId.lowercased) with different facts")
        }
    }

    private func getCase(_ request: Request, id: String) async throws -> Response {
        let institution = try await authenticate(request)
        guard let caseId = UUID(uuidString: id) else { throw APIError.notFound }
        return try await caseResponse(caseId, institution: institution, status: .ok)
    }

    private func caseResponse(_ caseId: UUID, institution: Institution, status: HTTPResponse.Status) async throws -> Response {
        guard let view = try await context.database.withConnection({ db in
            try CaseStore.view(caseId: caseId, institution: institution, on: db)
        }) else { throw APIError.notFound }
        var headers: HTTPFields = [.contentType: "application/json; charset=utf-8"]
        if status == .created { headers[.location] = "/v1/cases/\(caseId.lowercased)" }
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(string: view)))
    }

    private func authenticate(_ request: Request) async throws -> Institution {
        guard let header = request.headers[.authorization], header.hasPrefix("Bearer ") else {
            throw APIError.unauthorized
        }
        let token = String(header.dropFirst("Bearer ".count)).trimmingCharacters(in: .whitespaces)
        guard !token.isEmpty, let institution = try await context.database.withConnection({ db in
            try Institutions.authenticate(token: token, on: db)
        }) else { throw APIError.unauthorized }
        return institution
    }
}

extension FieldError {
    /// The field a JSON decoding error is about, and what is wrong with it.
    init(decoding error: any Error) {
        guard let error = error as? DecodingError else {
            self.init(field: "", message: "is not valid JSON", messageZh: "不是有效的JSON")
            return
        }
        func path(_ context: DecodingError.Context, _ key: (any CodingKey)? = nil) -> String {
            (context.codingPath + (key.map { [$0] } ?? [])).map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }
                .joined(separator: ".").replacingOccurrences(of: ".[", with: "[")
        }
        switch error {
        case .keyNotFound(let key, let context):
            self.init(field: path(context, key), message: "is required", messageZh: "为必填项")
        case .valueNotFound(_, let context):
            self.init(field: path(context), message: "is required", messageZh: "为必填项")
        case .typeMismatch(let type, let context):
            self.init(field: path(context), message: "has the wrong type (expected \(type))", messageZh: "类型错误")
        case .dataCorrupted(let context) where context.codingPath.isEmpty:
            self.init(field: "", message: "is not valid JSON", messageZh: "不是有效的JSON")
        case .dataCorrupted(let context):
            self.init(field: path(context), message: "has an invalid value: \(context.debugDescription)",
                      messageZh: "取值无效")
        @unknown default:
            self.init(field: "", message: "cannot be read", messageZh: "无法解析")
        }
    }
}
