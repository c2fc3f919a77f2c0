import FoundationEssentials
import HoushiStorage

/// Calendar years an operator loaded at run time (`public-security calendar import`), kept in the
/// service's schema; they take the place of the shipped file of the same year.
enum StoredCalendar {
    /// Saves a checked year, replacing any stored before.
    static func save(_ year: CalendarYear, on db: PostgresConnection) throws {
        let json = String(decoding: try JSONEncoder().encode(year), as: UTF8.self)
        try db.execute("""
            INSERT INTO calendar_years (year, content) VALUES ($1, $2::jsonb)
            ON CONFLICT (year) DO UPDATE SET content = EXCLUDED.content, imported_at = now()
            """, [year.year, json])
    }

    /// `shipped` with every stored year in place of its own.
    static func current(shipped: OfficialCalendar, on db: PostgresConnection) throws -> OfficialCalendar {
        var calendar = shipped
        for row in try db.execute("SELECT year, content::text AS content FROM calendar_years ORDER BY year").rows {
            let name = "calendar_years \(try row.int("year"))"
            calendar = try calendar.replacing(with: try OfficialCalendar.decode(Data(try row.string("content").utf8), file: name))
        }
        return calendar
    }
}
