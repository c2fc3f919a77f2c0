/// Reads CSV text (RFC 4180: comma-separated, fields with commas, quotes or line breaks in
/// double quotes, `""` for a quote) into records that keep their line numbers for error reports.
public struct CSVReader: Sendable {
    /// One record: its fields by header name, and the line it starts on (1 is the header).
    public struct Record: Sendable, Equatable {
        public let line: Int
        public let fields: [String: String]

        public subscript(_ column: String) -> String { fields[column] ?? "" }
    }

    /// A problem that makes the whole file unreadable (as opposed to one bad record).
    public struct FormatError: Error, Sendable, Equatable, CustomStringConvertible {
        public let line: Int
        public let problem: String
        public var description: String { "line \(line): \(problem)" }
    }

    public let header: [String]
    public let records: [Record]

    /// Parses `text`; the first row is the header and must contain `required` columns.
    public init(_ text: String, required: [String]) throws {
        var rows = try Self.rows(text)
        guard !rows.isEmpty else { throw FormatError(line: 1, problem: "the file is empty") }
        let names = rows.removeFirst().fields.map { $0.trimmingWhitespace }
        let missing = required.filter { !names.contains($0) }
        guard missing.isEmpty else {
            throw FormatError(line: 1, problem: "the header lacks \(missing.joined(separator: ", "))")
        }
        header = names
        records = try rows.filter { !($0.fields.count == 1 && $0.fields[0].isEmpty) }.map { row in
            guard row.fields.count == names.count else {
                throw FormatError(line: row.line, problem: "\(row.fields.count) fields where the header has \(names.count)")
            }
            return Record(line: row.line, fields: Dictionary(zip(names, row.fields)) { first, _ in first })
        }
    }

    private static func rows(_ text: String) throws -> [(line: Int, fields: [String])] {
        var rows: [(line: Int, fields: [String])] = []
        var fields: [String] = []
        var field = ""
        var quoted = false
        var line = 1
        var rowLine = 1
        var characters = text.makeIterator()
        var pending: Character? = nil
        func endRow() {
            fields.append(field)
            rows.append((rowLine, fields))
            fields = []
            field = ""
        }
        while let character = pending ?? characters.next() {
            pending = nil
            if quoted {
                if character == "\"" {
                    let next = characters.next()
                    if next == "\"" { field.append("\"") } else { quoted = false; pending = next }
                } else {
                    if character == "\n" || character == "\r\n" { line += 1 }
                    field.append(character)
                }
                continue
            }
            switch character {
            case "\"" where field.isEmpty: quoted = true
            case ",": fields.append(field); field = ""
            case "\n", "\r\n":
                endRow()
                line += 1
                rowLine = line
            default: field.append(character)
            }
        }
        guard !quoted else { throw FormatError(line: rowLine, problem: "a quoted field is not closed") }
        if !field.isEmpty || !fields.isEmpty { endRow() }
        return rows
    }
}
