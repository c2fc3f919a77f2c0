import FoundationEssentials
import HoushiContract
import HoushiRuntime
import HoushiStorage

/// Undoing civil affairs' work for a withdrawn notice (`death.voided`), as `CremationReversal` decides.
enum CertificateRevocation {
    static func reverse(_ request: WithdrawnRequest, reason: String, context: HandlerContext) throws -> ItemReversal {
        let record = try Certificates.cremationRecord(caseId: context.caseId, on: context.db)
        let reversal = CremationReversal.decide(certificate: record?.number, crematedAt: record?.crematedAt)
        var pickupCancelled = false
        if case .revoke = reversal {
            pickupCancelled = try Certificates.revoke(caseId: context.caseId, reason: reason, on: context.db)
            context.logger.info("cremation certificate revoked", metadata: ["pickup_cancelled": "\(pickupCancelled)"])
        }
        return reversal.answer(pickupCancelled: pickupCancelled, now: .now())
    }
}
