import FoundationEssentials
import HoushiContract
import HoushiRuntime
import HoushiStorage
import Hummingbird
import Logging

/// The funeral home staff's API: the day's pickups, confirming one, recording a cremation and
/// the ashes placement (which publishes `cremation.completed`), and deciding held requests.
/// Every call needs a staff bearer token.
struct StaffRoutes: Sendable {
    let context: ServiceContext
    var work: CremationWork { CremationWork(context: context) }
    static let (who, whoZh) = ("funeral home staff", "殡仪馆工作人员")

    /// An approval may name the funeral home that takes the body.
    struct Approval: Decodable, Sendable {
        let reason: String
        let funeralHomeCode: String?
    }

    func register(on router: Router<BasicRequestContext>) {
        router.get("/v1/pickups") { request, _ in try await pickups(request) }
        router.post("/v1/pickups/:caseId/confirm") { request, requestContext in
            try await confirmPickup(request, caseId: requestContext.parameters.get("caseId"))
        }
        router.post("/v1/cremations/:caseId") { request, requestContext in
            try await recordCremation(request, caseId: requestContext.parameters.get("caseId"))
        }
        router.get("/v1/held") { request, _ in
            try await context.heldList(request, items: [.cremation], who: Self.who, whoZh: Self.whoZh)
        }
        router.post("/v1/held/:caseId/approve") { request, requestContext in
            try await approve(request, caseId: requestContext.parameters.get("caseId"))
        }
        router.post("/v1/held/:caseId/reject") { request, requestContext in
            try await reject(request, caseId: requestContext.parameters.get("caseId"))
        }
    }

    /// `GET /v1/pickups?date=YYYY-MM-DD&page=N` (default today, Asia/Shanghai; page 1).
    private func pickups(_ request: Request) async throws -> Response {
        let staff = try await authenticate(request)
        let scope = try await self.scope(of: staff)
        let text = request.uri.queryParameters["date"].map { String($0) } ?? Timestamp.now().beijingDate.description
        let day = CalendarDate(text)
        let page = PageQuery.parse(request, size: CremationWork.pickupPageSize)
        let problems = (day == nil ? [FieldError(field: "date", message: "must be YYYY-MM-DD", messageZh: "日期格式须为YYYY-MM-DD")] : [])
            + (page == nil ? [PageQuery.problem] : [])
        guard problems.isEmpty, let day, let page else { throw APIError.invalid(problems) }
        return try Response.json(PickupList(date: day.description, page: try await work.pickups(on: day, page: page, scope: scope,
                                                                                        readBy: .apiOperator(name: staff))))
    }

    /// The day and one page of its pickups.
    private struct PickupList: Encodable {
        let date: String
        let page: Page<CremationWork.PickupEntry>

        enum CodingKeys: String, CodingKey { case date }

        func encode(to encoder: any Encoder) throws {
            try page.encode(to: encoder)
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(date, forKey: .date)
        }
    }

    private func confirmPickup(_ request: Request, caseId text: String?) async throws -> Response {
        let staff = try await authenticate(request)
        let caseId = try Self.caseId(text)
        try await work.confirmPickup(caseId: caseId, scope: try await scope(of: staff), by: staff, logger: logger(caseId, staff))
        return try Response.json(["caseId": caseId.lowercased, "status": "confirmed", "confirmedBy": staff])
    }

    private func recordCremation(_ request: Request, caseId text: String?) async throws -> Response {
        let staff = try await authenticate(request)
        let caseId = try Self.caseId(text)
        var request = request
        let record = try await request.decodeJSON(CremationRecord.self, limit: 8 * 1024)
        let number = try await work.recordCremation(caseId: caseId, record: record, scope: try await scope(of: staff), by: staff,
                                                    logger: logger(caseId, staff))
        return try Response.json(["caseId": caseId.lowercased, "certificateNumber": number, "recordedBy": staff],
                                 status: .created)
    }

    private func approve(_ request: Request, caseId text: String?) async throws -> Response {
        let staff = try await authenticate(request)
        let caseId = try Self.caseId(text)
        var request = request
        let approval = try await request.decodeJSON(Approval.self, limit: 8 * 1024)
        let reason = approval.reason.trimmingWhitespace
        guard !reason.isEmpty else {
            throw APIError.invalid([FieldError(field: "reason", message: "is required", messageZh: "须填写理由")])
        }
        try await work.approve(caseId: caseId, reason: reason, funeralHomeCode: approval.funeralHomeCode, by: staff,
                               logger: logger(caseId, staff))
        return try Response.json(["caseId": caseId.lowercased, "outcome": "certified", "decidedBy": staff])
    }

    private func reject(_ request: Request, caseId text: String?) async throws -> Response {
        let staff = try await authenticate(request)
        let caseId = try Self.caseId(text)
        let reason = try await DecisionReason.read(from: request)
        try await work.reject(caseId: caseId, reason: reason, by: staff, logger: logger(caseId, staff))
        return try Response.json(["caseId": caseId.lowercased, "outcome": "rejected", "decidedBy": staff])
    }

    private func authenticate(_ request: Request) async throws -> String {
        try await context.authenticateOperator(request, who: Self.who, whoZh: Self.whoZh)
    }

    /// The funeral homes whose work an operator sees: theirs, when assigned to one.
    private func scope(of staff: String) async throws -> FuneralHomeScope {
        try await context.withDatabase { db in try FuneralHomeStaff.scope(of: .operator, staff, on: db) }
    }

    private func logger(_ caseId: UUID, _ staff: String) -> Logger {
        var logger = context.logger
        logger[metadataKey: "case"] = "\(caseId.lowercased)"
        logger[metadataKey: "staff"] = "\(staff)"
        return logger
    }

    private static func caseId(_ text: String?) throws -> UUID {
        guard let caseId = text.flatMap(UUID.init(text:)) else { throw APIError.notFound }
        return caseId
    }
}

extension BodyLocation {
    var funeralHomeName: String? {
        if case .atFuneralHome(let name) = self { return name }
        return nil
    }

    var pickup: Pickup? {
        if case .pickup(let address, let at) = self { return Pickup(address: address, at: at) }
        return nil
    }
}
