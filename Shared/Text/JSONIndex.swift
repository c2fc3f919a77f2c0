import FoundationEssentials

/// A JSON text parsed once into a flat list of its values in text order, each with the span of
/// text it stands for; containers know where they end and values know their container, so a
/// decoder walks the list without building a tree or copying text it does not read.
struct JSONIndex {
    enum Kind: UInt8 {
        case object, array, string, number, `true`, `false`, null
    }

    struct Value {
        var kind: Kind
        /// A string whose text holds escapes.
        var escaped = false
        /// The text: a string's without its quotes, a number's digits; for containers unused.
        var start: Int32
        var end: Int32
        /// The index just past this value and everything in it.
        var next: Int32 = 0
        /// The container holding this value (an object's member names and values both have the
        /// object); -1 at the root.
        var parent: Int32
    }

    let bytes: [UInt8]
    private(set) var values: [Value] = []

    /// Containers nested deeper than this are refused rather than risk the stack.
    static let maximumDepth = 512

    init(_ bytes: [UInt8]) throws {
        guard bytes.count < Int32.max else { throw Self.invalid(.tooLong, at: 0, in: bytes) }
        self.bytes = bytes
        values.reserveCapacity(bytes.count / 8)
        var position = 0
        try parseValue(at: &position, parent: -1, depth: 0)
        skipWhitespace(&position)
        guard position == bytes.count else { throw invalid(.trailingText, at: position) }
    }

    // MARK: Reading the parsed values

    /// The text of the string at `index`, its escapes resolved; nil when it is not valid UTF-8 or
    /// an escape stands for half a surrogate pair.
    func string(at index: Int) -> String? {
        let value = values[index]
        let text = bytes[Int(value.start)..<Int(value.end)]
        guard value.escaped else { return String(validating: text, as: UTF8.self) }
        return Self.unescape(text).flatMap { String(validating: $0, as: UTF8.self) }
    }

    /// Whether the string at `index` is exactly `text` (a member name compared without copying it).
    func string(at index: Int, equals text: String) -> Bool {
        let value = values[index]
        guard !value.escaped else { return string(at: index) == text }
        let span = Int(value.start)..<Int(value.end)
        var text = text
        return text.withUTF8 { utf8 in utf8.count == span.count && bytes[span].elementsEqual(utf8) }
    }

    /// The digits of the number at `index`.
    func numberText(at index: Int) -> Substring {
        let value = values[index]
        return Substring(decoding: bytes[Int(value.start)..<Int(value.end)], as: UTF8.self)
    }

    // MARK: Parsing

    private mutating func parseValue(at position: inout Int, parent: Int, depth: Int) throws {
        skipWhitespace(&position)
        guard position < bytes.count else { throw invalid(.endsEarly) }
        let index = values.count
        values.append(Value(kind: .null, start: Int32(position), end: Int32(position), parent: Int32(parent)))
        switch bytes[position] {
        case UInt8(ascii: "{"):
            try parseContainer(index, at: &position, kind: .object, closer: UInt8(ascii: "}"), depth: depth)
        case UInt8(ascii: "["):
            try parseContainer(index, at: &position, kind: .array, closer: UInt8(ascii: "]"), depth: depth)
        case UInt8(ascii: "\""):
            values[index].kind = .string
            try parseString(index, at: &position)
        case UInt8(ascii: "t"): try parseLiteral(index, "true", .true, at: &position)
        case UInt8(ascii: "f"): try parseLiteral(index, "false", .false, at: &position)
        case UInt8(ascii: "n"): try parseLiteral(index, "null", .null, at: &position)
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            try parseNumber(index, at: &position)
        default:
            throw invalid(.unexpectedCharacter, at: position)
        }
        values[index].next = Int32(values.count)
    }

    private mutating func parseContainer(_ index: Int, at position: inout Int, kind: Kind, closer: UInt8,
                                         depth: Int) throws {
        guard depth < Self.maximumDepth else { throw invalid(.nestedTooDeep, at: position) }
        values[index].kind = kind
        position += 1
        skipWhitespace(&position)
        if position < bytes.count, bytes[position] == closer {
            position += 1
            return
        }
        while true {
            if kind == .object {
                skipWhitespace(&position)
                guard position < bytes.count, bytes[position] == UInt8(ascii: "\"") else {
                    throw invalid(.expectedMemberName, at: position)
                }
                let name = values.count
                values.append(Value(kind: .string, start: Int32(position), end: Int32(position), parent: Int32(index)))
                try parseString(name, at: &position)
                values[name].next = Int32(values.count)
                skipWhitespace(&position)
                guard position < bytes.count, bytes[position] == UInt8(ascii: ":") else {
                    throw invalid(.expectedColon, at: position)
                }
                position += 1
            }
            try parseValue(at: &position, parent: index, depth: depth + 1)
            skipWhitespace(&position)
            guard position < bytes.count else { throw invalid(.endsEarly) }
            switch bytes[position] {
            case UInt8(ascii: ","):
                position += 1
            case closer:
                position += 1
                return
            default:
                throw invalid(.expectedCommaOrEnd, at: position)
            }
        }
    }

    /// Finds the string's end; escapes are checked when the string is read.
    private mutating func parseString(_ index: Int, at position: inout Int) throws {
        position += 1
        let start = position
        while position < bytes.count {
            switch bytes[position] {
            case UInt8(ascii: "\""):
                values[index].start = Int32(start)
                values[index].end = Int32(position)
                position += 1
                return
            case UInt8(ascii: "\\"):
                values[index].escaped = true
                try checkEscape(at: &position)
            case ..<0x20:
                throw invalid(.controlCharacterInString, at: position)
            default:
                position += 1
            }
        }
        throw invalid(.endsEarly)   // a string can only be left open by the end of the text
    }

    /// Steps over the escape at `position` (its backslash), refusing one JSON does not have.
    private func checkEscape(at position: inout Int) throws {
        let escape = position
        position += 1
        guard position < bytes.count else { throw invalid(.malformedEscape, at: escape) }
        switch bytes[position] {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"), UInt8(ascii: "b"), UInt8(ascii: "f"),
             UInt8(ascii: "n"), UInt8(ascii: "r"), UInt8(ascii: "t"):
            position += 1
        case UInt8(ascii: "u"):
            guard position + 4 < bytes.count, bytes[position + 1...position + 4].allSatisfy({ Hex.value(of: $0) != nil })
            else { throw invalid(.malformedEscape, at: escape) }
            position += 5
        default:
            throw invalid(.malformedEscape, at: escape)
        }
    }

    private mutating func parseLiteral(_ index: Int, _ literal: StaticString, _ kind: Kind, at position: inout Int) throws {
        let length = literal.utf8CodeUnitCount
        guard position + length <= bytes.count,
              bytes[position..<position + length].elementsEqual(UnsafeBufferPointer(start: literal.utf8Start, count: length))
        else { throw invalid(.unexpectedCharacter, at: position) }
        values[index].kind = kind
        position += length
    }

    /// RFC 8259's number: `-`, digits without a leading zero, an optional fraction and exponent.
    private mutating func parseNumber(_ index: Int, at position: inout Int) throws {
        let start = position
        func digits() -> Int {
            let first = position
            while position < bytes.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[position]) { position += 1 }
            return position - first
        }
        if bytes[position] == UInt8(ascii: "-") { position += 1 }
        let leadingZero = position < bytes.count && bytes[position] == UInt8(ascii: "0")
        let integerDigits = digits()
        guard integerDigits > 0, !(leadingZero && integerDigits > 1) else { throw invalid(.malformedNumber, at: start) }
        if position < bytes.count, bytes[position] == UInt8(ascii: ".") {
            position += 1
            guard digits() > 0 else { throw invalid(.malformedNumber, at: start) }
        }
        if position < bytes.count, bytes[position] | 0x20 == UInt8(ascii: "e") {
            position += 1
            if position < bytes.count, bytes[position] == UInt8(ascii: "+") || bytes[position] == UInt8(ascii: "-") {
                position += 1
            }
            guard digits() > 0 else { throw invalid(.malformedNumber, at: start) }
        }
        values[index].kind = .number
        values[index].end = Int32(position)
    }

    private func skipWhitespace(_ position: inout Int) {
        while position < bytes.count {
            switch bytes[position] {
            case UInt8(ascii: " "), UInt8(ascii: "\n"), UInt8(ascii: "\r"), UInt8(ascii: "\t"): position += 1
            default: return
            }
        }
    }

    /// A string's text with its escapes resolved, as UTF-8 (the parser checked their form); nil
    /// for half a surrogate pair.
    private static func unescape(_ text: ArraySlice<UInt8>) -> [UInt8]? {
        var result: [UInt8] = []
        result.reserveCapacity(text.count)
        var position = text.startIndex
        func hexQuad() -> UInt32 {
            defer { position += 4 }
            return text[position..<position + 4].reduce(0) { $0 << 4 | UInt32(Hex.value(of: $1) ?? 0) }
        }
        while position < text.endIndex {
            let byte = text[position]
            position += 1
            guard byte == UInt8(ascii: "\\") else {
                result.append(byte)
                continue
            }
            let escape = text[position]
            position += 1
            switch escape {
            case UInt8(ascii: "b"): result.append(0x08)
            case UInt8(ascii: "f"): result.append(0x0c)
            case UInt8(ascii: "n"): result.append(0x0a)
            case UInt8(ascii: "r"): result.append(0x0d)
            case UInt8(ascii: "t"): result.append(0x09)
            case UInt8(ascii: "u"):
                var scalar = hexQuad()
                if (0xD800..<0xDC00).contains(scalar) {
                    guard position + 6 <= text.endIndex, text[position] == UInt8(ascii: "\\"),
                          text[position + 1] == UInt8(ascii: "u") else { return nil }
                    position += 2
                    let low = hexQuad()
                    guard (0xDC00..<0xE000).contains(low) else { return nil }
                    scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                }
                guard let unicode = Unicode.Scalar(scalar) else { return nil }
                result.append(contentsOf: UTF8.encode(unicode)!)
            default:
                result.append(escape)   // \", \\ and \/
            }
        }
        return result
    }

    /// The error of a syntax `problem` at `position`; whatever was expected past the end of the
    /// text, the problem is that the text ends early.
    private func invalid(_ problem: JSONSyntaxError.Problem, at position: Int? = nil) -> DecodingError {
        let position = position ?? bytes.count
        return Self.invalid(position < bytes.count ? problem : .endsEarly, at: position, in: bytes)
    }

    private static func invalid(_ problem: JSONSyntaxError.Problem, at position: Int, in bytes: [UInt8]) -> DecodingError {
        let error = JSONSyntaxError(problem, at: position, in: bytes)
        return .dataCorrupted(.init(codingPath: [], debugDescription:
            "The given data was not valid JSON: \(problem.english) at \(error.position).", underlyingError: error))
    }
}
