import FoundationEssentials
import HoushiContract
import HoushiRuntime
import HoushiStorage
import Logging

/// An officer's decision on a held pension claim or medical account, the same from the JSON
/// route and the page: approve (settle now) or reject to the offline process. Recorded with
/// who, when and why, and published.
struct ClaimReview: Sendable {
    let context: ServiceContext
    let settlement: PensionSettlement

    /// Returns `settled`, `rejected`, or `reversed` for a withdrawal's hold; throws `APIError` when the item is not held (409), the
    /// case unknown (404), or the claim still cannot be settled (409).
    func decide(caseId: UUID, item: Item, approve: Bool, officer: String, reason: String, logger: Logger) async throws
        -> String {
        let settlement = settlement
        switch (item, approve) {
        case (.pension, true):
            return try await context.decideHeld(
                item: .pension, caseId: caseId, as: PensionClaimRequested.self, approved: true, officer: officer,
                reason: reason, logger: logger
            ) { _, handling in
                guard let pending = try PensionClaims.pending(among: [caseId], status: "held", on: handling.db).first else {
                    throw APIError(status: .conflict, code: "not-held", message: "the claim is not held",
                                   messageZh: "该申请已不在待审核状态。")
                }
                switch try SocialSecurity.settle(pending.settlementInput, rules: settlement.rules) {
                case .held(_, let why):
                    throw APIError(status: .conflict, code: "cannot-settle", message: why,
                                   messageZh: "仍无法结算：\(why)")
                case .settled(let figures):
                    try settlement.record(figures, of: pending, context: handling)
                    return "settled"
                }
            } ?? "reversed"
        case (.medicalAccount, true):
            return try await context.decideHeld(
                item: .medicalAccount, caseId: caseId, as: MedicalAccountSettlementRequested.self, approved: true,
                officer: officer, reason: reason, logger: logger
            ) { request, handling in
                try MedicalAccountSettlement.settle(
                    request, reminder: "经人社部门审核（\(reason)），医保个人帐户余额已清算。" + MedicalAccountDecision.inheritanceReminder,
                    context: handling)
                return "settled"
            } ?? "reversed"
        default:
            return try await context.decideHeld(
                item: item, caseId: caseId, as: JSONValue.self, approved: false, officer: officer, reason: reason,
                logger: logger
            ) { _, handling in
                try handling.reject(item, reasonCode: "rejected-on-review", reason: reason)
                return "rejected"
            } ?? "reversed"
        }
    }
}
