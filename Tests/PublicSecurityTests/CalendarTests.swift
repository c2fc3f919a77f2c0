import Foundation
import HoushiContract
import Testing
@testable import PublicSecurity

/// The official calendar against the State Council notices for 2025 and 2026.
struct CalendarTests {
    static let calendarDirectory = URL(filePath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appending(path: "Services/PublicSecurity/Calendar")

    let calendar: OfficialCalendar

    init() throws {
        calendar = try OfficialCalendar.load(from: Self.calendarDirectory)
    }

    private func date(_ text: String) -> CalendarDate { CalendarDate(text)! }

    /// The deadline for a receipt, as RFC 3339 text.
    private func deadline(_ receipt: String) throws -> String {
        try calendar.deadline(oneWorkingDayFrom: #require(Timestamp(rfc3339: receipt))).time.rfc3339
    }

    @Test("Spring Festival 2026: the make-up Saturday counts, the holiday does not", arguments: [
        ("2026-02-13T10:00:00+08:00", "2026-02-14T10:00:00+08:00"),
        ("2026-02-14T10:00:00+08:00", "2026-02-24T10:00:00+08:00"),
        ("2026-02-15T09:30:00+08:00", "2026-02-25T00:00:00+08:00"),
    ])
    func springFestival2026(receipt: String, expected: String) throws {
        #expect(try deadline(receipt) == expected)
    }

    @Test("National Day 2025: the day before the holiday runs to the first day after it")
    func nationalDay2025() throws {
        #expect(try deadline("2025-09-30T11:20:00+08:00") == "2025-10-09T11:20:00+08:00")
        #expect(calendar.nextWorkingDay(after: date("2025-09-30")) == date("2025-10-09"))
    }

    @Test("Make-up and ordinary days of 2025", arguments: [
        ("2025-10-11", true), // make-up Saturday
        ("2025-09-28", true), // make-up Sunday
        ("2025-10-08", false), // Wednesday in the National Day holiday
        ("2025-10-12", false), // plain Sunday
        ("2025-10-10", true), // plain Friday
    ])
    func workingDays(day: String, working: Bool) throws {
        #expect(calendar.isWorkingDay(date(day)) == working)
    }

    @Test("A plain weekend: Friday to Monday; a Saturday receipt runs to the end of Monday")
    func plainWeekend() throws {
        #expect(try deadline("2026-11-27T16:00:00+08:00") == "2026-11-30T16:00:00+08:00")
        #expect(try deadline("2026-11-28T06:15:00+08:00") == "2026-12-01T00:00:00+08:00")
    }

    @Test("元旦 2025 falls on a Wednesday with no make-up day")
    func newYear2025() throws {
        #expect(!calendar.isWorkingDay(date("2025-01-01")))
        #expect(!calendar.isWorkingDay(date("2025-01-04")))
        #expect(try deadline("2025-01-01T10:00:00+08:00") == "2025-01-03T00:00:00+08:00")
        #expect(try deadline("2025-01-02T10:00:00+08:00") == "2025-01-03T10:00:00+08:00")
    }

    @Test("A UTC receipt is judged on its China date and answered in +08:00")
    func utcReceipt() throws {
        // Thursday 17:30 UTC is Friday 01:30 in China.
        #expect(try deadline("2026-11-26T17:30:00Z") == "2026-11-30T01:30:00+08:00")
        // Friday 16:30 UTC is Saturday 00:30 in China.
        #expect(try deadline("2026-11-27T16:30:00Z") == "2026-12-01T00:00:00+08:00")
    }

    @Test("A year without data counts weekends only and says so; its holidays are not guessed")
    func yearWithoutData() throws {
        #expect(calendar.isWorkingDay(date("2027-01-01")), "a Friday: 元旦 2027 is not known yet")
        #expect(!calendar.isWorkingDay(date("2027-01-02")))
        #expect(calendar.nextWorkingDay(after: date("2026-12-31")) == date("2027-01-01"))
        // Thursday 2026-12-31 15:00: due Friday 2027-01-01 15:00, counted without 2027's data.
        let held = calendar.deadline(oneWorkingDayFrom: try #require(Timestamp(rfc3339: "2026-12-31T15:00:00+08:00")))
        #expect(held.time.rfc3339 == "2027-01-01T15:00:00+08:00")
        #expect(held.yearsWithoutData == [2027])
        let known = calendar.deadline(oneWorkingDayFrom: try #require(Timestamp(rfc3339: "2026-12-30T15:00:00+08:00")))
        #expect(known.yearsWithoutData.isEmpty)
    }

    @Test("A year loaded at run time takes the place of the shipped one and of the weekends-only guess")
    func yearLoadedLater() throws {
        let year2027 = try OfficialCalendar.decode(Data(Self.yearFile(
            year: 2027, holidays: #"{"name": "元旦", "from": "2027-01-01", "to": "2027-01-03"}"#).utf8), file: "2027.json")
        let loaded = try calendar.replacing(with: year2027)
        let held = loaded.deadline(oneWorkingDayFrom: try #require(Timestamp(rfc3339: "2026-12-31T15:00:00+08:00")))
        #expect(held.time.rfc3339 == "2027-01-04T15:00:00+08:00")
        #expect(held.yearsWithoutData.isEmpty)
        let emptied = try loaded.replacing(with: try OfficialCalendar.decode(Data(Self.yearFile(year: 2027).utf8), file: "x"))
        #expect(emptied.isWorkingDay(date("2027-01-01")))
    }

    /// A 2026.json file with the given year field and lists.
    private static func yearFile(year: Int = 2026, holidays: String = "", workdays: String = "") -> String {
        #"{"year": \#(year), "source": "test", "holidays": [\#(holidays)], "workdays": [\#(workdays)]}"#
    }

    @Test("load rejects a malformed file, naming it and the problem", arguments: [
        (yearFile(year: 2025), "declares year 2025, not 2026"),
        (yearFile(holidays: #"{"name": "元旦", "from": "2025-12-31", "to": "2026-01-01"}"#), "outside 2026"),
        (yearFile(holidays: #"{"name": "清明节", "from": "2026-04-06", "to": "2026-04-04"}"#), "earlier"),
        (yearFile(holidays: #"{"name": "春节", "from": "2026-02-14", "to": "2026-02-16"}"#,
                  workdays: #"{"date": "2026-02-14", "name": "x"}"#), "both a holiday and a workday"),
        (yearFile(workdays: #"{"date": "2026-02-13", "name": "x"}"#), "not a Saturday or Sunday"),
        (yearFile(holidays: #"{"name": "元旦", "from": "2026-01-01"}"#), "holidays[0].to: is required"),
        (yearFile(workdays: #"{"date": "2026-2-14", "name": "x"}"#), "must be a date YYYY-MM-DD"),
        ("{", "is not valid JSON: the text ends before the JSON does (is the body cut short?) at line 1, column 2 (byte 1)"),
    ])
    func loadRejectsMalformedFile(content: String, problem: String) throws {
        let directory = FileManager.default.temporaryDirectory.appending(path: "calendar-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        try Data(content.utf8).write(to: directory.appending(path: "2026.json"))

        let error = #expect(throws: CalendarLoadError.self) { try OfficialCalendar.load(from: directory) }
        #expect(error?.file == "2026.json")
        #expect(error?.problem.contains(problem) == true, "\(String(describing: error))")
    }
}
