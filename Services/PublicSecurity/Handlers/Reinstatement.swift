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

extension Register {
    /// Reinstates the registration cancelled for `caseId`: the resident active again (their
    /// household and relation to its head were never changed), the cancellation moved to
    /// `reinstatements`; returns the household number, or nil when the case cancelled nothing.
    static func reinstate(caseId: UUID, reason: String, on db: PostgresConnection) throws -> String? {
        try db.execute("""
            WITH undone AS (
                DELETE FROM cancellations WHERE case_id = $1
                RETURNING case_id, id_number, household_number, certificate_number, cancelled_at, decided_by),
            kept AS (
                INSERT INTO reinstatements (case_id, id_number, household_number, certificate_number, cancelled_at,
                                            cancelled_by, reason)
                SELECT case_id, id_number, household_number, certificate_number, cancelled_at, decided_by, $2 FROM undone),
            active AS (
                UPDATE residents r SET status = 'active', updated_at = now()
                FROM undone u WHERE r.id_number = u.id_number
                RETURNING r.household_number)
            SELECT household_number FROM active
            """, [caseId, reason]).first.map { try $0.string("household_number") }
    }
}

extension Register {
    /// Keeps a corrected certificate number on the case's cancellation (the only fact of a
    /// correction the cancellation holds).
    static func correctCancellation(caseId: UUID, certificateNumber: String, on db: PostgresConnection) throws {
        try db.execute("UPDATE cancellations SET certificate_number = $2 WHERE case_id = $1", [caseId, certificateNumber])
    }
}
