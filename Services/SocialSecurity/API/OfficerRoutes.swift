import FoundationEssentials
import HoushiContract
import HoushiRuntime
import HoushiStorage
import Hummingbird

/// The social security officers' API: held pension claims and medical accounts and their
/// decisions. Every call needs an officer's bearer token; every decision is recorded with who,
/// when and why, and published.
struct OfficerRoutes: Sendable {
    static let items: [Item] = [.pension, .medicalAccount]
    static let (who, whoZh) = ("a social security officer", "社保经办人员")

    let context: ServiceContext
    let settlement: PensionSettlement

    func register(on router: Router<BasicRequestContext>) {
        router.get("/v1/held") { request, _ in
            try await context.heldList(request, items: Self.items, who: Self.who, whoZh: Self.whoZh)
        }
        router.post("/v1/held/:caseId/:item/approve") { request, requestContext in
            try await decide(request, requestContext, approve: true)
        }
        router.post("/v1/held/:caseId/:item/reject") { request, requestContext in
            try await decide(request, requestContext, approve: false)
        }
    }

    private func decide(_ request: Request, _ requestContext: BasicRequestContext, approve: Bool) async throws -> Response {
        let officer = try await authenticate(request)
        guard let caseId = requestContext.parameters.get("caseId").flatMap(UUID.init(text:)),
              let item = requestContext.parameters.get("item").flatMap(Item.init(rawValue:)), Self.items.contains(item)
        else { throw APIError.notFound }
        let reason = try await DecisionReason.read(from: request)
        var logger = context.logger
        logger[metadataKey: "case"] = "\(caseId.lowercased)"
        logger[metadataKey: "officer"] = "\(officer)"
        let outcome = try await ClaimReview(context: context, settlement: settlement)
            .decide(caseId: caseId, item: item, approve: approve, officer: officer, reason: reason, logger: logger)
        return try Response.json(["caseId": caseId.lowercased, "item": item.rawValue, "outcome": outcome,
                                  "decidedBy": officer])
    }

    private func authenticate(_ request: Request) async throws -> String {
        try await context.authenticateOperator(request, who: Self.who, whoZh: Self.whoZh)
    }
}
