import FoundationEssentials
import HoushiContract
import HoushiRuntime
import HoushiStorage
import HoushiWeb

/// A family that came to the funeral home with the paper death certificate before the hospital's
/// notice arrived (或逝者家属在殡仪馆现场提交相关材料): what the staff checked and the certificate
/// they issued. The notice, when it comes, joins the record and gets that certificate, not a second one.
struct WalkIn: Sendable {
    let id: UUID
    let deceasedIdNumber: String
    let deceasedName: String
    let deathCertificateNumber: String
    let checked: String
    let funeralHome: FuneralHome
    let certificateNumber: String
    /// The login of who recorded it, and their name.
    let recordedBy: String
    let recordedByName: String?
    let recordedAt: Timestamp
    /// The case whose notice joined it.
    let caseId: UUID?
}

enum WalkIns {
    /// Holds, until the transaction ends, the lock that orders a walk-in and a hospital's notice
    /// for the same deceased: whichever comes second sees what the first committed, so the
    /// deceased gets one certificate, not one from each.
    static func lockDeceased(_ idNumber: String, on db: PostgresConnection) throws {
        try db.executeDeferred("SELECT pg_advisory_xact_lock(hashtextextended('houshi.cremation:' || upper($1), 0))",
                               [idNumber])
    }

    /// Records a walk-in and gives it a certificate number; returns its id, or the id of the
    /// deceased's walk-in recorded before (a second click, a colleague). The caller has looked for
    /// a certificate of the hospital's notice first (`Certificates.issued`).
    static func record(idNumber: String, name: String, deathCertificateNumber: String, checked: String,
                       home: FuneralHome, by staff: String, on db: PostgresConnection) throws -> UUID {
        let number = try Certificates.nextNumber(funeralHome: home.code, on: db)
        // A walk-in recorded before keeps its own row and number (the number taken here is left unused).
        return try db.execute("""
            INSERT INTO walk_ins (id, deceased_id_number, deceased_name, death_certificate_number, checked,
                                  funeral_home_code, certificate_number, recorded_by)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
            ON CONFLICT (deceased_id_number) DO UPDATE SET deceased_id_number = walk_ins.deceased_id_number
            RETURNING id
            """, [UUID(), idNumber.uppercased(), name, deathCertificateNumber, checked, home.code, number, staff])
            .first!.uuid("id")
    }

    /// The walk-in with `id`, or the one of a deceased's ID number not yet joined by a notice
    /// (locked for this transaction, so that two deliveries cannot both join it).
    static func find(id: UUID? = nil, unjoinedIdNumber: String? = nil, on db: PostgresConnection) throws -> WalkIn? {
        try db.execute("""
            SELECT w.id, w.deceased_id_number, w.deceased_name, w.death_certificate_number, w.checked,
                   w.certificate_number, w.recorded_by, \(OfficerAccounts.nameSQL(ofLoginIn: "w.recorded_by")) AS recorded_by_name,
                   w.case_id,
                   \(beijingTimeSQL("w.recorded_at")) AS recorded_at,
                   f.code, f.name, f.local, f.address
            FROM walk_ins w JOIN funeral_homes f ON f.code = w.funeral_home_code
            WHERE ($1::uuid IS NULL OR w.id = $1)
              AND ($2::text IS NULL OR (w.deceased_id_number = upper($2) AND w.case_id IS NULL))
            \(unjoinedIdNumber == nil ? "" : "FOR UPDATE OF w")
            """, [id, unjoinedIdNumber]).first.map { row in
            WalkIn(id: try row.uuid("id"), deceasedIdNumber: try row.string("deceased_id_number"),
                   deceasedName: try row.string("deceased_name"),
                   deathCertificateNumber: try row.string("death_certificate_number"), checked: try row.string("checked"),
                   funeralHome: FuneralHome(code: try row.string("code"), name: try row.string("name"),
                                            local: try row.bool("local"), address: try row.string("address")),
                   certificateNumber: try row.string("certificate_number"), recordedBy: try row.string("recorded_by"),
                   recordedByName: row["recorded_by_name"],
                   recordedAt: row.timestamp("recorded_at") ?? .now(),
                   caseId: row["case_id"].flatMap(UUID.init(text:)))
        }
    }

    /// The walk-ins of a deceased's ID number (at most one).
    static func id(forIdNumber idNumber: String, on db: PostgresConnection) throws -> UUID? {
        try db.execute("SELECT id FROM walk_ins WHERE deceased_id_number = upper($1)", [idNumber]).first.map { try $0.uuid("id") }
    }

    /// Marks the walk-in joined by a case's notice.
    static func join(_ walkIn: WalkIn, caseId: UUID, on db: PostgresConnection) throws {
        try db.executeDeferred("UPDATE walk_ins SET case_id = $2 WHERE id = $1 AND case_id IS NULL", [walkIn.id, caseId])
    }
}
