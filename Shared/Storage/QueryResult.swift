import FoundationEssentials
import HoushiText

/// The rows of a query, copied out of libpq's result so it can be freed at once.
public struct QueryResult: Sendable {
    public let columns: [String]
    public let rows: [Row]
    /// Rows inserted, updated or deleted (PQcmdTuples), 0 when not applicable.
    public let affectedRows: Int

    public var first: Row? { rows.first }
}

/// One row; values are PostgreSQL's text form, read by column name.
public struct Row: Sendable {
    let columns: [String]
    let values: [String?]

    public subscript(_ column: String) -> String? {
        guard let index = columns.firstIndex(of: column) else {
            preconditionFailure("no column \(column) in \(columns)")
        }
        return values[index]
    }

    public func string(_ column: String) throws -> String {
        guard let value = self[column] else { throw PostgresError(message: "column \(column) is NULL") }
        return value
    }

    public func int(_ column: String) throws -> Int {
        guard let value = Int(try string(column)) else { throw PostgresError(message: "column \(column) is not an integer") }
        return value
    }

    public func int64(_ column: String) throws -> Int64 {
        guard let value = Int64(try string(column)) else { throw PostgresError(message: "column \(column) is not an integer") }
        return value
    }

    public func bool(_ column: String) throws -> Bool { try string(column) == "t" }

    public func uuid(_ column: String) throws -> UUID {
        guard let value = UUID(text: try string(column)) else { throw PostgresError(message: "column \(column) is not a uuid") }
        return value
    }

    /// A `bytea` column in hex form.
    public func bytes(_ column: String) throws -> Data {
        let hex = Array(try string(column).utf8)
        let invalid = PostgresError(message: "column \(column) is not bytea hex")
        guard hex.count >= 2, hex.count % 2 == 0, hex[0] == UInt8(ascii: "\\"), hex[1] == UInt8(ascii: "x")
        else { throw invalid }
        var bytes = [UInt8](repeating: 0, count: hex.count / 2 - 1)
        for index in bytes.indices {
            guard let high = Hex.value(of: hex[2 + 2 * index]), let low = Hex.value(of: hex[3 + 2 * index]) else { throw invalid }
            bytes[index] = high << 4 | low
        }
        return Data(bytes)
    }
}
