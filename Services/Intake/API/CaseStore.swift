import FoundationEssentials
import HoushiContract
import HoushiRuntime
import HoushiStorage

/// How a posted notice ended.
enum NoticeOutcome: Sendable {
    /// A new case; its messages are in the outbox.
    case opened(UUID)
    /// The same notice again (a hospital retry): the existing case, nothing published.
    case repeated(UUID)
    /// A different notice for a deceased who already has a case.
    case conflicting(UUID)
}

/// The intake schema's cases, items and timeline.
enum CaseStore {
    /// Opens a case for `notice` with its messages in the outbox, in one transaction, or finds
    /// the case the deceased already has.
    static func open(_ notice: DeathNotice, institution: Institution, trace: TraceParent,
                     on db: PostgresConnection) throws -> NoticeOutcome {
        let document = String(decoding: try MessageCodec().encodeValue(notice), as: UTF8.self)
        return try db.withTransaction { tx in
            let caseId = UUID()
            let inserted = try tx.execute("""
                WITH opened AS (
                    INSERT INTO cases (case_id, institution_code, deceased_id_number, notice, notice_sha256)
                    VALUES ($1, $2, $3, $4::text::jsonb, sha256(convert_to($4::text, 'UTF8')))
                    ON CONFLICT (deceased_id_number) DO NOTHING
                    RETURNING case_id),
                items AS (
                    INSERT INTO case_items (case_id, item, department)
                    SELECT case_id, item, department FROM opened, unnest($5::text[], $6::text[]) AS i (item, department))
                SELECT count(*) AS opened FROM opened
                """, [caseId, institution.code, notice.deceased.idNumber.uppercased(), document,
                      SQLArray(notice.requestedItems.map(\.rawValue)),
                      SQLArray(notice.requestedItems.map(\.department.rawValue))]).first.map { try $0.int("opened") } == 1
            guard inserted else {
                // A retry is the same notice from the same institution; anything else conflicts.
                let existing = try tx.execute("""
                    SELECT case_id, notice_sha256 = sha256(convert_to($2::text, 'UTF8')) AND institution_code = $3 AS same
                    FROM cases WHERE deceased_id_number = $1
                    """, [notice.deceased.idNumber.uppercased(), document, institution.code])
                guard let row = existing.first else { throw PostgresError(message: "case vanished during insert") }
                return try row.bool("same") ? .repeated(try row.uuid("case_id")) : .conflicting(try row.uuid("case_id"))
            }
            var references: [AttachmentReference] = []
            if let attachments = notice.attachments, !attachments.isEmpty {
                let key = try Attachments.sealKey(on: tx)
                references = try attachments.map { attachment in
                    try Attachments.store(caseId: caseId, kind: attachment.kind, contentType: attachment.contentType,
                                          data: Data(base64Encoded: attachment.data) ?? Data(), key: key, on: tx)
                }
            }
            let messages = try NoticeMessages.envelopes(
                for: notice, caseId: caseId, place: MedicalInstitutionRef(code: institution.code, name: institution.name),
                attachments: references)
            let notified = try messages.notified.outboxMessage(trace: trace)
            try Outbox.enqueue([notified] + messages.requests.map { try $0.outboxMessage(trace: trace.child()) }, on: tx)
            try recordEvent(messages.notified, json: notified.body, on: tx)
            return .opened(caseId)
        }
    }

    /// Adds a message to its case's timeline, once (deferred: it goes to the server with the
    /// transaction's next statement or its COMMIT); `json` is the envelope as encoded for the outbox.
    static func recordEvent<P: Codable & Sendable>(_ envelope: Envelope<P>, json: Data, on db: PostgresConnection) throws {
        try db.executeDeferred("""
            INSERT INTO case_events (message_id, case_id, type, producer, occurred_at, payload)
            VALUES ($1, $2, $3, $4, $5::timestamptz, ($6::jsonb)->'payload') ON CONFLICT (message_id) DO NOTHING
            """, [envelope.id, envelope.caseId, envelope.messageType.routingKey, envelope.producer.rawValue,
                  envelope.occurredAt.rfc3339, String(decoding: json, as: UTF8.self)])
    }

    /// The case view as a JSON document, or nil when the case does not exist or belongs to
    /// another institution: each requested item with its department, status and result, and the
    /// timeline of every event, times in +08:00.
    static func view(caseId: UUID, institution: Institution, on db: PostgresConnection) throws -> String? {
        try db.execute("""
            SELECT json_build_object(
                'caseId', c.case_id,
                'status', c.status,
                'openedAt', to_char(c.created_at AT TIME ZONE 'Asia/Shanghai', 'YYYY-MM-DD"T"HH24:MI:SS.MS"+08:00"'),
                'items', (SELECT json_agg(json_build_object(
                              'item', i.item, 'department', i.department, 'status', i.status, 'result', i.result,
                              'updatedAt', to_char(i.updated_at AT TIME ZONE 'Asia/Shanghai', 'YYYY-MM-DD"T"HH24:MI:SS.MS"+08:00"'))
                              ORDER BY i.item)
                          FROM case_items i WHERE i.case_id = c.case_id),
                'timeline', (SELECT coalesce(json_agg(json_build_object(
                              'type', e.type, 'producer', e.producer, 'payload', e.payload,
                              'occurredAt', to_char(e.occurred_at AT TIME ZONE 'Asia/Shanghai', 'YYYY-MM-DD"T"HH24:MI:SS.MS"+08:00"'))
                              ORDER BY e.occurred_at, e.recorded_at), '[]')
                          FROM case_events e WHERE e.case_id = c.case_id))::text AS view
            FROM cases c WHERE c.case_id = $1 AND c.institution_code = $2
            """, [caseId, institution.code]).first.map { try $0.string("view") }
    }

    /// One page of the institution's cases, newest first, as a JSON document.
    static func list(institution: Institution, status: String?, page: Int, pageSize: Int,
                     on db: PostgresConnection) throws -> String {
        try db.execute("""
            WITH chosen AS (
                SELECT case_id, status, created_at, notice->'deceased'->>'name' AS deceased_name
                FROM cases WHERE institution_code = $1 AND ($2::text IS NULL OR status = $2))
            SELECT json_build_object(
                'page', $3::int, 'pageSize', $4::int, 'total', (SELECT count(*) FROM chosen),
                'cases', coalesce((SELECT json_agg(json_build_object(
                    'caseId', case_id, 'status', status, 'deceasedName', deceased_name,
                    'openedAt', to_char(created_at AT TIME ZONE 'Asia/Shanghai', 'YYYY-MM-DD"T"HH24:MI:SS.MS"+08:00"'))
                    ORDER BY created_at DESC, case_id)
                    FROM (SELECT * FROM chosen ORDER BY created_at DESC, case_id
                          LIMIT $4::int OFFSET ($3::int - 1) * $4::int) AS shown), '[]'))::text AS list
            """, [institution.code, status, page, pageSize]).first.map { try $0.string("list") } ?? "{}"
    }
}
