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
            _ = try await authenticate(request)
            return try Response.json(["held": try await context.withDatabase { db in
                try HeldItems.open(items: [.cremation], on: db)
            }])
        }
        router.post("/v1/held/:caseId/approve") { request, requestContext in
            try await approve(request, caseId: requestContext.parameters.get("caseId"))
        }
        router.post("/v1/held/:caseId/reject") { request, requestContext in
            try await reject(request, caseId: requestContext.parameters.get("caseId"))
        }
    }

    /// `GET /v1/pickups?date=YYYY-MM-DD` (default today, Asia/Shanghai).
    private func pickups(_ request: Request) async throws -> Response {
        _ = try await authenticate(request)
        let day = request.uri.queryParameters["date"].map { String($0) } ?? Timestamp.now().beijingDate.description
        guard CalendarDate(day) != nil else {
            throw APIError.invalid([FieldError(field: "date", message: "must be YYYY-MM-DD", messageZh: "日期格式须为YYYY-MM-DD")])
        }
        let list = try await context.withDatabase { db in
            try db.execute("""
                SELECT json_agg(json_build_object(
                    'caseId', p.case_id, 'address', p.address, 'status', p.status,
                    'requestedAt', to_char(p.requested_at AT TIME ZONE 'Asia/Shanghai', 'YYYY-MM-DD"T"HH24:MI:SS"+08:00"'),
                    'funeralHome', p.funeral_home_code, 'certificateNumber', c.number, 'deceasedName', c.deceased_name)
                    ORDER BY p.requested_at)::text AS list
                FROM pickups p JOIN cremation_certificates c ON c.case_id = p.case_id
                WHERE (p.requested_at AT TIME ZONE 'Asia/Shanghai')::date = $1::date
                """, [day]).first?["list"] ?? "[]"
        }
        return Response(status: .ok, headers: [.contentType: "application/json; charset=utf-8"],
                        body: .init(byteBuffer: ByteBuffer(string: #"{"date":"\#(day)","pickups":\#(list)}"#)))
    }

    private func confirmPickup(_ request: Request, caseId text: String?) async throws -> Response {
        let staff = try await authenticate(request)
        let caseId = try Self.caseId(text)
        let confirmed = try await context.withDatabase { db in
            try db.execute("""
                UPDATE pickups SET status = 'confirmed', confirmed_by = $2, confirmed_at = now()
                WHERE case_id = $1 AND status = 'requested'
                """, [caseId, staff]).affectedRows == 1
        }
        guard confirmed else {
            throw APIError(status: .conflict, code: "not-pending", message: "the case has no pickup waiting for confirmation")
        }
        logger(caseId, staff).info("pickup confirmed")
        return try Response.json(["caseId": caseId.lowercased, "status": "confirmed", "confirmedBy": staff])
    }

    private func recordCremation(_ request: Request, caseId text: String?) async throws -> Response {
        let staff = try await authenticate(request)
        let caseId = try Self.caseId(text)
        var request = request
        let record = try await request.decodeJSON(CremationRecord.self, limit: 8 * 1024)
        let logger = logger(caseId, staff)
        let number = try await context.withDatabase { db in
            try db.withTransaction { tx -> String in
                guard let (number, home) = try Certificates.certificate(caseId: caseId, on: tx),
                      let (cremationRequest, messageId) = try CaseLedger.request(
                          item: .cremation, caseId: caseId, as: CremationRequested.self, on: tx)
                else { throw APIError(status: .notFound, code: "not-found", message: "the case has no cremation certificate") }
                let problems = record.problems(diedAt: cremationRequest.diedAt, now: .now())
                guard problems.isEmpty else {
                    throw APIError.invalid(problems.map { FieldError(field: $0.field, message: $0.english, messageZh: $0.chinese) })
                }
                guard try tx.execute("""
                    INSERT INTO cremations (case_id, cremated_at, ashes_placement, ashes_place_name, recorded_by)
                    VALUES ($1, $2::timestamptz, $3, $4, $5) ON CONFLICT (case_id) DO NOTHING
                    """, [caseId, record.crematedAt.rfc3339, record.ashes.placement.rawValue, record.ashes.placeName,
                          staff]).affectedRows == 1
                else { throw APIError(status: .conflict, code: "already-recorded", message: "the cremation is recorded already") }
                try CaseLedger.setStatus("cremated", item: .cremation, caseId: caseId, on: tx)
                try HandlerContext(db: tx, logger: logger, department: .civilAffairs, caseId: caseId,
                                   causationId: messageId, trace: .start())
                    .emit(.cremationCompleted, CremationCompleted(certificateNumber: number, funeralHome: home.reference,
                                                                  crematedAt: record.crematedAt, ashes: record.ashes))
                return number
            }
        }
        logger.info("cremation recorded", metadata: ["certificate": "\(number)"])
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
        let logger = logger(caseId, staff)
        try await context.decideHeld(item: .cremation, caseId: caseId, as: CremationRequested.self, approved: true,
                                     officer: staff, reason: reason, logger: logger) { cremation, handling in
            let tx = handling.db
            let home = try approval.funeralHomeCode.map { try FuneralHomes.withCode($0, on: tx) }
                ?? (cremation.body.funeralHomeName.map { try FuneralHomes.named($0, on: tx) } ?? FuneralHomes.pickupHome(on: tx))
            guard let home, home.local else {
                throw APIError.invalid([FieldError(field: "funeralHomeCode", message: "must name a registered local funeral home",
                                                   messageZh: "须为已登记的本市殡仪馆")])
            }
            try Certificates.issue(caseId: caseId, request: cremation, home: home, pickup: cremation.body.pickup,
                                   issuedBy: staff, context: handling)
        }
        return try Response.json(["caseId": caseId.lowercased, "outcome": "certified", "decidedBy": staff])
    }

    private func reject(_ request: Request, caseId text: String?) async throws -> Response {
        let staff = try await authenticate(request)
        let caseId = try Self.caseId(text)
        let reason = try await DecisionReason.read(from: request)
        try await context.decideHeld(item: .cremation, caseId: caseId, as: CremationRequested.self, approved: false,
                                     officer: staff, reason: reason, logger: logger(caseId, staff)) { _, handling in
            try handling.reject(.cremation, reasonCode: "rejected-on-review", reason: reason)
        }
        return try Response.json(["caseId": caseId.lowercased, "outcome": "rejected", "decidedBy": staff])
    }

    private func authenticate(_ request: Request) async throws -> String {
        try await context.authenticateOperator(request, who: "funeral home staff")
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
