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

extension Certificates {
    /// The case's certificate number and when its body was cremated, if it was, locked for this transaction.
    static func cremationRecord(caseId: UUID, on db: PostgresConnection) throws -> (number: String, crematedAt: Timestamp?)? {
        try db.execute("""
            SELECT c.number, \(beijingTimeSQL("k.cremated_at")) AS cremated_at
            FROM cremation_certificates c LEFT JOIN cremations k USING (case_id)
            WHERE c.case_id = $1 AND c.revoked_at IS NULL FOR UPDATE OF c
            """, [caseId]).first.map { (try $0.string("number"), $0.timestamp("cremated_at")) }
    }

    /// Revokes the case's certificate and cancels its pickup if not yet confirmed; returns
    /// whether a pickup was cancelled.
    static func revoke(caseId: UUID, reason: String, on db: PostgresConnection) throws -> Bool {
        try db.execute("""
            UPDATE cremation_certificates SET revoked_at = now(), revoked_reason = $2 WHERE case_id = $1 AND revoked_at IS NULL
            """, [caseId, reason])
        return try db.execute("UPDATE pickups SET status = 'cancelled' WHERE case_id = $1 AND status = 'requested'",
                              [caseId]).affectedRows == 1
    }
}

extension Certificates {
    /// Moves a pickup not yet confirmed to a corrected address and time; returns whether it did.
    static func movePickup(caseId: UUID, address: String, at time: Timestamp, on db: PostgresConnection) throws -> Bool {
        try db.execute("""
            UPDATE pickups SET address = $2, requested_at = $3::timestamptz WHERE case_id = $1 AND status = 'requested'
            """, [caseId, address, time.rfc3339]).affectedRows == 1
    }
}
