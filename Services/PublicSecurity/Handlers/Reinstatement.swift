import FoundationEssentials
import HoushiContract
import HoushiRuntime
import HoushiStorage

/// Undoing public security's work for a withdrawn notice (`death.voided`): a registration this
/// case cancelled is active again, in its household as it was; one cancelled by anything else
/// stays as it is.
enum Reinstatement {
    static func reverse(_ request: WithdrawnRequest, reason: String, context: HandlerContext) throws -> ItemReversal {
        guard request.status == "cancelled" else { return .reversed(detail: "户口未注销，无需恢复") }
        guard let household = try Register.reinstate(caseId: context.caseId, reason: reason, on: context.db) else {
            return .reversed(detail: "户口在本案之前已注销，维持原状")
        }
        context.logger.info("registration reinstated")
        return .reversed(detail: "户口已恢复（户号\(household)）")
    }
}
