import ArgumentParser
import HoushiStorage

/// Why a row of an import file was not loaded.
public struct RowProblems: Error, Sendable, Equatable {
    public let problems: [String]

    public init(problems: [String]) { self.problems = problems }
}

/// What an import file holds: the rows to load, and the bad ones with their line numbers.
public struct ImportReport<Row: Sendable>: Sendable {
    public var rows: [Row] = []
    public var rejected: [(line: Int, problems: [String])] = []

    public init() {}

    /// Reads CSV `text` with the `required` columns, each record through `parse`.
    public init(csv text: String, required: [String],
                parse: (CSVReader.Record) -> Result<Row, RowProblems>) throws {
        for record in try CSVReader(text, required: required).records {
            switch parse(record) {
            case .success(let row): rows.append(row)
            case .failure(let problems): rejected.append((record.line, problems.problems))
            }
        }
    }
}

extension ServiceDefinition {
    /// Loads an import's good rows in one transaction on the service's schema and refreshes the
    /// planner's statistics of the `tables` it fills (`ANALYZE`, as after any bulk load: until
    /// autovacuum gets to them, the first cases would be planned against tables it thinks are
    /// empty); prints each bad row by line and a summary (`N <noun> loaded, M rows skipped`), and
    /// exits 2 when any row was skipped. `warnings`, asked in the same transaction after the
    /// rows are stored, names what loaded but looks wrong; each is printed as `warning: …`.
    /// The service's other tables are left alone: analyzed while still empty, they would be
    /// planned as empty (sequential scans, which grow with the table) for as long as a
    /// statement's plan stays cached.
    public static func load<Row: Sendable>(_ report: ImportReport<Row>, noun: String, tables: [String],
                                           store: @escaping @Sendable (Row, PostgresConnection) throws -> Void,
                                           warnings: @escaping @Sendable (PostgresConnection) throws -> [String] = { _ in [] })
        async throws {
        let rows = report.rows
        let found = try await withMigratedDatabase { db in
            for row in rows { try store(row, db) }
            try db.executeScript("ANALYZE \(tables.joined(separator: ", "))")
            return try warnings(db)
        }
        for bad in report.rejected { print("line \(bad.line): \(bad.problems.joined(separator: "; "))") }
        for warning in found { print("warning: \(warning)") }
        print("\(rows.count) \(noun) loaded, \(report.rejected.count) rows skipped")
        if !report.rejected.isEmpty { throw ExitCode(2) }
    }
}
