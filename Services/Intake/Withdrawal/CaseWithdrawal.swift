import FoundationEssentials
import HoushiContract
import HoushiRuntime
import HoushiStorage
import Logging

/// Withdrawing a notice (撤回): the case marked withdrawn with who, when and why, `death.voided`
/// published for every department to undo its work, the family told by SMS; in one transaction.
/// The hospital that posted it (through the API or its staff's page) or an intake administrator
/// (`intake cases withdraw`) withdraws it.
struct CaseWithdrawal: Sendable {
    let context: ServiceContext

    /// How a withdrawal ended.
    enum Outcome: Sendable, Equatable {
        /// Withdrawn now; the departments are undoing their work.
        case withdrawn
        /// It was withdrawn before: nothing changed.
        case alreadyWithdrawn
    }

    /// The longest reason kept, for a withdrawal or a correction.
    static let reasonLimit = 200

    /// Checks the reason for a change of the notice: present and at most `reasonLimit`
    /// characters. `action` names the change (`withdrawn`, 撤回).
    static func problems(reason: String, action: (english: String, chinese: String) = ("withdrawn", "撤回"))
        -> [FieldError] {
        let reason = reason.trimmingWhitespace
        if reason.isEmpty {
            return [FieldError(field: "reason", message: "is required: why the notice is \(action.english)",
                               messageZh: "请填写\(action.chinese)原因")]
        }
        if reason.count > reasonLimit {
            return [FieldError(field: "reason", message: "must be at most \(reasonLimit) characters",
                               messageZh: "\(action.chinese)原因不能超过\(reasonLimit)字")]
        }
        return []
    }

    /// Withdraws the case, if it belongs to `institutionCode` (any institution's when nil);
    /// `withdrawnBy` names who, as the case and `death.voided` record it. Throws
    /// `APIError.notFound` for an unknown case and `APIError.invalid` for a bad reason.
    func withdraw(caseId: UUID, institutionCode: String?, withdrawnBy: String, reason: String,
                  trace: TraceParent) async throws -> Outcome {
        let problems = Self.problems(reason: reason)
        guard problems.isEmpty else { throw APIError.invalid(problems, code: "invalid-withdrawal", message: "the withdrawal has errors") }
        let reason = reason.trimmingWhitespace
        let (outcome, messages) = try await context.withDatabase { db in
            try db.withTransaction { tx in
                try Self.withdraw(caseId: caseId, institutionCode: institutionCode, withdrawnBy: withdrawnBy,
                                  reason: reason, trace: trace, claimedFor: OutboxPublisher.claim, on: tx)
            }
        }
        context.publisher.handOver(messages)
        var logger = context.logger
        logger[metadataKey: "case"] = "\(caseId.lowercased)"
        logger[metadataKey: "trace_id"] = "\(trace.traceId)"
        logger.info(outcome == .withdrawn ? "case withdrawn" : "case was withdrawn before",
                    metadata: ["withdrawn_by": "\(withdrawnBy)"])
        return outcome
    }

    /// Withdraws the case in the caller's transaction; returns the outcome and the outbox rows of
    /// `death.voided` and the public `death.withdrawn`, claimed for `claim` (nil: left to
    /// the relay of a running intake's outbox publisher, within its poll).
    static func withdraw(caseId: UUID, institutionCode: String?, withdrawnBy: String, reason: String,
                         trace: TraceParent, claimedFor claim: Duration?,
                         on tx: PostgresConnection) throws -> (Outcome, [OutboxMessage]) {
        guard let row = try tx.execute("""
            WITH found AS (
                SELECT case_id, status FROM cases WHERE case_id = $1 AND ($2::text IS NULL OR institution_code = $2)
                FOR NO KEY UPDATE),
            withdrawn AS (
                UPDATE cases c SET status = 'withdrawn', withdrawn_at = now(), withdrawn_by = $3, withdrawal_reason = $4
                FROM found f WHERE c.case_id = f.case_id AND f.status <> 'withdrawn'
                RETURNING c.notice->'applicant'->>'phone' AS phone, c.notice->'deceased'->>'name' AS name,
                          c.deceased_id_number AS id_number)
            SELECT w.phone, w.name, w.id_number FROM found f LEFT JOIN withdrawn w ON true
            """, [caseId, institutionCode, withdrawnBy, reason]).first
        else { throw APIError.notFound }
        guard let phone = row["phone"], let name = row["name"], let idNumber = row["id_number"] else {
            return (.alreadyWithdrawn, [])
        }
        let now = Timestamp.now()
        let voided = Envelope(type: .deathVoided, caseId: caseId, causationId: nil, producer: .intake,
                              payload: DeathVoided(reason: reason, voidedAt: now, voidedBy: withdrawnBy))
        let message = try voided.outboxMessage(trace: trace)
        // Subscribers outside learn that the death is no fact; not why (the reason may name people).
        let withdrawn = try Envelope(type: PublicFacts.deathWithdrawn, caseId: caseId, causationId: voided.id, producer: .intake,
                                     payload: DeathWithdrawn(idNumber: idNumber, withdrawnAt: now)).outboxMessage(trace: trace.child())
        try Outbox.enqueue([message, withdrawn], claimedFor: claim, on: tx)
        try CaseStore.recordOwnEvents([(voided.header, message.body)], on: tx)
        try OutcomeStore.queueCaseSMS(EndedCase(caseId: caseId, phone: phone, deceased: name, items: []),
                                      text: FamilyTexts.message(deceased: name, FamilyTexts.withdrawal),
                                      cause: "withdrawn", on: tx)
        return (.withdrawn, [message, withdrawn])
    }
}
