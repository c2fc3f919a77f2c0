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
    /// A different notice from the institution that opened the deceased's case.
    case conflicting(UUID)
    /// A notice for a deceased whose case another institution opened: that case is not this
    /// institution's to see, so its id goes only to the log.
    case openedElsewhere(UUID)

    /// The case the response shows: none for a conflicting notice.
    var shownCase: UUID? {
        switch self {
        case .opened(let caseId), .repeated(let caseId): caseId
        case .conflicting, .openedElsewhere: nil
        }
    }
}

/// What became of a posted notice, with the case view its response shows (nil when it conflicts)
/// and the messages of a case it opened, to be published once they commit.
struct OpenedNotice: Sendable {
    let outcome: NoticeOutcome
    let view: String?
    let messages: [OutboxMessage]
}

/// A validated notice made ready to open its case: its case id chosen, the notice as stored and,
/// unless attachments must be sealed first, its messages encoded (in the request's task, not on
/// the database's thread).
struct PreparedNotice: Sendable {
    let caseId: UUID
    let notice: DeathNotice
    let institution: Institution
    /// The staff member who entered it on the page; nil for a system posting to the API.
    let enteredBy: UUID?
    let trace: TraceParent
    /// The notice as JSON, as the case keeps it.
    let document: String
    /// `death.notified` and the requests, when the notice has no attachments.
    let messages: NoticeOutboxMessages?

    init(_ notice: DeathNotice, institution: Institution, enteredBy: UUID? = nil, trace: TraceParent) throws {
        caseId = .timeOrdered()
        self.notice = notice
        self.institution = institution
        self.enteredBy = enteredBy
        self.trace = trace
        document = String(decoding: try MessageCodec().encodeValue(notice), as: UTF8.self)
        messages = notice.attachments?.isEmpty ?? true
            ? try NoticeOutboxMessages(notice, caseId: caseId, institution: institution, trace: trace, attachments: [])
            : nil
    }
}

/// A notice's messages as outbox rows: `death.notified` (whose header the timeline records)
/// first, the requests, then the public fact.
struct NoticeOutboxMessages: Sendable {
    let notified: EnvelopeHeader
    let rows: [OutboxMessage]

    init(_ notice: DeathNotice, caseId: UUID, institution: Institution, trace: TraceParent,
         attachments: [AttachmentReference]) throws {
        let messages = try NoticeMessages.envelopes(
            for: notice, caseId: caseId, place: MedicalInstitutionRef(code: institution.code, name: institution.name),
            attachments: attachments)
        notified = messages.notified.header
        rows = [try messages.notified.outboxMessage(trace: trace)]
            + (try messages.requests.map { try $0.outboxMessage(trace: trace.child()) })
            + [try messages.recorded.outboxMessage(trace: trace.child())]
    }
}

/// The intake schema's cases, items and timeline.
enum CaseStore {
    /// Opens a case for each notice whose deceased has none, with its messages in the outbox and
    /// `death.notified` on its timeline, or finds the case the deceased already has, in the
    /// caller's transaction and a few statements for all of them; returns what became of each
    /// notice, in order. The outbox rows are claimed for the requests' publisher
    /// (`OutboxPublisher`), to whom the caller hands them over after the commit.
    static func open(_ notices: [PreparedNotice], sealingWith key: SealKey, on tx: PostgresConnection) throws -> [OpenedNotice] {
        let opened = Set(try tx.execute("""
            WITH opened AS (
                INSERT INTO cases (case_id, institution_code, deceased_id_number, notice, notice_sha256, entered_by)
                SELECT case_id, institution_code, deceased_id_number, document::jsonb, sha256(convert_to(document, 'UTF8')),
                    nullif(entered_by, '')::uuid
                FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $8::text[])
                    WITH ORDINALITY AS n (case_id, institution_code, deceased_id_number, document, entered_by, position)
                ORDER BY position
                ON CONFLICT (deceased_id_number) DO NOTHING
                RETURNING case_id),
            items AS (
                INSERT INTO case_items (case_id, item, department)
                SELECT case_id, item, department FROM unnest($5::uuid[], $6::text[], $7::text[]) AS i (case_id, item, department)
                WHERE case_id IN (SELECT case_id FROM opened))
            SELECT case_id FROM opened
            """, [SQLArray(notices.map(\.caseId.lowercased)), SQLArray(notices.map(\.institution.code)),
                  SQLArray(notices.map { $0.notice.deceased.idNumber.uppercased() }), SQLArray(notices.map(\.document)),
                  SQLArray(notices.flatMap { notice in notice.notice.requestedItems.map { _ in notice.caseId.lowercased } }),
                  SQLArray(notices.flatMap { $0.notice.requestedItems.map(\.rawValue) }),
                  SQLArray(notices.flatMap { $0.notice.requestedItems.map(\.department.rawValue) }),
                  SQLArray(notices.map { $0.enteredBy?.lowercased ?? "" })]).rows.map { try $0.uuid("case_id") })
        var outcomes: [NoticeOutcome] = []
        // Each notice's messages, none for a notice that opened no case.
        var messages: [NoticeOutboxMessages?] = []
        for notice in notices {
            guard opened.contains(notice.caseId) else {
                outcomes.append(try existingCase(for: notice, on: tx))
                messages.append(nil)
                continue
            }
            outcomes.append(.opened(notice.caseId))
            messages.append(try notice.messages ?? NoticeOutboxMessages(
                notice.notice, caseId: notice.caseId, institution: notice.institution, trace: notice.trace,
                attachments: try sealAttachments(of: notice, with: key, on: tx)))
        }
        let written = messages.compactMap { $0 }
        try Outbox.enqueue(written.flatMap(\.rows), claimedFor: OutboxPublisher.claim, on: tx)
        try recordNotified(written, on: tx)
        let views = try self.views(of: zip(notices, outcomes).compactMap { notice, outcome in
            outcome.shownCase.map { ($0, notice.institution.code) }
        }, on: tx)
        return zip(outcomes, messages).map { outcome, messages in
            OpenedNotice(outcome: outcome, view: outcome.shownCase.flatMap { views[$0] }, messages: messages?.rows ?? [])
        }
    }

    /// The case a notice's deceased already has: a retry is the same notice from the same
    /// institution; anything else conflicts.
    private static func existingCase(for notice: PreparedNotice, on tx: PostgresConnection) throws -> NoticeOutcome {
        let existing = try tx.execute("""
            SELECT case_id, institution_code = $3 AS ours, notice_sha256 = sha256(convert_to($2::text, 'UTF8')) AS same
            FROM cases WHERE deceased_id_number = $1
            """, [notice.notice.deceased.idNumber.uppercased(), notice.document, notice.institution.code])
        guard let row = existing.first else { throw PostgresError(message: "case vanished during insert") }
        let caseId = try row.uuid("case_id")
        guard try row.bool("ours") else { return .openedElsewhere(caseId) }
        return try row.bool("same") ? .repeated(caseId) : .conflicting(caseId)
    }

    /// Stores and seals the notice's attachments for its case; returns their references.
    private static func sealAttachments(of notice: PreparedNotice, with key: SealKey,
                                        on tx: PostgresConnection) throws -> [AttachmentReference] {
        guard let attachments = notice.notice.attachments, !attachments.isEmpty else { return [] }
        return try attachments.map { attachment in
            try Attachments.store(caseId: notice.caseId, kind: attachment.kind, contentType: attachment.contentType,
                                  data: Data(base64Encoded: attachment.data) ?? Data(), addedBy: notice.enteredBy,
                                  key: key, on: tx)
        }
    }

    /// Adds each case's `death.notified` to its timeline.
    private static func recordNotified(_ messages: [NoticeOutboxMessages], on tx: PostgresConnection) throws {
        try recordOwnEvents(messages.map { ($0.notified, $0.rows[0].body) }, on: tx)
    }

    /// Adds intake's own events to their cases' timelines (deferred: it goes to the server with
    /// the transaction's next statement or its COMMIT), each payload taken from its envelope.
    static func recordOwnEvents(_ events: [(header: EnvelopeHeader, envelope: Data)], on tx: PostgresConnection) throws {
        guard !events.isEmpty else { return }
        try tx.executeDeferred("""
            INSERT INTO case_events (message_id, case_id, type, producer, occurred_at, payload)
            SELECT message_id, case_id, type, producer, occurred_at, $6::jsonb -> (position::int - 1) -> 'payload'
            FROM unnest($1::uuid[], $2::uuid[], $3::text[], $4::text[], $5::timestamptz[])
                WITH ORDINALITY AS e (message_id, case_id, type, producer, occurred_at, position)
            ON CONFLICT (message_id) DO NOTHING
            """, timelineParameters(events.map(\.header),
                                    envelopes: events.map { String(decoding: $0.envelope, as: UTF8.self) }))
    }

    /// The first six parameters of a statement that adds timeline rows for envelopes: their ids,
    /// case ids, routing keys, producers and times as arrays, then the envelopes as one JSON array
    /// (a row's payload is `$6::jsonb -> (position - 1) -> 'payload'`).
    static func timelineParameters(_ headers: [EnvelopeHeader], envelopes: [String]) -> [any SQLValue] {
        [SQLArray(headers.map(\.id.lowercased)), SQLArray(headers.map(\.caseId.lowercased)),
         SQLArray(headers.map(\.messageType.routingKey)), SQLArray(headers.map(\.producer)),
         SQLArray(headers.map(\.occurredAt.rfc3339)), "[" + envelopes.joined(separator: ",") + "]"]
    }

    /// The case view as a JSON document, or nil when the case does not exist or belongs to
    /// another institution.
    static func view(caseId: UUID, institution: Institution, on db: PostgresConnection) throws -> String? {
        try views(of: [(caseId, institution.code)], on: db)[caseId]
    }

    /// The views of cases, each looked up with the institution it must belong to, by case id (a
    /// case missing or of another institution has none): each requested item with its
    /// department, status and result, each subscriber's latest outcome (`SubscriberOutcomes`), and
    /// the timeline of every event, times in +08:00; the
    /// departments' answers only as far as `HospitalDisclosure` lets the hospital see them.
    private static func views(of cases: [(caseId: UUID, institutionCode: String)],
                              on db: PostgresConnection) throws -> [UUID: String] {
        guard !cases.isEmpty else { return [:] }
        var views: [UUID: String] = [:]
        for row in try db.execute("""
            SELECT c.case_id, json_build_object(
                'caseId', c.case_id,
                'status', c.status,
                'openedAt', \(beijingTimeSQL("c.created_at", milliseconds: true)),
                'items', (SELECT json_agg(json_build_object(
                              'item', i.item, 'department', i.department, 'status', i.status,
                              'result', \(HospitalDisclosure.visibleSQL(item: "i.item", result: "i.result")),
                              'waitingFor', \(waitingFor),
                              'updatedAt', \(beijingTimeSQL("i.updated_at", milliseconds: true)))
                              ORDER BY i.item)
                          FROM case_items i WHERE i.case_id = c.case_id),
                'completedAt', \(beijingTimeSQL("c.completed_at", milliseconds: true)),
                'subscribers', \(SubscriberOutcomes.viewSQL),
                'withdrawal', CASE WHEN c.status = 'withdrawn' THEN json_build_object(
                    'withdrawnAt', \(beijingTimeSQL("c.withdrawn_at", milliseconds: true)), 'withdrawnBy', c.withdrawn_by,
                    'reason', c.withdrawal_reason, 'reversedAt', \(beijingTimeSQL("c.reversed_at", milliseconds: true))) END,
                'timeline', (SELECT coalesce(json_agg(json_build_object(
                              'type', e.type, 'producer', e.producer, 'payload', e.payload,
                              'occurredAt', \(beijingTimeSQL("e.occurred_at", milliseconds: true)))
                              ORDER BY e.occurred_at, e.recorded_at), '[]')
                          FROM (SELECT type, producer,
                                       CASE WHEN producer = 'intake' THEN payload ELSE
                                           \(HospitalDisclosure.visibleSQL(item: "split_part(type, '.', 1)", result: "payload"))
                                       END AS payload, occurred_at, recorded_at
                                FROM case_events WHERE case_id = c.case_id
                                UNION ALL
                                -- intake's own last event, from the case and its items (not kept as an event)
                                SELECT 'case.completed.v1', 'intake', \(completedPayload), c.completed_at, c.completed_at
                                WHERE c.completed_at IS NOT NULL) AS e))::text AS view
            FROM unnest($1::uuid[], $2::text[]) AS r (case_id, institution_code) JOIN cases c USING (case_id, institution_code)
            """, [SQLArray(cases.map(\.caseId.lowercased)), SQLArray(cases.map(\.institutionCode))]).rows {
            views[try row.uuid("case_id")] = try row.string("view")
        }
        return views
    }

    /// `case.completed` as the timeline shows it: when, and how each item ended.
    static let completedPayload = """
        jsonb_build_object(
            'completedAt', \(beijingTimeSQL("c.completed_at", milliseconds: true)),
            'items', (SELECT jsonb_agg(jsonb_build_object('item', i.item,
                                                          'outcome', CASE i.status WHEN 'done' THEN 'done' ELSE 'rejected' END)
                                       ORDER BY i.item)
                      FROM case_items i WHERE i.case_id = c.case_id))
        """

    /// What an item that has not ended waits for, as a family or hospital clerk reads it (null
    /// once it has ended): an item of a withdrawn case for its department's reversal (or, held as
    /// it cannot be undone, a reason code ending `-before-withdrawal`, for an officer); a held item for the officer's decision by its deadline; a pension claim
    /// whose notice asked hukou too for public security's answer first (social security settles
    /// on it); any other for its department's work.
    static let waitingFor = """
        CASE
            WHEN c.status = 'withdrawn' AND i.status = 'reversed' THEN NULL
            WHEN c.status = 'withdrawn' AND i.status = 'held' AND i.result->>'reasonCode' LIKE '%-before-withdrawal'
                THEN json_build_object('code', 'officer-review',
                'text', '撤销需人工处理：' || coalesce(i.result->>'reason', '') || '（' || coalesce(i.result->>'deadline', '') || '前答复）')
            WHEN c.status = 'withdrawn' THEN json_build_object('code', 'reversal', 'text', CASE i.department
                WHEN 'public-security' THEN '等待公安机关撤销' WHEN 'civil-affairs' THEN '等待民政部门撤销'
                ELSE '等待人社部门撤销' END)
            WHEN i.status = 'held' THEN json_build_object('code', 'officer-review',
                'text', '人工审核：' || coalesce(i.result->>'reason', '') || '（' || coalesce(i.result->>'deadline', '') || '前答复）')
            WHEN i.status <> 'requested' THEN NULL
            WHEN i.item = 'pension' AND EXISTS (SELECT FROM case_items h WHERE h.case_id = i.case_id AND h.item = 'hukou'
                                                    AND h.status IN ('requested', 'held'))
                THEN json_build_object('code', 'public-security',
                                       'text', '等待公安机关户口注销结果，人社部门随后核定养老保险待遇')
            ELSE json_build_object('code', 'department', 'text', CASE i.item
                WHEN 'hukou' THEN '公安机关核查户籍、办理户口注销'
                WHEN 'cremation' THEN '民政部门开具火化证明'
                WHEN 'pension' THEN '人社部门核定养老保险待遇'
                ELSE '医保经办机构清算医保个人帐户' END)
        END
        """

    /// One page of the institution's cases, newest first, as a JSON document; each case listed is
    /// recorded as read by the institution.
    static func list(institution: Institution, status: String?, page: Int, pageSize: Int,
                     on db: PostgresConnection) throws -> String {
        try db.execute("""
            WITH chosen AS (
                SELECT case_id, status, created_at, notice->'deceased'->>'name' AS deceased_name
                FROM cases WHERE institution_code = $1 AND ($2::text IS NULL OR status = $2)),
            shown AS (SELECT * FROM chosen ORDER BY created_at DESC, case_id
                      LIMIT $4::int OFFSET ($3::int - 1) * $4::int),
            read AS (\(CaseReads.insertSQL(from: "shown", firstParameter: 5)))
            SELECT json_build_object(
                'page', $3::int, 'pageSize', $4::int, 'total', (SELECT count(*) FROM chosen),
                'cases', coalesce((SELECT json_agg(json_build_object(
                    'caseId', case_id, 'status', status, 'deceasedName', deceased_name,
                    'openedAt', \(beijingTimeSQL("created_at", milliseconds: true)))
                    ORDER BY created_at DESC, case_id)
                    FROM shown), '[]'))::text AS list
            """, [institution.code, status, page, pageSize] + CaseReads.parameters(.institution(code: institution.code), .list))
            .first.map { try $0.string("list") } ?? "{}"
    }
}
