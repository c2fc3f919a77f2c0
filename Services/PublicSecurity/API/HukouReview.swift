import FoundationEssentials
import HoushiContract
import HoushiRuntime
import HoushiStorage
import Logging

/// An officer's decision on a held cancellation request, the same whether it comes from the
/// JSON route or the page: approve (cancel, or confirm a cancellation made before), or reject
/// to the offline process. Recorded with who, when and why, and published.
struct HukouReview: Sendable {
    let context: ServiceContext

    /// Returns `cancelled`, `confirmed-cancelled`, `rejected`, or `reversed` for a withdrawal's hold; throws `APIError` when the case
    /// is not held (409), unknown (404), or the register allows neither (409).
    func decide(caseId: UUID, approve: Bool, officer: String, reason: String, logger: Logger) async throws -> String {
        try await context.decideHeld(
            item: .hukou, caseId: caseId, as: HukouCancellationRequested.self, approved: approve, officer: officer,
            reason: reason, logger: logger
        ) { hukouRequest, handling -> String in
            if approve {
                do {
                    return try Cancellation.approve(caseId: caseId, request: hukouRequest, officer: officer, reason: reason,
                                                    context: handling)
                } catch let conflict as RegisterConflict {
                    throw APIError(status: .conflict, code: "register-conflict", message: conflict.reason,
                                   messageZh: "户籍登记的状态不允许此操作，请核实后退回线下办理。")
                }
            }
            try handling.reject(.hukou, reasonCode: "rejected-on-review", reason: reason)
            return "rejected"
        } ?? "reversed"
    }
}
