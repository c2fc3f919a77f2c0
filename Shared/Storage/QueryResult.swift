import Foundation

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
        guard let value = UUID(uuidString: try string(column)) else { throw PostgresError(message: "column \(column) is not a uuid") }
        return value
    }

    /// A `bytea` column in hex form.
    public func bytes(_ column: String) throws -> Data {
        let text = try string(column)
        guard text.hasPrefix("\\x"), text.count % 2 == 0 else { throw PostgresError(message: "column \(column) is not bytea hex") }
        var data = Data(capacity: text.utf8.count / 2 - 1)
        var high: UInt8?
        for c in text.utf8.dropFirst(2) {
            let nibble: UInt8
            switch c {
            case 48...57: nibble = c - 48
            case 97...102: nibble = c - 87
            case 65...70: nibble = c - 55
            default: throw PostgresError(message: "column \(column) is not bytea hex")
            }
            if let h = high { data.append(h << 4 | nibble); high = nil } else { high = nibble }
        }
        return data
    }
}
