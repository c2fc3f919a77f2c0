import FoundationEssentials
import HoushiContract
import HoushiRuntime
import HoushiStorage
import Logging

/// What funeral home staff do, the same from the JSON routes and the pages: confirm a pickup,
/// record a cremation (which publishes `cremation.completed`), decide a held request. Each in
/// one transaction; refusals are `APIError`s with a Chinese message for the pages.
struct CremationWork: Sendable {
    let context: ServiceContext

    /// A pickup as the staff's list shows it.
    struct PickupEntry: Sendable, Encodable {
        let caseId: String
        let address: String
        let status: String
        let requestedAt: String
        let funeralHome: String
        let certificateNumber: String
        let deceasedName: String
        let cremated: Bool
    }

    /// The pickups asked for a day (Beijing time), the earliest first.
    /// How many pickups a page of `/v1/pickups` lists.
    static let pickupPageSize = 100

    /// One page of the day's pickups within `scope`, oldest request first, and how many the day has.
    func pickups(on day: CalendarDate, page: PageQuery, scope: FuneralHomeScope,
                 readBy reader: CaseReads.Reader) async throws -> Page<PickupEntry> {
        try await context.withDatabase { db in
            let rows = try db.execute("""
                SELECT p.case_id, p.address, p.status,
                       \(beijingTimeSQL("p.requested_at")) AS requested_at,
                       p.funeral_home_code, c.number, c.deceased_name,
                       EXISTS (SELECT 1 FROM cremations k WHERE k.case_id = p.case_id) AS cremated,
                       count(*) OVER () AS total
                FROM pickups p JOIN cremation_certificates c ON c.case_id = p.case_id
                WHERE (p.requested_at AT TIME ZONE 'Asia/Shanghai')::date = $1::date
                  AND \(FuneralHomeScope.sql("p.funeral_home_code", parameter: 4))
                ORDER BY p.requested_at, p.case_id
                LIMIT $2 OFFSET $3
                """, [day.description, page.size, page.offset, scope.funeralHome]).rows
            let entries = try rows.map { row in
                PickupEntry(caseId: try row.string("case_id"), address: try row.string("address"),
                            status: try row.string("status"), requestedAt: try row.string("requested_at"),
                            funeralHome: try row.string("funeral_home_code"), certificateNumber: try row.string("number"),
                            deceasedName: try row.string("deceased_name"), cremated: try row.bool("cremated"))
            }
            let total = try rows.first.map { try $0.int("total") } ?? db.execute("""
                SELECT count(*) AS total FROM pickups WHERE (requested_at AT TIME ZONE 'Asia/Shanghai')::date = $1::date
                  AND \(FuneralHomeScope.sql("funeral_home_code", parameter: 2))
                """, [day.description, scope.funeralHome]).first.map { try $0.int("total") } ?? 0
            try CaseReads.record(caseIds: entries.compactMap { UUID(text: $0.caseId) }, by: reader, view: .list, on: db)
            return Page("pickups", page, total: total, items: entries)
        }
    }

    /// Confirms a pickup within `scope`; 404 for another home's, 409 when not waiting.
    func confirmPickup(caseId: UUID, scope: FuneralHomeScope, by staff: String, logger: Logger) async throws {
        let (confirmed, known) = try await context.withDatabase { db in
            let confirmed = try db.execute("""
                UPDATE pickups SET status = 'confirmed', confirmed_by = $2, confirmed_at = now()
                WHERE case_id = $1 AND status = 'requested' AND \(FuneralHomeScope.sql("funeral_home_code", parameter: 3))
                """, [caseId, staff, scope.funeralHome]).affectedRows == 1
            let known = try confirmed || db.execute("""
                SELECT 1 FROM pickups WHERE case_id = $1 AND \(FuneralHomeScope.sql("funeral_home_code", parameter: 2))
                """, [caseId, scope.funeralHome]).first != nil
            return (confirmed, known)
        }
        guard known else { throw Self.noCertificate }
        guard confirmed else {
            throw APIError(status: .conflict, code: "not-pending", message: "the case has no pickup waiting for confirmation",
                           messageZh: "该接运已确认，或没有待确认的接运。")
        }
        logger.info("pickup confirmed")
    }

    /// 404: no certificate of the case, or one of a home outside the staff's scope.
    static let noCertificate = APIError(status: .notFound, code: "not-found",
                                        message: "the case has no cremation certificate at your funeral home",
                                        messageZh: "本殡仪馆没有该案件的火化证明。")

    /// Records the cremation and the ashes' placement at a home within `scope`; returns the
    /// certificate number.
    func recordCremation(caseId: UUID, record: CremationRecord, scope: FuneralHomeScope, by staff: String,
                         logger: Logger) async throws -> String {
        let number = try await context.inTransaction { tx, emitted -> String in
            guard let (number, home) = try Certificates.certificate(caseId: caseId, on: tx), scope.allows(home.code),
                  let (cremationRequest, messageId) = try CaseLedger.request(
                      item: .cremation, caseId: caseId, as: CremationRequested.self, on: tx)
            else { throw Self.noCertificate }
            let problems = record.problems(diedAt: cremationRequest.diedAt, now: .now())
            guard problems.isEmpty else {
                throw APIError.invalid(problems.map { FieldError(field: $0.field, message: $0.english, messageZh: $0.chinese) })
            }
            guard try tx.execute("""
                INSERT INTO cremations (case_id, cremated_at, ashes_placement, ashes_place_name, recorded_by,
                                        ashes_received_by)
                VALUES ($1, $2::timestamptz, $3, $4, $5, $6) ON CONFLICT (case_id) DO NOTHING
                """, [caseId, record.crematedAt.rfc3339, record.ashes.placement.rawValue, record.ashes.placeName,
                      staff, record.ashesReceivedBy]).affectedRows == 1
            else {
                throw APIError(status: .conflict, code: "already-recorded", message: "the cremation is recorded already",
                               messageZh: "该火化已登记。")
            }
            try CaseLedger.setStatus("cremated", item: .cremation, caseId: caseId, on: tx)
            try HandlerContext(db: tx, logger: logger, department: .civilAffairs, caseId: caseId,
                               causationId: messageId, trace: .start(), emitted: emitted)
                .emit(.cremationCompleted, CremationCompleted(certificateNumber: number, funeralHome: home.reference,
                                                              crematedAt: record.crematedAt, ashes: record.ashes))
            return number
        }
        logger.info("cremation recorded", metadata: ["certificate": "\(number)"])
        return number
    }

    /// Approves a held request: the certificate at the funeral home named (by code), the one the
    /// request named, or the one that collects bodies.
    func approve(caseId: UUID, reason: String, funeralHomeCode: String?, by staff: String, logger: Logger) async throws {
        try await context.decideHeld(item: .cremation, caseId: caseId, as: CremationRequested.self, approved: true,
                                     officer: staff, reason: reason, logger: logger) { cremation, handling in
            let tx = handling.db
            let home = try funeralHomeCode.map { try FuneralHomes.withCode($0, on: tx) }
                ?? (cremation.body.funeralHomeName.map { try FuneralHomes.named($0, on: tx) } ?? FuneralHomes.pickupHome(on: tx))
            guard let home, home.local else {
                throw APIError.invalid([FieldError(field: "funeralHomeCode", message: "must name a registered local funeral home",
                                                   messageZh: "须选择已登记的本市殡仪馆")])
            }
            try Certificates.issue(caseId: caseId, request: cremation, home: home, pickup: cremation.body.pickup,
                                   issuedBy: staff, context: handling)
        }
    }

    func reject(caseId: UUID, reason: String, by staff: String, logger: Logger) async throws {
        try await context.decideHeld(item: .cremation, caseId: caseId, as: CremationRequested.self, approved: false,
                                     officer: staff, reason: reason, logger: logger) { _, handling in
            try handling.reject(.cremation, reasonCode: "rejected-on-review", reason: reason)
        }
    }
}
