import FoundationEssentials
import HoushiRuntime
import HoushiStorage

/// Which funeral homes' work someone of civil affairs sees and records: one funeral home's, for
/// its staff, or every home's, for the bureau's own (anyone not assigned to a home).
struct FuneralHomeScope: Sendable, Equatable {
    /// The funeral home's code; nil for every home.
    let funeralHome: String?

    static let everyHome = FuneralHomeScope(funeralHome: nil)

    /// Whether work at the home with `code` is within the scope.
    func allows(_ code: String) -> Bool { funeralHome.map { $0 == code } ?? true }

    /// The SQL condition keeping rows whose `column` is in the scope, given as text parameter `$n`.
    static func sql(_ column: String, parameter: Int) -> String { "($\(parameter)::text IS NULL OR \(column) = $\(parameter))" }
}

/// Funeral home staff: officers of the pages (by login) and API operators (by name) assigned to
/// the home they work at.
enum FuneralHomeStaff {
    /// Who is assigned: a page officer or an API operator.
    enum Kind: String, Sendable {
        case officer
        case `operator`
    }

    static let migration = Migration(version: 4, formerly: 26, name: "funeral home staff", sql: """
        CREATE TABLE funeral_home_staff (
            kind text NOT NULL CHECK (kind IN ('officer', 'operator')),
            who text NOT NULL,
            funeral_home_code text NOT NULL REFERENCES funeral_homes (code),
            assigned_at timestamptz NOT NULL DEFAULT now(),
            PRIMARY KEY (kind, who));
        """)

    /// Why an assignment was refused.
    enum Refusal: Error, CustomStringConvertible {
        case unknownPerson(Kind, String)
        case unknownHome(String)

        var description: String {
            switch self {
            case .unknownPerson(.officer, let who): "no officer has the login \(who) (无此帐号)"
            case .unknownPerson(.operator, let who): "no operator is named \(who) (无此操作员)"
            case .unknownHome(let code): "no funeral home has the code \(code) (无此殡仪馆)"
            }
        }
    }

    /// Assigns an officer or operator to the funeral home with `code` (replacing an earlier one).
    static func assign(_ kind: Kind, _ who: String, to code: String, on db: PostgresConnection) throws {
        let table = kind == .officer ? "officers WHERE login = $1" : "operators WHERE name = $1"
        guard try db.execute("SELECT 1 FROM \(table)", [who]).first != nil else { throw Refusal.unknownPerson(kind, who) }
        guard try FuneralHomes.withCode(code, on: db) != nil else { throw Refusal.unknownHome(code) }
        try db.execute("""
            INSERT INTO funeral_home_staff (kind, who, funeral_home_code) VALUES ($1, $2, $3)
            ON CONFLICT (kind, who) DO UPDATE SET funeral_home_code = EXCLUDED.funeral_home_code, assigned_at = now()
            """, [kind.rawValue, who, code])
    }

    /// Ends an assignment: the person then sees every home's work. False when there was none.
    static func unassign(_ kind: Kind, _ who: String, on db: PostgresConnection) throws -> Bool {
        try db.execute("DELETE FROM funeral_home_staff WHERE kind = $1 AND who = $2", [kind.rawValue, who]).affectedRows == 1
    }

    /// The scope of an officer's or operator's work.
    static func scope(of kind: Kind, _ who: String, on db: PostgresConnection) throws -> FuneralHomeScope {
        FuneralHomeScope(funeralHome: try db.execute(
            "SELECT funeral_home_code FROM funeral_home_staff WHERE kind = $1 AND who = $2", [kind.rawValue, who])
            .first.map { try $0.string("funeral_home_code") })
    }
}
