import FoundationEssentials

/// A calendar month (`YYYY-MM`), e.g. the month a pension stops from.
public struct YearMonth: Hashable, Sendable, Comparable, CustomStringConvertible {
    public let year: Int
    public let month: Int

    /// Nil unless the year is 1…9999 and the month 1…12.
    public init?(year: Int, month: Int) {
        guard (1...9999).contains(year), (1...12).contains(month) else { return nil }
        self.year = year
        self.month = month
    }

    /// Parses `YYYY-MM`.
    public init?(_ text: String) {
        guard let dash = text.utf8.firstIndex(of: UInt8(ascii: "-")),
              let y = Int(asciiDigits: text[..<dash], length: 4),
              let m = Int(asciiDigits: text[text.utf8.index(after: dash)...], length: 2)
        else { return nil }
        self.init(year: y, month: m)
    }

    /// The month `date` falls in.
    public init(containing date: CalendarDate) {
        year = date.year
        month = date.month
    }

    /// The month after this one; nil after 9999-12.
    public var next: YearMonth? {
        month == 12 ? YearMonth(year: year + 1, month: 1) : YearMonth(year: year, month: month + 1)
    }

    public var description: String { "\(year.zeroPadded(4))-\(month.zeroPadded(2))" }

    public static func < (lhs: YearMonth, rhs: YearMonth) -> Bool {
        (lhs.year, lhs.month) < (rhs.year, rhs.month)
    }
}

extension YearMonth: Codable {
    public init(from decoder: any Decoder) throws {
        self = try decoder.decodeText(expected: "a month YYYY-MM", chinese: "年月，格式YYYY-MM") { YearMonth($0) }
    }

    public func encode(to encoder: any Encoder) throws {
        try encoder.encodeText(description)
    }
}
