import FoundationEssentials
import HoushiContract
import HoushiRuntime
import HoushiStorage
import Logging

/// Correcting a notice (更正), in one transaction: the case's notice replaced (what it was kept
/// in `case_corrections` with who, when, why and what changed), `death.corrected` published with
/// the changed fields, and each item whose request changed sent to its department again as a
/// correction. The institution that posted the notice corrects it.
struct CaseCorrection: Sendable {
    let context: ServiceContext

    static let migration = Migration(version: 15, name: "corrections", sql: """
        CREATE TABLE case_corrections (
            case_id uuid NOT NULL REFERENCES cases (case_id),
            sequence integer NOT NULL,
            corrected_at timestamptz NOT NULL DEFAULT now(),
            corrected_by text NOT NULL,
            reason text NOT NULL,
            changed_fields text[] NOT NULL,
            notice_before jsonb NOT NULL,
            PRIMARY KEY (case_id, sequence));
        ALTER TABLE case_corrections ALTER COLUMN notice_before SET STATISTICS 0;
        """)

    /// Corrects the institution's case; returns the fields that changed. Throws `APIError`: 404
    /// for no such case, 409 for a withdrawn one, 422 for a bad correction (field by field).
    func correct(caseId: UUID, institution: Institution, correctedBy: String, reason: String, changes: JSONValue,
                 trace: TraceParent) async throws -> [String] {
        let problems = CaseWithdrawal.problems(reason: reason, action: ("corrected", "更正"))
        guard problems.isEmpty else { throw APIError.invalidCorrection(problems) }
        let reason = reason.trimmingWhitespace
        let (changed, messages) = try await context.withDatabase { db in
            try db.withTransaction { tx in
                try Self.correct(caseId: caseId, institution: institution, correctedBy: correctedBy, reason: reason,
                                 changes: changes, trace: trace, on: tx)
            }
        }
        context.publisher.handOver(messages)
        var logger = context.logger
        logger[metadataKey: "case"] = "\(caseId.lowercased)"
        logger.info("notice corrected", metadata: ["changed": "\(changed.joined(separator: ","))",
                                                   "requests_sent_again": "\(messages.filter { $0.exchange == Topology.eventsExchange }.count - 1)"])
        return changed
    }

    private static func correct(caseId: UUID, institution: Institution, correctedBy: String, reason: String,
                                changes: JSONValue, trace: TraceParent,
                                on tx: PostgresConnection) throws -> ([String], [OutboxMessage]) {
        guard let row = try tx.execute("""
            SELECT notice::text AS notice, status,
                   (SELECT coalesce(max(sequence), 0) FROM case_corrections k WHERE k.case_id = c.case_id) AS corrections
            FROM cases c WHERE case_id = $1 AND institution_code = $2 FOR NO KEY UPDATE
            """, [caseId, institution.code]).first
        else { throw APIError.notFound }
        guard try row.string("status") != "withdrawn" else { throw APIError.caseWithdrawn }
        let before = try row.string("notice")
        let stored = try JSONDecoder().decode(DeathNotice.self, from: Data(before.utf8))
        let (notice, changed) = try NoticeCorrection.apply(changes, to: stored, localInstitution: institution.local,
                                                           now: .now()).get()
        let sequence = try row.int("corrections") + 1
        let now = Timestamp.now()
        let document = String(decoding: try MessageCodec().encodeValue(notice), as: UTF8.self)
        try tx.execute("""
            UPDATE cases SET notice = $2::jsonb, notice_sha256 = sha256(convert_to($2::text, 'UTF8')) WHERE case_id = $1
            """, [caseId, document])
        try tx.execute("""
            INSERT INTO case_corrections (case_id, sequence, corrected_at, corrected_by, reason, changed_fields, notice_before)
            VALUES ($1, $2, $3::timestamptz, $4, $5, $6::text[], $7::jsonb)
            """, [caseId, sequence, now.rfc3339, correctedBy, reason, SQLArray(changed), before])
        let corrected = Envelope(type: .deathCorrected, caseId: caseId, producer: .intake, payload: DeathCorrected(
            reason: reason, correctedAt: now, correctedBy: correctedBy, sequence: sequence, changedFields: changed,
            diedAt: changed.contains("deceased.diedAt") ? notice.deceased.diedAt : nil,
            mannerOfDeath: changed.contains("deceased.mannerOfDeath") ? notice.deceased.mannerOfDeath : nil,
            certificate: changed.contains { $0.hasPrefix("certificate.") } ? notice.certificate : nil,
            residenceTownship: changed.contains("deceased.residenceTownship") ? notice.deceased.residenceTownship : nil))
        let correctedMessage = try corrected.outboxMessage(trace: trace)
        let requests = try changedRequests(from: stored, to: notice, caseId: caseId, institution: institution,
                                           correction: RequestCorrection(sequence: sequence, reason: reason, correctedAt: now,
                                                                         changedFields: changed),
                                           trace: trace, on: tx)
        // The public fact again, when the correction changed it.
        let recorded = try NoticeMessages.recorded(notice, caseId: caseId, causationId: corrected.id)
        let factChanged = try recorded.payload != NoticeMessages.recorded(stored, caseId: caseId, causationId: corrected.id).payload
        let messages = [correctedMessage] + requests + (factChanged ? [try recorded.outboxMessage(trace: trace.child())] : [])
        try Outbox.enqueue(messages, claimedFor: OutboxPublisher.claim, on: tx)
        try CaseStore.recordOwnEvents([(corrected.header, correctedMessage.body)], on: tx)
        return (changed, messages)
    }

    /// The requests whose payload the correction changed, as corrections.
    private static func changedRequests(from old: DeathNotice, to new: DeathNotice, caseId: UUID, institution: Institution,
                                        correction: RequestCorrection, trace: TraceParent,
                                        on tx: PostgresConnection) throws -> [OutboxMessage] {
        let attachments = try tx.execute("""
            SELECT id, kind, sha256, seal, seal_key_id FROM attachments WHERE case_id = $1 ORDER BY created_at, id
            """, [caseId]).rows.compactMap { row -> AttachmentReference? in
            guard let kind = AttachmentKind(rawValue: try row.string("kind")) else { return nil }
            return AttachmentReference(id: try row.uuid("id"), kind: kind, sha256: try row.string("sha256"),
                                       seal: try row.string("seal"), sealKeyId: row["seal_key_id"])
        }
        let place = MedicalInstitutionRef(code: institution.code, name: institution.name)
        let before = try NoticeMessages.envelopes(for: old, caseId: caseId, place: place, attachments: attachments).requests
        let after = try NoticeMessages.envelopes(for: new, caseId: caseId, place: place, attachments: attachments,
                                                 correction: correction).requests
        return try zip(before, after).compactMap { old, new in
            let (oldMessage, newMessage) = (try old.outboxMessage(trace: trace), try new.outboxMessage(trace: trace.child()))
            return try payload(of: oldMessage, dropping: "correction") == payload(of: newMessage, dropping: "correction")
                ? nil : newMessage
        }
    }

    /// An outbox message's payload without one member.
    private static func payload(of message: OutboxMessage, dropping member: String) throws -> JSONValue? {
        guard case .object(let envelope) = try JSONDecoder().decode(JSONValue.self, from: message.body),
              case .object(var payload)? = envelope["payload"]
        else { return nil }
        payload[member] = nil
        return .object(payload)
    }
}
