import Foundation
import HoushiContract
import Testing

@Suite("CalendarDate")
struct CalendarDateTests {
    @Test("parses and prints YYYY-MM-DD", arguments: ["2026-11-28", "1941-03-15", "2024-02-29", "2000-02-29", "0001-01-01"])
    func roundTrip(_ text: String) throws {
        let date = try #require(CalendarDate(text))
        #expect(date.description == text)
        let json = try MessageCodec().encodeValue([date])
        #expect(try JSONDecoder().decode([CalendarDate].self, from: json) == [date])
    }

    @Test("rejects dates that do not exist and malformed text", arguments: [
        "2025-02-29", "1900-02-29", "2026-04-31", "2026-00-10", "2026-13-01", "2026-01-00", "0000-01-01",
        "2026-1-01", "20260101", "2026/01/01", "2026-01-01T00:00", "", "+026-01-01", "2026-+1-01", "2026-01- 1",
    ])
    func rejects(_ text: String) {
        #expect(CalendarDate(text) == nil)
    }

    @Test("decoding a malformed date fails")
    func decodingFails() {
        #expect(throws: DecodingError.self) { try JSONDecoder().decode([CalendarDate].self, from: Data(#"["2025-02-29"]"#.utf8)) }
    }

    @Test("counts days from 1970-01-01")
    func daysSinceEpoch() {
        #expect(CalendarDate(year: 1970, month: 1, day: 1)?.daysSinceEpoch == 0)
        #expect(CalendarDate(year: 2026, month: 11, day: 28)?.daysSinceEpoch == 20_785)
        #expect(CalendarDate(year: 1941, month: 3, day: 15)?.daysSinceEpoch == -10_519)
    }

    @Test("orders by day")
    func ordering() throws {
        #expect(try #require(CalendarDate("2025-12-31")) < #require(CalendarDate("2026-01-01")))
    }
}

@Suite("YearMonth")
struct YearMonthTests {
    @Test("parses and prints YYYY-MM")
    func roundTrip() throws {
        let month = try #require(YearMonth("2026-12"))
        #expect((month.year, month.month) == (2026, 12))
        #expect(month.description == "2026-12")
        let json = try MessageCodec().encodeValue([month])
        #expect(String(decoding: json, as: UTF8.self) == #"["2026-12"]"#)
        #expect(try JSONDecoder().decode([YearMonth].self, from: json) == [month])
    }

    @Test("rejects malformed text", arguments: ["2026-13", "2026-00", "2026-1", "202612", "2026-12-01", "", "+026-12", "0000-01"])
    func rejects(_ text: String) {
        #expect(YearMonth(text) == nil)
    }

    @Test("the month after death, across a year end")
    func next() throws {
        let death = try #require(CalendarDate("2026-11-28"))
        #expect(YearMonth(containing: death).next == YearMonth(year: 2026, month: 12))
        #expect(YearMonth(year: 2026, month: 12)?.next == YearMonth(year: 2027, month: 1))
        #expect(YearMonth(year: 9999, month: 12)?.next == nil)
    }

    @Test("orders by month")
    func ordering() throws {
        #expect(try #require(YearMonth("2026-12")) < #require(YearMonth("2027-01")))
    }
}
