import Foundation
import HoushiContract
import Testing

@Suite("Timestamp")
struct TimestampTests {
    /// 2026-11-28T06:15:00+08:00, the example's time of death.
    private let diedAt = Date(timeIntervalSince1970: 1_795_817_700)

    @Test("parses an offset and keeps it")
    func offset() throws {
        let time = try #require(Timestamp(rfc3339: "2026-11-28T06:15:00+08:00"))
        #expect(time.date == diedAt)
        #expect(time.utcOffset == 8 * 3600)
        #expect(time.beijingDate == CalendarDate(year: 2026, month: 11, day: 28))
    }

    @Test("parses Z and negative offsets as the same instant")
    func utcAndNegativeOffsets() throws {
        let utc = try #require(Timestamp(rfc3339: "2026-11-27T22:15:00Z"))
        #expect(utc.date == diedAt)
        #expect(utc.utcOffset == 0)
        #expect(utc.beijingDate == CalendarDate(year: 2026, month: 11, day: 28), "the date is Beijing's, not UTC's")
        let west = try #require(Timestamp(rfc3339: "2026-11-27T16:45:00-05:30"))
        #expect(west.date == diedAt)
        #expect(west.utcOffset == -(5 * 3600 + 30 * 60))
        #expect(utc != west, "same instant, different offsets")
    }

    @Test("the date of an instant is Beijing's whatever offset it is written in", arguments: [
        ("2026-11-30T16:30:00Z", "2026-12-01"),         // 00:30 on 1 December in 抚远
        ("2026-11-30T15:59:59Z", "2026-11-30"),
        ("2026-11-30T11:30:00-05:00", "2026-12-01"),
        ("2026-12-01T00:30:00+08:00", "2026-12-01"),
        ("2026-12-31T16:00:00Z", "2027-01-01"),
        ("2027-01-01T01:00:00+09:00", "2027-01-01"),
    ])
    func beijingDate(_ text: String, _ date: String) throws {
        let time = try #require(Timestamp(rfc3339: text))
        #expect(time.beijingDate == CalendarDate(date))
        #expect(time.inBeijingTime.rfc3339.hasSuffix("+08:00"))
        #expect(time.inBeijingTime.date == time.date)
    }

    @Test("keeps fractional seconds to the millisecond", arguments: [
        ("2026-11-28T06:15:00.5+08:00", "2026-11-28T06:15:00.500+08:00"),
        ("2026-11-28T06:15:00.123456+08:00", "2026-11-28T06:15:00.123+08:00"),
        ("2026-11-28T06:15:00.000Z", "2026-11-28T06:15:00Z"),
    ])
    func fractionalSeconds(_ text: String, _ canonical: String) throws {
        #expect(try #require(Timestamp(rfc3339: text)).rfc3339 == canonical)
    }

    @Test("round-trips its canonical text", arguments: [
        "2026-11-28T06:15:00+08:00", "2026-11-27T22:15:00Z", "2026-11-27T16:45:00-05:30",
        "2026-11-28T06:15:00.250+08:00", "1941-03-15T00:00:00+08:00", "2024-02-29T23:59:59+14:00",
    ])
    func roundTrip(_ text: String) throws {
        let time = try #require(Timestamp(rfc3339: text))
        #expect(time.rfc3339 == text)
        let json = try MessageCodec().encodeValue([time])
        #expect(String(decoding: json, as: UTF8.self) == "[\"\(text)\"]")
        #expect(try JSONDecoder().decode([Timestamp].self, from: json) == [time])
    }

    @Test("accepts the leap day of a leap year only")
    func leapDay() {
        #expect(Timestamp(rfc3339: "2024-02-29T12:00:00+08:00") != nil)
        #expect(Timestamp(rfc3339: "2025-02-29T12:00:00+08:00") == nil)
    }

    @Test("rejects anything but RFC 3339 with an offset", arguments: [
        "", "2026-11-28", "2026-11-28T06:15:00", "2026-11-28 06:15:00+08:00", "2026-11-28T06:15+08:00",
        "2026-11-28T24:00:00+08:00", "2026-11-28T06:60:00Z", "2026-11-28T06:15:60Z", "2026-13-01T00:00:00Z",
        "2026-11-28T06:15:00+0800", "2026-11-28T06:15:00+08", "2026-11-28T06:15:00+24:00",
        "2026-11-28T06:15:00.Z", "2026-11-28T06:15:00Zx", "2026-11-28T06:15:00+08:00 ", "26-11-28T06:15:00Z",
    ])
    func rejects(_ text: String) {
        #expect(Timestamp(rfc3339: text) == nil)
    }

    @Test("decoding a malformed time fails")
    func decodingFails() {
        #expect(throws: DecodingError.self) { try JSONDecoder().decode([Timestamp].self, from: Data(#"["2026-11-28"]"#.utf8)) }
    }

    @Test("rounds new timestamps to the millisecond, in +08:00 by default")
    func fromDate() {
        let time = Timestamp(Date(timeIntervalSince1970: 1.0004))
        #expect(time.rfc3339 == "1970-01-01T08:00:01+08:00")
        #expect(Timestamp(diedAt).rfc3339 == "2026-11-28T06:15:00+08:00")
    }

    @Test("orders by instant, whatever the offset")
    func ordering() throws {
        let early = try #require(Timestamp(rfc3339: "2026-11-28T06:15:00+08:00"))
        let late = try #require(Timestamp(rfc3339: "2026-11-27T22:16:00Z"))
        #expect(early < late)
    }
}
