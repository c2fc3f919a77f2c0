import FoundationEssentials
import HoushiContract
import HoushiRuntime
import HoushiStorage
import HoushiWeb

/// Cremation certificates (火化证明), their pickups and the cremations, in the caller's transaction.
enum Certificates {
    /// The certificate number: `HZ-<funeral home code>-<year>-<serial>`, the serial six digits or more
    /// and unique across the service.
    static func number(funeralHome: String, year: Int, serial: Int64) -> String {
        "HZ-\(funeralHome)-\(year)-\(String(serial).leftPadded(to: 6))"
    }

    /// A new certificate number of this year (Beijing time) at the funeral home.
    static func nextNumber(funeralHome: String, on db: PostgresConnection) throws -> String {
        number(funeralHome: funeralHome, year: Timestamp.now().beijingDate.year,
               serial: try db.execute("SELECT nextval('certificate_serial') AS serial").first!.int64("serial"))
    }

    /// Issues the case's certificate (and records the pickup) and publishes `cremation.certified`.
    /// A case gets one certificate, whatever is redelivered or approved again. `existing` is the
    /// number a walk-in was given at the funeral home, kept instead of a new one.
    static func issue(caseId: UUID, request: CremationRequested, home: FuneralHome, pickup: Pickup?, issuedBy: String,
                      existing: String? = nil, context: HandlerContext) throws {
        let db = context.db
        let issuedAt = Timestamp.now()
        let number = try existing ?? nextNumber(funeralHome: home.code, on: db)
        try db.executeDeferred("""
            INSERT INTO cremation_certificates (number, case_id, deceased_id_number, deceased_name, funeral_home_code,
                                                issued_at, issued_by)
            VALUES ($1, $2, $3, $4, $5, $6::timestamptz, $7)
            """, [number, caseId, request.deceased.idNumber, request.deceased.name, home.code, issuedAt.rfc3339, issuedBy])
        if let pickup {
            try db.executeDeferred("""
                INSERT INTO pickups (case_id, address, requested_at, funeral_home_code) VALUES ($1, $2, $3::timestamptz, $4)
                """, [caseId, pickup.address, pickup.at.rfc3339, home.code])
        }
        try CaseLedger.setStatus("certified", item: .cremation, caseId: caseId, on: db)
        try context.emit(.cremationCertified, CremationCertified(
            certificateNumber: number, funeralHome: home.reference, issuedAt: issuedAt, pickup: pickup))
        context.logger.info("cremation certificate issued", metadata: ["certificate": "\(number)",
                                                                       "funeral_home": "\(home.code)"])
    }

    /// The certificate of a case (unless revoked) and its funeral home, locked for this transaction.
    static func certificate(caseId: UUID, on db: PostgresConnection) throws -> (number: String, home: FuneralHome)? {
        guard let row = try db.execute("""
            SELECT c.number, f.code, f.name, f.local, f.address
            FROM cremation_certificates c JOIN funeral_homes f ON f.code = c.funeral_home_code
            WHERE c.case_id = $1 AND c.revoked_at IS NULL FOR UPDATE OF c
            """, [caseId]).first
        else { return nil }
        return (try row.string("number"), FuneralHome(code: try row.string("code"), name: try row.string("name"),
                                                      local: try row.bool("local"), address: try row.string("address")))
    }
}

extension Certificates {
    /// A certificate as its printed page and the staff's search show it.
    struct Issued: Sendable {
        let caseId: UUID
        let number: String
        let deceasedName: String
        let deceasedIdNumber: String
        let funeralHome: FuneralHome
        let issuedAt: Timestamp
        /// The login of who issued it (`system` when no one decided), and their name.
        let issuedBy: String
        let issuedByName: String?
        let crematedAt: Timestamp?
        let ashesPlacement: AshesPlacement?
        let ashesPlaceName: String?
        let ashesReceivedBy: String?
        let pickupAddress: String?
        let pickupAt: Timestamp?
        let pickupStatus: String?
    }

    /// The certificate of a case, or those of a deceased's ID number, at the homes of `scope`.
    static func issued(caseId: UUID? = nil, idNumber: String? = nil, scope: FuneralHomeScope = .everyHome,
                       on db: PostgresConnection) throws -> [Issued] {
        try db.execute("""
            SELECT c.case_id, c.number, c.deceased_name, c.deceased_id_number, \(beijingTimeSQL("c.issued_at")) AS issued_at,
                   c.issued_by, \(OfficerAccounts.nameSQL(ofLoginIn: "c.issued_by")) AS issued_by_name,
                   f.code, f.name, f.local, f.address, \(beijingTimeSQL("k.cremated_at")) AS cremated_at,
                   k.ashes_placement, k.ashes_place_name, k.ashes_received_by, p.address AS pickup_address,
                   \(beijingTimeSQL("p.requested_at")) AS pickup_at, p.status AS pickup_status
            FROM cremation_certificates c JOIN funeral_homes f ON f.code = c.funeral_home_code
            LEFT JOIN cremations k ON k.case_id = c.case_id LEFT JOIN pickups p ON p.case_id = c.case_id
            WHERE ($1::uuid IS NULL OR c.case_id = $1) AND ($2::text IS NULL OR c.deceased_id_number = upper($2))
              AND \(FuneralHomeScope.sql("c.funeral_home_code", parameter: 3))
            ORDER BY c.issued_at DESC LIMIT 20
            """, [caseId, idNumber, scope.funeralHome]).rows.map { row in
            Issued(
                caseId: try row.uuid("case_id"), number: try row.string("number"), deceasedName: try row.string("deceased_name"),
                deceasedIdNumber: try row.string("deceased_id_number"),
                funeralHome: FuneralHome(code: try row.string("code"), name: try row.string("name"),
                                         local: try row.bool("local"), address: try row.string("address")),
                issuedAt: row.timestamp("issued_at") ?? .now(), issuedBy: try row.string("issued_by"),
                issuedByName: row["issued_by_name"],
                crematedAt: row.timestamp("cremated_at"),
                ashesPlacement: row["ashes_placement"].flatMap(AshesPlacement.init(rawValue:)),
                ashesPlaceName: row["ashes_place_name"], ashesReceivedBy: row["ashes_received_by"],
                pickupAddress: row["pickup_address"], pickupAt: row.timestamp("pickup_at"), pickupStatus: row["pickup_status"])
        }
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
