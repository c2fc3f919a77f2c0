import FoundationEssentials
import HoushiContract
import HoushiRuntime
import HoushiStorage

/// Cremation certificates (火化证明), their pickups and the cremations, in the caller's transaction.
enum Certificates {
    /// The certificate number: `HZ-<funeral home code>-<year>-<serial>`, the serial six digits or more
    /// and unique across the service.
    static func number(funeralHome: String, year: Int, serial: Int64) -> String {
        "HZ-\(funeralHome)-\(year)-\(String(serial).leftPadded(to: 6))"
    }

    /// Issues the case's certificate (and records the pickup) and publishes `cremation.certified`.
    /// A case gets one certificate, whatever is redelivered or approved again.
    static func issue(caseId: UUID, request: CremationRequested, home: FuneralHome, pickup: Pickup?, issuedBy: String,
                      context: HandlerContext) throws {
        let db = context.db
        let issuedAt = Timestamp.now()
        let serial = try db.execute("SELECT nextval('certificate_serial') AS serial").first!.int64("serial")
        let number = number(funeralHome: home.code, year: issuedAt.beijingDate.year, serial: serial)
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

    /// The certificate of a case and its funeral home, locked for this transaction.
    static func certificate(caseId: UUID, on db: PostgresConnection) throws -> (number: String, home: FuneralHome)? {
        guard let row = try db.execute("""
            SELECT c.number, f.code, f.name, f.local, f.address
            FROM cremation_certificates c JOIN funeral_homes f ON f.code = c.funeral_home_code
            WHERE c.case_id = $1 FOR UPDATE OF c
            """, [caseId]).first
        else { return nil }
        return (try row.string("number"), FuneralHome(code: try row.string("code"), name: try row.string("name"),
                                                      local: try row.bool("local"), address: try row.string("address")))
    }
}
