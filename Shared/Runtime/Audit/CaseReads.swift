import FoundationEssentials
import HoushiStorage

/// Who read a case, recorded with every read (个人信息保护法: access to personal information is
/// logged), in the schema of the service that showed it, for an auditor to list with
/// `SERVICE audit reads`.
public enum CaseReads {
    /// Who read: a medical institution's system (its code), a hospital staff member or a
    /// department's officer (their account id), a department's API operator (their name), or the
    /// family through the link in their SMS.
    public enum Reader: Sendable, Equatable {
        case institution(code: String)
        case staff(id: UUID)
        case officer(id: UUID)
        case apiOperator(name: String)
        case family

        var kind: String {
            switch self {
            case .institution: "institution"
            case .staff: "staff"
            case .officer: "officer"
            case .apiOperator: "operator"
            case .family: "family"
            }
        }

        var name: String {
            switch self {
            case .institution(let code): code
            case .staff(let id), .officer(let id): id.lowercased
            case .apiOperator(let name): name
            case .family: "sms-link"
            }
        }
    }

    /// What was read.
    public enum View: String, Sendable {
        case api = "api case view"
        case page = "case page"
        case print = "printed form"
        case family = "family page"
        case heldItem = "held item page"
        case certificate = "certificate page"
        case cremationForm = "cremation form"
        case settlement = "settlement page"
        /// A list naming the case among others (the held items, the day's pickups, the hospital's cases).
        case list = "list"
    }

    /// The table, as its own owner's migrations; `formerly` the number it had in the service's
    /// former single numbering (intake 23, the departments 27).
    public static func migrationGroup(formerly: Int) -> MigrationGroup {
        MigrationGroup(owner: "case-reads", [Migration(version: 1, formerly: formerly, name: "case reads", sql: """
            CREATE TABLE case_reads (
                seq bigserial PRIMARY KEY,
                case_id uuid NOT NULL,
                reader_kind text NOT NULL,
                reader text NOT NULL,
                view text NOT NULL,
                read_at timestamptz NOT NULL DEFAULT now());
            CREATE INDEX case_reads_by_case ON case_reads (case_id, read_at);
            CREATE INDEX case_reads_by_time ON case_reads (read_at);
            """)])
    }

    /// Records a read on the caller's connection.
    public static func record(caseId: UUID, by reader: Reader, view: View, on db: PostgresConnection) throws {
        try db.execute("INSERT INTO case_reads (case_id, reader_kind, reader, view) VALUES ($1, $2, $3, $4)",
                       [caseId, reader.kind, reader.name, view.rawValue])
    }

    /// Records that a list showed each of the cases, in one statement on the caller's connection.
    public static func record(caseIds: [UUID], by reader: Reader, view: View, on db: PostgresConnection) throws {
        guard !caseIds.isEmpty else { return }
        try db.execute(insertSQL(from: "unnest($1::uuid[]) AS listed (case_id)", firstParameter: 2),
                       [SQLArray(caseIds.map(\.lowercased))] + parameters(reader, view))
    }

    /// The statement recording a read of every case of `relation` (anything with a `case_id`, e.g.
    /// a page's rows in a `WITH`), its reader and view the parameters `$first` to `$first + 2`.
    public static func insertSQL(from relation: String, firstParameter first: Int) -> String {
        """
        INSERT INTO case_reads (case_id, reader_kind, reader, view)
        SELECT case_id, $\(first), $\(first + 1), $\(first + 2) FROM \(relation)
        """
    }

    /// The parameters `insertSQL` takes for the reader and the view.
    public static func parameters(_ reader: Reader, _ view: View) -> [any SQLValue] {
        [reader.kind, reader.name, view.rawValue]
    }

    /// One recorded read, as `SERVICE audit reads` prints it.
    public struct Entry: Sendable, Equatable {
        let readAt: String
        let caseId: String
        let readerKind: String
        let reader: String
        let view: String

        /// Tab-separated, in the order of the header.
        var line: String { [readAt, caseId, readerKind, reader, view].joined(separator: "\t") }
        static let header = ["read_at", "case_id", "reader_kind", "reader", "view"].joined(separator: "\t")
    }

    /// The reads of one case or of every case, since a day (Beijing time), oldest first, at most `limit`.
    public static func list(caseId: UUID?, since: String?, limit: Int, on db: PostgresConnection) throws -> [Entry] {
        try db.execute("""
            SELECT \(beijingTimeSQL("read_at")) AS read_at, case_id, reader_kind, reader, view FROM case_reads
            WHERE ($1::uuid IS NULL OR case_id = $1::uuid) AND ($2::date IS NULL OR read_at >= ($2::date::timestamp AT TIME ZONE 'Asia/Shanghai'))
            ORDER BY read_at, seq LIMIT $3
            """, [caseId?.lowercased, since, limit]).rows.map { row in
            Entry(readAt: try row.string("read_at"), caseId: try row.string("case_id"), readerKind: try row.string("reader_kind"),
                  reader: try row.string("reader"), view: try row.string("view"))
        }
    }
}
