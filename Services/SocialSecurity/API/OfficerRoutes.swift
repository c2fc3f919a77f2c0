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

    let context: ServiceContext
    let settlement: PensionSettlement

    func register(on router: Router<BasicRequestContext>) {
        router.get("/v1/held") { request, _ in
            _ = try await authenticate(request)
            let held = try await context.withDatabase { db in try HeldItems.open(items: Self.items, on: db) }
            return try Response.json(["held": held])
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
        let settlement = settlement
        let outcome: String
        switch (item, approve) {
        case (.pension, true):
            outcome = try await context.decideHeld(
                item: .pension, caseId: caseId, as: PensionClaimRequested.self, approved: true, officer: officer,
                reason: reason, logger: logger
            ) { _, handling in
                guard let pending = try PensionClaims.pending(among: [caseId], status: "held", on: handling.db).first
                else { throw APIError(status: .conflict, code: "not-held", message: "the claim is not held") }
                switch try SocialSecurity.settle(pending.settlementInput, rules: settlement.rules) {
                case .held(_, let why):
                    throw APIError(status: .conflict, code: "cannot-settle", message: why)
                case .settled(let figures):
                    try settlement.record(figures, of: pending, context: handling)
                    return "settled"
                }
            }
        case (.medicalAccount, true):
            outcome = try await context.decideHeld(
                item: .medicalAccount, caseId: caseId, as: MedicalAccountSettlementRequested.self, approved: true,
                officer: officer, reason: reason, logger: logger
            ) { request, handling in
                try MedicalAccountSettlement.settle(
                    request, reminder: "经人社部门审核（\(reason)），医保个人帐户余额已清算。" + MedicalAccountDecision.inheritanceReminder,
                    context: handling)
                return "settled"
            }
        default:
            outcome = try await context.decideHeld(
                item: item, caseId: caseId, as: JSONValue.self, approved: false, officer: officer, reason: reason,
                logger: logger
            ) { _, handling in
                try handling.reject(item, reasonCode: "rejected-on-review", reason: reason)
                return "rejected"
            }
        }
        return try Response.json(["caseId": caseId.lowercased, "item": item.rawValue, "outcome": outcome,
                                  "decidedBy": officer])
    }

    private func authenticate(_ request: Request) async throws -> String {
        try await context.authenticateOperator(request, who: "a social security officer")
    }
}
