import FoundationEssentials

/// Helpers for values whose JSON form is one string in a fixed text format.
extension Decoder {
    /// Decodes one string and parses it, failing with `dataCorrupted` that names the expected
    /// form in English and Chinese (a `ValueProblem`).
    func decodeText<T>(expected form: String, chinese formZh: String, _ parse: (String) -> T?) throws -> T {
        let container = try singleValueContainer()
        let text = try container.decode(String.self)
        guard let value = parse(text) else {
            let problem = ValueProblem.notInForm(form, chinese: formZh, got: text)
            throw DecodingError.dataCorrupted(.init(codingPath: codingPath, debugDescription: problem.english,
                                                    underlyingError: problem))
        }
        return value
    }
}

extension Encoder {
    /// Encodes `text` as the single value.
    func encodeText(_ text: String) throws {
        var container = singleValueContainer()
        try container.encode(text)
    }
}

extension KeyedDecodingContainer {
    /// Decodes a UUID from its text form, in either case.
    func decodeUUID(forKey key: Key) throws -> UUID {
        let text = try decode(String.self, forKey: key)
        guard let uuid = UUID(text: text) else {
            let problem = ValueProblem.notInForm("a UUID", chinese: "UUID", got: text)
            throw DecodingError.dataCorrupted(.init(codingPath: codingPath + [key], debugDescription: problem.english,
                                                    underlyingError: problem))
        }
        return uuid
    }

    /// Decodes a UUID from its text form when the key is present and not null.
    func decodeUUIDIfPresent(forKey key: Key) throws -> UUID? {
        try contains(key) && !decodeNil(forKey: key) ? decodeUUID(forKey: key) : nil
    }
}

extension Int {
    /// Parses ASCII decimal digits only (no sign, no spaces), exactly `length` of them when given.
    init?<S: StringProtocol>(asciiDigits text: S, length: Int? = nil) {
        guard !text.isEmpty, length.map({ text.utf8.count == $0 }) ?? true,
              text.utf8.allSatisfy({ (48...57).contains($0) }), let value = Int(text)
        else { return nil }
        self = value
    }

    /// The decimal digits with zeros in front up to `width` (`7.zeroPadded(3)` is `"007"`); a
    /// formatter-free version for hot paths (String(format:) costs a Foundation round trip).
    func zeroPadded(_ width: Int) -> String {
        var text: [UInt8] = []
        text.appendDigits(self, width: width)
        return String(decoding: text, as: UTF8.self)
    }
}

extension [UInt8] {
    /// Appends the decimal digits of `value` (0 or more), with zeros in front up to `width`.
    mutating func appendDigits(_ value: Int, width: Int) {
        precondition(value >= 0, "no digits for a negative value")
        let start = count
        var rest = value
        repeat {
            append(UInt8(truncatingIfNeeded: 48 + rest % 10))
            rest /= 10
        } while rest > 0
        while count - start < width { append(48) }
        self[start...].reverse()
    }
}

extension StringProtocol {
    /// The text without leading and trailing white space (spaces, tabs, line breaks).
    public var trimmingWhitespace: String {
        guard let first = firstIndex(where: { !$0.isWhitespace }), let last = lastIndex(where: { !$0.isWhitespace }) else {
            return ""
        }
        return String(self[first...last])
    }
}
