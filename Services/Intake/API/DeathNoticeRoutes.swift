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
        var request = request
        let notice = try await request.decodeJSON(DeathNotice.self, limit: Self.bodyLimit) { fields in
            APIError.invalidNotice(fields)
        }
        let problems = NoticeValidation.problems(in: notice, localInstitution: institution.local, now: .now())
        guard problems.isEmpty else { throw APIError.invalidNotice(problems) }

        let trace = request.headers.first { $0.name.canonicalName == TraceParent.header }
            .flatMap { TraceParent(header: $0.value) }?.child() ?? .start()
        let outcome = try await context.withDatabase { db in
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
        guard let view = try await context.withDatabase({ db in
            try CaseStore.view(caseId: caseId, institution: institution, on: db)
        }) else { throw APIError.notFound }
        var headers: HTTPFields = [.contentType: "application/json; charset=utf-8"]
        if status == .created { headers[.location] = "/v1/cases/\(caseId.lowercased)" }
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(string: view)))
    }

    private func authenticate(_ request: Request) async throws -> Institution {
        guard let token = request.bearerToken, let institution = try await context.withDatabase({ db in
            try Institutions.authenticate(token: token, on: db)
        }) else { throw APIError.unauthorized("a medical institution") }
        return institution
    }
}

extension APIError {
    static func invalidNotice(_ fields: [FieldError]) -> APIError {
        invalid(fields, code: "invalid-notice", message: "the notice has errors")
    }
}
