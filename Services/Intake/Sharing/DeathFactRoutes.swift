import FoundationEssentials
import HoushiContract
import HoushiRuntime
import HoushiStorage
import Hummingbird

/// The death facts for departments that cannot consume a queue (数据共享), with a data consumer's
/// token (`intake data-consumers add`) and a stated purpose; every question is recorded with
/// its answer's size in the transaction that reads the facts.
///
/// - `GET /v1/facts/deaths/{idNumber}?purpose=…`: `{"deceased": true, "fact": {…}}`, or
///   `{"deceased": false}` when no death is recorded for the number.
/// - `GET /v1/facts/deaths?since=RFC3339&page=N&purpose=…`: the deaths recorded since then, oldest
///   first, 100 a page, for batch reconciliation.
struct DeathFactRoutes: Sendable {
    let context: ServiceContext
    static let pageSize = 100

    func register(on router: Router<BasicRequestContext>) {
        router.get("/v1/facts/deaths/:idNumber") { request, requestContext in
            try await person(request, idNumber: requestContext.parameters.get("idNumber") ?? "")
        }
        router.get("/v1/facts/deaths") { request, _ in try await range(request) }
    }

    private func person(_ request: Request, idNumber text: String) async throws -> Response {
        let consumer = try await authenticate(request)
        var problems: [FieldError] = []
        let purpose = Self.purpose(of: request, problems: &problems)
        let idNumber: String
        do {
            idNumber = try ResidentIDNumber(text).value
        } catch {
            problems.append(FieldError(field: "idNumber", message: error.english, messageZh: error.chinese))
            throw APIError.invalid(problems)
        }
        guard problems.isEmpty else { throw APIError.invalid(problems) }
        let fact = try await context.withDatabase { db in
            try db.withTransaction { tx -> DeathFact? in
                let fact = try tx.execute(DeathFact.selectSQL + " AND c.deceased_id_number = $1", [idNumber]).first
                    .map(DeathFact.init(row:))
                try DataConsumers.record(.person(idNumber: idNumber), by: consumer, purpose: purpose,
                                         answered: fact == nil ? 0 : 1, on: tx)
                return fact
            }
        }
        context.logger.info("death fact asked", metadata: ["consumer": "\(consumer.code)",
                                                           "idNumber": "\(Redact.idNumber(idNumber))",
                                                           "deceased": "\(fact != nil)"])
        return try Response.json(PersonAnswer(deceased: fact != nil, fact: fact))
    }

    private func range(_ request: Request) async throws -> Response {
        let consumer = try await authenticate(request)
        var problems: [FieldError] = []
        let purpose = Self.purpose(of: request, problems: &problems)
        let since = request.uri.queryParameters["since"].map(String.init).flatMap { Timestamp(rfc3339: $0) }
        if since == nil {
            problems.append(FieldError(field: "since", message: "must be a time with its offset, e.g. 2026-12-01T00:00:00+08:00",
                                       messageZh: "须为带时区的时间，如2026-12-01T00:00:00+08:00"))
        }
        let page = PageQuery.parse(request, size: Self.pageSize)
        if page == nil { problems.append(PageQuery.problem) }
        guard problems.isEmpty, let since, let page else { throw APIError.invalid(problems) }
        let (total, facts) = try await context.withDatabase { db in
            try db.withTransaction { tx -> (Int, [DeathFact]) in
                let recordedSince = " AND c.created_at >= $1::timestamptz"
                let total = try tx.execute("SELECT count(*) AS count FROM (\(DeathFact.selectSQL + recordedSince)) f",
                                           [since.rfc3339]).first?.int("count") ?? 0
                let facts = try tx.execute(DeathFact.selectSQL + recordedSince + " ORDER BY c.created_at, c.case_id LIMIT $2 OFFSET $3",
                                           [since.rfc3339, page.size, page.offset]).rows.map(DeathFact.init(row:))
                try DataConsumers.record(.range(since: since.rfc3339, page: page.page), by: consumer, purpose: purpose,
                                         answered: facts.count, on: tx)
                return (total, facts)
            }
        }
        context.logger.info("death facts listed", metadata: ["consumer": "\(consumer.code)", "count": "\(facts.count)"])
        return try Response.json(Page("deaths", page, total: total, items: facts))
    }

    private struct PersonAnswer: Encodable {
        let deceased: Bool
        let fact: DeathFact?
    }

    /// `purpose`: why the department asks (recorded with the question), 2 to 200 characters.
    private static func purpose(of request: Request, problems: inout [FieldError]) -> String {
        let purpose = request.uri.queryParameters["purpose"]?.trimmingWhitespace ?? ""
        if !(2...200).contains(purpose.count) {
            problems.append(FieldError(field: "purpose", message: "state why you ask, 2 to 200 characters",
                                       messageZh: "请说明查询事由（2至200字）"))
        }
        return purpose
    }

    private func authenticate(_ request: Request) async throws -> DataConsumers.Consumer {
        guard let token = request.bearerToken, let consumer = try await context.withDatabase({ db in
            try DataConsumers.authenticate(token: token, on: db)
        }) else { throw APIError.unauthorized("a data consumer (a department sharing death facts)", "数据共享部门") }
        return consumer
    }
}
