import FoundationEssentials
import HoushiContract
import HoushiRuntime
import HoushiStorage
import Hummingbird

/// The officers' API: held cancellation requests and their decisions. Every call needs an
/// operator's bearer token; every decision is recorded with who, when and why, and published.
struct OperatorRoutes: Sendable {
    let context: ServiceContext
    static let (who, whoZh) = ("a public security officer", "公安民警")

    func register(on router: Router<BasicRequestContext>) {
        router.get("/v1/held") { request, _ in
            try await context.heldList(request, items: [.hukou], who: Self.who, whoZh: Self.whoZh)
        }
        router.post("/v1/held/:caseId/approve") { request, requestContext in
            try await decide(request, caseId: requestContext.parameters.get("caseId"), approve: true)
        }
        router.post("/v1/held/:caseId/reject") { request, requestContext in
            try await decide(request, caseId: requestContext.parameters.get("caseId"), approve: false)
        }
    }

    private func decide(_ request: Request, caseId text: String?, approve: Bool) async throws -> Response {
        let officer = try await authenticate(request)
        guard let caseId = text.flatMap(UUID.init(text:)) else { throw APIError.notFound }
        let reason = try await DecisionReason.read(from: request)
        var logger = context.logger
        logger[metadataKey: "case"] = "\(caseId.lowercased)"
        logger[metadataKey: "officer"] = "\(officer)"
        let outcome = try await HukouReview(context: context).decide(caseId: caseId, approve: approve, officer: officer,
                                                                     reason: reason, logger: logger)
        return try Response.json(["caseId": caseId.lowercased, "outcome": outcome, "decidedBy": officer])
    }

    private func authenticate(_ request: Request) async throws -> String {
        try await context.authenticateOperator(request, who: Self.who, whoZh: Self.whoZh)
    }
}
