import HoushiStorage

/// The registered funeral homes.
enum FuneralHomes {
    static func upsert(_ home: FuneralHome, takesPickups: Bool, on db: PostgresConnection) throws {
        try db.execute("""
            INSERT INTO funeral_homes (code, name, local, address, takes_pickups) VALUES ($1, $2, $3, $4, $5)
            ON CONFLICT (code) DO UPDATE SET name = EXCLUDED.name, local = EXCLUDED.local,
                address = EXCLUDED.address, takes_pickups = EXCLUDED.takes_pickups
            """, [home.code, home.name, home.local, home.address, takesPickups])
    }

    static func named(_ name: String, on db: PostgresConnection) throws -> FuneralHome? {
        try db.execute("SELECT code, name, local, address FROM funeral_homes WHERE name = $1",
                       [name.trimmingWhitespace]).first.map(home)
    }

    static func withCode(_ code: String, on db: PostgresConnection) throws -> FuneralHome? {
        try db.execute("SELECT code, name, local, address FROM funeral_homes WHERE code = $1", [code]).first.map(home)
    }

    /// The local funeral home that collects bodies (the first by code when several do).
    private static let pickupHomeSQL =
        "SELECT code, name, local, address FROM funeral_homes WHERE local AND takes_pickups ORDER BY code LIMIT 1"

    static func pickupHome(on db: PostgresConnection) throws -> FuneralHome? {
        try db.execute(pickupHomeSQL).first.map(home)
    }

    /// The pickup home, and whether a walk-in of the deceased waits for the notice, in one statement
    /// (the request's handler asks both for every request).
    static func pickupHome(walkInOf idNumber: String, on db: PostgresConnection) throws -> (FuneralHome?, walkInWaits: Bool) {
        let row = try db.execute("""
            SELECT h.code, h.name, h.local, h.address,
                   EXISTS (SELECT 1 FROM walk_ins w WHERE w.deceased_id_number = upper($1) AND w.case_id IS NULL) AS walk_in
            FROM (SELECT) AS one LEFT JOIN LATERAL (\(pickupHomeSQL)) AS h ON true
            """, [idNumber]).first!
        return (row["code"] == nil ? nil : try home(row), try row.bool("walk_in"))
    }

    private static func home(_ row: Row) throws -> FuneralHome {
        FuneralHome(code: try row.string("code"), name: try row.string("name"), local: try row.bool("local"),
                    address: try row.string("address"))
    }
}

extension FuneralHomes {
    /// The registered local funeral homes, by code.
    static func local(on db: PostgresConnection) throws -> [FuneralHome] {
        try db.execute("SELECT code, name, local, address FROM funeral_homes WHERE local ORDER BY code").rows.map { row in
            FuneralHome(code: try row.string("code"), name: try row.string("name"), local: try row.bool("local"),
                        address: try row.string("address"))
        }
    }
}
