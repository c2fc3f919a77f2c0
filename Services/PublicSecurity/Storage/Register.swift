import FoundationEssentials
import HoushiContract
import HoushiRuntime
import HoushiStorage
import HoushiWeb

/// The household register and its cancellations, in the caller's transaction.
enum Register {
    /// Adds or updates a resident from an import; a cancelled registration stays cancelled, and
    /// one the import marks cancelled is cancelled.
    static func upsert(_ resident: Resident, on db: PostgresConnection) throws {
        try db.execute("""
            INSERT INTO residents (id_number, name, household_number, relation_to_head, address, status)
            VALUES ($1, $2, $3, $4, $5, $6)
            ON CONFLICT (id_number) DO UPDATE SET name = EXCLUDED.name, household_number = EXCLUDED.household_number,
                relation_to_head = EXCLUDED.relation_to_head, address = EXCLUDED.address,
                status = CASE WHEN EXCLUDED.status = 'cancelled' THEN 'cancelled' ELSE residents.status END,
                updated_at = now()
            """, [resident.idNumber, resident.name, resident.householdNumber, resident.relationToHead.rawValue,
                  resident.address, resident.active ? "active" : "cancelled"])
    }

    /// The households among `householdNumbers` whose active members name more than one head or
    /// live at more than one address.
    static func inconsistentHouseholds(among householdNumbers: [String],
                                       on db: PostgresConnection) throws -> [InconsistentHousehold] {
        guard !householdNumbers.isEmpty else { return [] }
        return try db.execute("""
            SELECT household_number,
                   count(*) FILTER (WHERE relation_to_head = 'head') AS heads,
                   array_to_string(array_agg(DISTINCT address ORDER BY address), ' | ') AS addresses,
                   count(DISTINCT address) AS address_count
            FROM residents
            WHERE household_number = ANY (string_to_array($1, E'\\x1f')) AND status = 'active'
            GROUP BY household_number
            HAVING count(*) FILTER (WHERE relation_to_head = 'head') > 1 OR count(DISTINCT address) > 1
            ORDER BY household_number
            """, [householdNumbers.joined(separator: "\u{1F}")]).rows.map { row in
            InconsistentHousehold(householdNumber: try row.string("household_number"), heads: try row.int("heads"),
                                  addresses: try row.int("address_count") > 1
                                      ? try row.string("addresses").components(separatedBy: " | ") : [])
        }
    }

    /// The resident with `idNumber`, locked for this transaction, and how many other active
    /// people share their household.
    static func lookUp(_ idNumber: String, on db: PostgresConnection) throws -> (Resident, otherActiveMembers: Int)? {
        guard let row = try db.execute("""
            SELECT r.id_number, r.name, r.household_number, r.relation_to_head, r.address, r.status = 'active' AS active,
                   (SELECT count(*) FROM residents o WHERE o.household_number = r.household_number
                        AND o.status = 'active' AND o.id_number <> r.id_number) AS others
            FROM residents r WHERE r.id_number = $1 FOR UPDATE
            """, [idNumber.uppercased()]).first
        else { return nil }
        let resident = Resident(
            idNumber: try row.string("id_number"), name: try row.string("name"),
            householdNumber: try row.string("household_number"),
            relationToHead: HouseholdRelation(rawValue: try row.string("relation_to_head")) ?? .other,
            address: try row.string("address"), active: try row.bool("active"))
        return (resident, try row.int("others"))
    }

    /// Cancels the registration for a case; returns the household number.
    static func cancel(idNumber: String, caseId: UUID, certificateNumber: String, at time: Timestamp,
                       decidedBy: String, reason: String?, on db: PostgresConnection) throws -> String {
        guard let row = try db.execute("""
            UPDATE residents SET status = 'cancelled', updated_at = now()
            WHERE id_number = $1 AND status = 'active' RETURNING household_number
            """, [idNumber.uppercased()]).first
        else { throw RegisterConflict(reason: "the registration is not active") }
        let household = try row.string("household_number")
        try db.executeDeferred("""
            INSERT INTO cancellations (case_id, id_number, household_number, certificate_number, cancelled_at, decided_by, reason)
            VALUES ($1, $2, $3, $4, $5::timestamptz, $6, $7)
            """, [caseId, idNumber.uppercased(), household, certificateNumber, time.rfc3339, decidedBy, reason])
        return household
    }
}

extension Register {
    /// Records an officer's confirmation that the registration was cancelled before this case;
    /// returns the household number and when it had been cancelled, if Houshi knows.
    static func confirmEarlierCancellation(idNumber: String, caseId: UUID, at time: Timestamp, confirmedBy: String,
                                           reason: String, on db: PostgresConnection) throws -> (household: String, cancelledAt: Timestamp?) {
        guard let row = try db.execute("""
            WITH confirmed AS (
                INSERT INTO cancellation_confirmations (case_id, id_number, confirmed_at, confirmed_by, reason)
                SELECT $2, r.id_number, $3::timestamptz, $4, $5 FROM residents r WHERE r.id_number = $1 AND r.status = 'cancelled'
                RETURNING id_number)
            SELECT r.household_number,
                   (SELECT \(beijingTimeSQL("c.cancelled_at"))
                    FROM cancellations c WHERE c.id_number = r.id_number) AS cancelled_at
            FROM residents r JOIN confirmed USING (id_number)
            """, [idNumber.uppercased(), caseId, time.rfc3339, confirmedBy, reason]).first
        else { throw RegisterConflict(reason: "the registration is not cancelled") }
        return (try row.string("household_number"), row["cancelled_at"].flatMap { Timestamp(rfc3339: $0) })
    }
}

/// The register no longer allows what was asked (e.g. approving a cancellation already made).
struct RegisterConflict: Error, Sendable, CustomStringConvertible {
    let reason: String
    var description: String { reason }
}

extension Register {
    /// The resident with `idNumber` and everyone registered in their household (themselves first,
    /// then the head, then by name), without locking: for the officers' pages.
    static func household(of idNumber: String, on db: PostgresConnection) throws -> [Resident] {
        try db.execute("""
            SELECT o.id_number, o.name, o.household_number, o.relation_to_head, o.address, o.status = 'active' AS active
            FROM residents r JOIN residents o ON o.household_number = r.household_number
            WHERE r.id_number = $1
            ORDER BY o.id_number = r.id_number DESC, o.relation_to_head = 'head' DESC, o.name
            """, [idNumber.uppercased()]).rows.map { row in
            Resident(idNumber: try row.string("id_number"), name: try row.string("name"),
                     householdNumber: try row.string("household_number"),
                     relationToHead: HouseholdRelation(rawValue: try row.string("relation_to_head")) ?? .other,
                     address: try row.string("address"), active: try row.bool("active"))
        }
    }

    /// A registration cancelled (or an earlier cancellation confirmed) on one day.
    struct DayEntry: Sendable {
        let caseId: UUID
        let name: String
        let idNumber: String
        let householdNumber: String
        let certificateNumber: String?
        let at: Timestamp
        /// The login of who decided (`system` when no one did), and their name.
        let decidedBy: String
        let decidedByName: String?
        let confirmation: Bool
    }

    /// Cancellations and confirmations of one day in Beijing time, in the order they were made.
    static func day(_ date: CalendarDate, on db: PostgresConnection) throws -> [DayEntry] {
        try db.execute("""
            SELECT c.case_id, r.name, c.id_number, c.household_number, c.certificate_number,
                   \(beijingTimeSQL("c.cancelled_at")) AS at,
                   c.decided_by, \(OfficerAccounts.nameSQL(ofLoginIn: "c.decided_by")) AS decided_by_name,
                   false AS confirmation
            FROM cancellations c JOIN residents r USING (id_number)
            WHERE (c.cancelled_at AT TIME ZONE 'Asia/Shanghai')::date = $1::date
            UNION ALL
            SELECT f.case_id, r.name, f.id_number, r.household_number, NULL,
                   \(beijingTimeSQL("f.confirmed_at")),
                   f.confirmed_by, \(OfficerAccounts.nameSQL(ofLoginIn: "f.confirmed_by")), true
            FROM cancellation_confirmations f JOIN residents r USING (id_number)
            WHERE (f.confirmed_at AT TIME ZONE 'Asia/Shanghai')::date = $1::date
            ORDER BY at
            """, [date.description]).rows.map { row in
            DayEntry(caseId: try row.uuid("case_id"), name: try row.string("name"), idNumber: try row.string("id_number"),
                     householdNumber: try row.string("household_number"), certificateNumber: row["certificate_number"],
                     at: row.timestamp("at") ?? .now(), decidedBy: try row.string("decided_by"),
                     decidedByName: row["decided_by_name"], confirmation: try row.bool("confirmation"))
        }
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
