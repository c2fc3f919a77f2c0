import FoundationEssentials
import HoushiText

/// A value bound to a query parameter, sent in PostgreSQL's text format.
public protocol SQLValue {
    /// The text form, or nil for SQL NULL.
    var sqlText: String? { get }
}

extension String: SQLValue { public var sqlText: String? { self } }
extension Int: SQLValue { public var sqlText: String? { String(self) } }
extension Int64: SQLValue { public var sqlText: String? { String(self) } }
extension Int32: SQLValue { public var sqlText: String? { String(self) } }
extension Bool: SQLValue { public var sqlText: String? { self ? "true" : "false" } }
extension UUID: SQLValue { public var sqlText: String? { lowercased } }

extension Date: SQLValue {
    /// Seconds since the epoch: bind with `to_timestamp($n)`.
    public var sqlText: String? { String(timeIntervalSince1970) }
}

extension Data: SQLValue {
    /// `bytea` hex form.
    public var sqlText: String? {
        withUnsafeBytes { bytes in
            String(unsafeUninitializedCapacity: 2 + bytes.count * 2) { text in
                text[0] = UInt8(ascii: "\\")
                text[1] = UInt8(ascii: "x")
                var end = 2
                for byte in bytes {
                    text[end] = Hex.digit(byte >> 4)
                    text[end + 1] = Hex.digit(byte & 0x0f)
                    end += 2
                }
                return end
            }
        }
    }
}

extension Optional: SQLValue where Wrapped: SQLValue {
    public var sqlText: String? { self?.sqlText }
}

/// Binds a `text[]` parameter (e.g. `WHERE id = ANY($1::bigint[])`).
public struct SQLArray: SQLValue, Sendable {
    public let elements: [String]
    public init(_ elements: [String]) { self.elements = elements }
    public init<T: BinaryInteger>(_ elements: [T]) { self.elements = elements.map { String($0) } }

    /// `{"a","b\"c"}`: every element quoted, `"` and `\` escaped with a backslash.
    public var sqlText: String? {
        var text: [UInt8] = [UInt8(ascii: "{")]
        text.reserveCapacity(elements.reduce(2) { $0 + $1.utf8.count + 3 })
        for (index, element) in elements.enumerated() {
            if index > 0 { text.append(UInt8(ascii: ",")) }
            text.append(UInt8(ascii: "\""))
            for byte in element.utf8 {
                if byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") { text.append(UInt8(ascii: "\\")) }
                text.append(byte)
            }
            text.append(UInt8(ascii: "\""))
        }
        text.append(UInt8(ascii: "}"))
        return String(decoding: text, as: UTF8.self)
    }
}
