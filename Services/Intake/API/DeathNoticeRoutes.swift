import FoundationEssentials
import HoushiContract
import HoushiRuntime
import HoushiStorage
import Hummingbird
import Logging

/// The hospital's API: post a death notice, read a case.
struct DeathNoticeRoutes: Sendable {
    let context: ServiceContext
    let opening: NoticeOpening
    /// Largest accepted notice body (attachments ride in it, base64).
    static let bodyLimit = 8 * 1024 * 1024
    /// This API's OpenAPI 3 document, shipped with the service (`HOUSHI_OPENAPI_FILE` names another place).
    static let openAPIDocument: Data = {
        let path = shippedDataPath("HOUSHI_OPENAPI_FILE", relativePath: "../openapi.yaml")
        return (try? Data(contentsOf: URL(filePath: path))) ?? Data("openapi.yaml is missing: not found at \(path)\n".utf8)
    }()

    init(context: ServiceContext, opening: NoticeOpening) {
        self.context = context
        self.opening = opening
    }

    func register(on router: Router<BasicRequestContext>) {
        router.post("/v1/death-notices") { request, _ in try await postNotice(request) }
        router.get("/v1/cases") { request, _ in try await listCases(request) }
        router.patch("/v1/cases/:id") { request, requestContext in
            try await correct(request, caseId: requestContext.parameters.get("id") ?? "")
        }
        router.post("/v1/cases/:id/withdrawal") { request, requestContext in
            try await withdraw(request, caseId: requestContext.parameters.get("id") ?? "")
        }
        router.post("/v1/cases/:id/attachments") { request, requestContext in
            try await addAttachment(request, caseId: requestContext.parameters.get("id") ?? "")
        }
        router.get("/v1/seal/public-key") { _, _ in
            try Response.json(["algorithm": "Ed25519", "keyId": opening.sealKey.id,
                               "publicKey": opening.sealKey.privateKey.publicKey.rawRepresentation.base64EncodedString(),
                               "signedText": SealKey.signedTextTemplate])
        }
        router.get("/v1/seal/public-keys") { _, _ in
            let keys = try await context.withDatabase { db in try SealPublicKeys.all(on: db) }
            return try Response.json(SealPublicKeyList(current: opening.sealKey.id, keys: keys))
        }
        router.get("/openapi.yaml") { _, _ in
            Response(status: .ok, headers: [.contentType: "application/yaml; charset=utf-8"],
                     body: .init(byteBuffer: ByteBuffer(bytes: Self.openAPIDocument)))
        }
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
        let opened = try await opening.submit(notice, institution: institution, enteredBy: nil, trace: request.trace)
        switch opened.outcome {
        case .opened(let caseId):
            return try caseResponse(caseId, view: opened.view, status: .created)
        case .repeated(let caseId):
            return try caseResponse(caseId, view: opened.view, status: .ok)
        case .conflicting(let caseId):
            throw APIError.caseExists(caseId)
        case .openedElsewhere:
            throw APIError.caseOpenedElsewhere
        }
    }

    /// `GET /v1/cases?status=open|completed|withdrawn&page=N`: the institution's cases, 20 a page, newest first.
    private func listCases(_ request: Request) async throws -> Response {
        let institution = try await authenticate(request)
        let query = request.uri.queryParameters
        let status = query["status"].map(String.init)
        var problems: [FieldError] = []
        if let status, !["open", "completed", "withdrawn"].contains(status) {
            problems.append(FieldError(field: "status", message: "must be open, completed or withdrawn",
                                       messageZh: "须为open、completed或withdrawn"))
        }
        let page = PageQuery.parse(request, size: 20)
        if page == nil { problems.append(PageQuery.problem) }
        guard problems.isEmpty, let page else { throw APIError.invalid(problems) }
        let list = try await context.withDatabase { db in
            try CaseStore.list(institution: institution, status: status, page: page.page, pageSize: page.size, on: db)
        }
        return Response(status: .ok, headers: [.contentType: "application/json; charset=utf-8"],
                        body: .init(byteBuffer: ByteBuffer(string: list)))
    }

    /// `POST /v1/cases/{id}/attachments?kind=…` with the file as the body (PDF, JPEG or PNG).
    private func addAttachment(_ request: Request, caseId text: String) async throws -> Response {
        let institution = try await authenticate(request)
        guard let caseId = UUID(text: text) else { throw APIError.notFound }
        guard let kind = request.uri.queryParameters["kind"].flatMap({ AttachmentKind(rawValue: String($0)) }) else {
            throw APIError.invalid([FieldError(field: "kind", message: "must be one of \(AttachmentKind.allCases.map(\.rawValue))",
                                               messageZh: "材料类型无效")])
        }
        let contentType = request.headers[.contentType]?.split(separator: ";").first.map(String.init) ?? ""
        guard Attachments.signatures[contentType.lowercased()] != nil else { throw APIError.unsupportedMediaType }
        var request = request
        let data = Data(buffer: try await request.collectBody(upTo: Attachments.sizeLimit))
        if let problem = Attachments.check(contentType: contentType, data: data) {
            throw APIError.invalid([FieldError(field: "body", message: problem.message, messageZh: problem.messageZh)])
        }
        let reference = try await context.withDatabase { db in
            try db.withTransaction { tx -> AttachmentReference in
                guard try tx.execute("SELECT 1 FROM cases WHERE case_id = $1 AND institution_code = $2",
                                     [caseId, institution.code]).first != nil
                else { throw APIError.notFound }
                return try Attachments.store(caseId: caseId, kind: kind, contentType: contentType, data: data,
                                             key: opening.sealKey, on: tx)
            }
        }
        context.logger.info("attachment sealed", metadata: ["case": "\(caseId.lowercased)", "kind": "\(kind.rawValue)"])
        return try Response.json(reference, status: .created)
    }

    /// `POST /v1/cases/{id}/withdrawal` with `{"reason": …}`: 202 with the case view when withdrawn
    /// now, 200 when it was withdrawn before.
    private func withdraw(_ request: Request, caseId text: String) async throws -> Response {
        struct Withdrawal: Decodable { let reason: String }
        let institution = try await authenticate(request)
        guard let caseId = UUID(text: text) else { throw APIError.notFound }
        var request = request
        let withdrawal = try await request.decodeJSON(Withdrawal.self, limit: 16 * 1024) { fields in
            APIError.invalid(fields, code: "invalid-withdrawal", message: "the withdrawal has errors")
        }
        let outcome = try await CaseWithdrawal(context: context).withdraw(
            caseId: caseId, institutionCode: institution.code, withdrawnBy: institution.name, reason: withdrawal.reason,
            trace: request.trace)
        return try await changedCaseResponse(caseId, institution: institution,
                                             status: outcome == .withdrawn ? .accepted : .ok)
    }

    /// `PATCH /v1/cases/{id}` with `{"reason": …, "changes": {…}}`: the corrected case view (200).
    private func correct(_ request: Request, caseId text: String) async throws -> Response {
        struct Correction: Decodable {
            let reason: String
            let changes: JSONValue
        }
        let institution = try await authenticate(request)
        guard let caseId = UUID(text: text) else { throw APIError.notFound }
        var request = request
        let correction = try await request.decodeJSON(Correction.self, limit: Self.bodyLimit) { fields in
            APIError.invalidCorrection(fields)
        }
        _ = try await CaseCorrection(context: context).correct(
            caseId: caseId, institution: institution, correctedBy: institution.name, reason: correction.reason,
            changes: correction.changes, trace: request.trace)
        return try await changedCaseResponse(caseId, institution: institution, status: .ok)
    }

    private func getCase(_ request: Request, id: String) async throws -> Response {
        let institution = try await authenticate(request)
        guard let caseId = UUID(text: id) else { throw APIError.notFound }
        return try caseResponse(caseId, view: try await context.withDatabase { db in
            let view = try CaseStore.view(caseId: caseId, institution: institution, on: db)
            if view != nil { try CaseReads.record(caseId: caseId, by: .institution(code: institution.code), view: .api, on: db) }
            return view
        }, status: .ok)
    }

    /// The case as it is after a withdrawal or a correction, as the response.
    private func changedCaseResponse(_ caseId: UUID, institution: Institution,
                                     status: HTTPResponse.Status) async throws -> Response {
        try caseResponse(caseId, view: try await context.withDatabase { db in
            try CaseStore.view(caseId: caseId, institution: institution, on: db)
        }, status: status)
    }

    /// The case view (nil: no such case for this institution) as the response.
    private func caseResponse(_ caseId: UUID, view: String?, status: HTTPResponse.Status) throws -> Response {
        guard let view else { throw APIError.notFound }
        var headers: HTTPFields = [.contentType: "application/json; charset=utf-8"]
        if status == .created { headers[.location] = "/v1/cases/\(caseId.lowercased)" }
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(string: view)))
    }

    private func authenticate(_ request: Request) async throws -> Institution {
        guard let token = request.bearerToken, let institution = try await context.withDatabase({ db in
            try Institutions.authenticate(token: token, on: db)
        }) else { throw APIError.unauthorized("a medical institution", "医疗机构") }
        return institution
    }
}

extension Request {
    /// The trace the request continues (its `traceparent` header), or a new one.
    var trace: TraceParent {
        headers.first { $0.name.canonicalName == TraceParent.header }.flatMap { TraceParent(header: $0.value) }?.child()
            ?? .start()
    }
}

extension APIError {
    static func invalidNotice(_ fields: [FieldError]) -> APIError {
        invalid(fields, code: "invalid-notice", message: "the notice has errors")
    }

    static func caseExists(_ caseId: UUID) -> APIError {
        APIError(status: .conflict, code: "case-exists",
                 message: "the deceased already has case \(caseId.lowercased), opened by this institution with different facts; "
                     + "read it with GET /v1/cases/\(caseId.lowercased) and do not post the notice again",
                 messageZh: "该逝者已有本机构登记的案件\(caseId.lowercased)，且登记内容不同；请查看该案件，勿重复登记")
    }

    /// A notice for a deceased whose case another institution opened.
    static let caseOpenedElsewhere = APIError(
        status: .conflict, code: "case-exists-elsewhere",
        message: "another institution has already notified this death and opened its case, which only that institution "
            + "can read; nothing more is needed here. If the deceased's ID number is wrong, correct it and post again",
        messageZh: "该逝者已由其他医疗机构登记联办，案件仅该机构可查看，本机构无需重复登记；如身份证号有误，请更正后重新提交")
}
