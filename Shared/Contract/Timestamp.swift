import FoundationEssentials

/// An instant with the UTC offset it was written in, coded as RFC 3339
/// (`2026-11-28T06:15:00+08:00`). New timestamps use Asia/Shanghai's +08:00.
public struct Timestamp: Hashable, Sendable, Comparable, CustomStringConvertible {
    public var date: Date
    /// Seconds east of UTC, e.g. 28800 for +08:00.
    public var utcOffset: Int

    /// China Standard Time, the default offset.
    public static let chinaOffset = 8 * 3600

    public init(_ date: Date, utcOffset: Int = Timestamp.chinaOffset) {
        // Whole milliseconds: what the text form carries.
        self.date = Date(timeIntervalSince1970: (date.timeIntervalSince1970 * 1000).rounded() / 1000)
        self.utcOffset = utcOffset
    }

    public static func now() -> Timestamp { Timestamp(Date()) }

    public static func < (lhs: Timestamp, rhs: Timestamp) -> Bool { lhs.date < rhs.date }

    public var description: String { rfc3339 }

    /// RFC 3339 text; fractional seconds only when the instant has them.
    public var rfc3339: String {
        let millis = Int64((date.timeIntervalSince1970 * 1000).rounded())
        let local = millis + Int64(utcOffset) * 1000
        let (days, msOfDay) = local.floorDivided(by: 86_400_000)
        let (y, m, d) = CalendarDate.civil(fromDays: days)
        let seconds = Int(msOfDay / 1000)
        var text: [UInt8] = []
        text.reserveCapacity(29)
        for (value, width, separator) in [(y, 4, "-"), (m, 2, "-"), (d, 2, "T"), (seconds / 3600, 2, ":"),
                                          (seconds / 60 % 60, 2, ":"), (seconds % 60, 2, nil)] as [(Int, Int, Unicode.Scalar?)] {
            text.appendDigits(value, width: width)
            if let separator { text.append(UInt8(ascii: separator)) }
        }
        if msOfDay % 1000 != 0 {
            text.append(UInt8(ascii: "."))
            text.appendDigits(Int(msOfDay % 1000), width: 3)
        }
        if utcOffset == 0 {
            text.append(UInt8(ascii: "Z"))
        } else {
            let offsetMinutes = abs(utcOffset) / 60
            text.append(UInt8(ascii: utcOffset < 0 ? "-" : "+"))
            text.appendDigits(offsetMinutes / 60, width: 2)
            text.append(UInt8(ascii: ":"))
            text.appendDigits(offsetMinutes % 60, width: 2)
        }
        return String(decoding: text, as: UTF8.self)
    }

    /// Parses RFC 3339 (`YYYY-MM-DDTHH:MM:SS[.fff…](Z|±HH:MM)`); nil for anything else.
    public init?(rfc3339 text: String) {
        let chars = Array(text.utf8)
        func number(_ range: Range<Int>) -> Int? {
            guard range.upperBound <= chars.count else { return nil }
            var value = 0
            for c in chars[range] {
                guard c >= 48, c <= 57 else { return nil }
                value = value * 10 + Int(c - 48)
            }
            return value
        }
        guard chars.count >= 20, chars[4] == 45, chars[7] == 45, chars[10] == 84 || chars[10] == 116,
              chars[13] == 58, chars[16] == 58,
              let year = number(0..<4), let month = number(5..<7), let day = number(8..<10),
              let hour = number(11..<13), let minute = number(14..<16), let second = number(17..<19),
              CalendarDate(year: year, month: month, day: day) != nil,
              hour < 24, minute < 60, second < 60
        else { return nil }
        var index = 19
        var millis = 0
        if chars[index] == 46 {
            index += 1
            let start = index
            while index < chars.count, chars[index] >= 48, chars[index] <= 57 { index += 1 }
            guard index > start else { return nil }
            let digits = chars[start..<min(index, start + 3)].map { Int($0 - 48) }
            millis = digits.enumerated().reduce(0) { $0 + $1.element * [100, 10, 1][$1.offset] }
        }
        guard index < chars.count else { return nil }
        let offset: Int
        if chars[index] == 90 || chars[index] == 122 {
            guard index + 1 == chars.count else { return nil }
            offset = 0
        } else {
            guard chars[index] == 43 || chars[index] == 45, index + 6 == chars.count, chars[index + 3] == 58,
                  let oh = number(index + 1..<index + 3), let om = number(index + 4..<index + 6), oh < 24, om < 60
            else { return nil }
            offset = (chars[index] == 45 ? -1 : 1) * (oh * 3600 + om * 60)
        }
        let days = CalendarDate.days(fromCivil: year, month, day)
        let localSeconds = Int64(days) * 86_400 + Int64(hour * 3600 + minute * 60 + second)
        let utcMillis = (localSeconds - Int64(offset)) * 1000 + Int64(millis)
        self.init(Date(timeIntervalSince1970: Double(utcMillis) / 1000), utcOffset: offset)
    }

    /// The same instant written in Beijing time (+08:00), as every rule of Houshi reads it.
    public var inBeijingTime: Timestamp { Timestamp(date, utcOffset: Self.chinaOffset) }

    /// The calendar date in Beijing time (UTC+8) at this instant, whatever offset it was written
    /// in: the date every rule decides by (month of death, age, rules in force, deadlines).
    public var beijingDate: CalendarDate {
        let local = Int64((date.timeIntervalSince1970).rounded(.down)) + Int64(Self.chinaOffset)
        let (days, _) = local.floorDivided(by: 86_400)
        let (y, m, d) = CalendarDate.civil(fromDays: days)
        return CalendarDate(year: y, month: m, day: d)!
    }
}

extension Timestamp: Codable {
    public init(from decoder: any Decoder) throws {
        self = try decoder.decodeText(expected: "an RFC 3339 time with offset, as 2026-11-28T06:15:00+08:00",
                                      chinese: "带时区的时间，如2026-11-28T06:15:00+08:00") { Timestamp(rfc3339: $0) }
    }

    public func encode(to encoder: any Encoder) throws {
        try encoder.encodeText(rfc3339)
    }
}

extension Int64 {
    /// Floor division and non-negative remainder.
    fileprivate func floorDivided(by divisor: Int64) -> (quotient: Int64, remainder: Int64) {
        let q = (self >= 0 ? self : self - divisor + 1) / divisor
        return (q, self - q * divisor)
    }
}
