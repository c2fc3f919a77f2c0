import FoundationEssentials
import HoushiContract
import HoushiRuntime

/// One year of the State Council's holiday notice, as stored in `Calendar/NNNN.json`.
struct CalendarYear: Codable, Sendable {
    /// Consecutive days off, both ends included.
    struct Holiday: Codable, Sendable {
        var name: String
        var from: CalendarDate
        var to: CalendarDate
    }

    /// A weekend day that is a working day (调休上班).
    struct Workday: Codable, Sendable {
        var date: CalendarDate
        var name: String
    }

    var year: Int
    /// The notice the data was taken from.
    var source: String
    var holidays: [Holiday]
    var workdays: [Workday]
}

/// A deadline, and the years it was counted through without the State Council's data
/// (weekends only there): an operator must load them (`public-security calendar import`).
struct WorkingDayDeadline: Sendable, Equatable {
    var time: Timestamp
    var yearsWithoutData: Set<Int>
}

/// A calendar file that cannot be used, naming the file and the problem.
struct CalendarLoadError: Error, Equatable, Sendable, CustomStringConvertible {
    var file: String
    var problem: String

    var description: String { "\(file): \(problem)" }
}

/// China's official working-day calendar: weekends, public holidays and make-up working days.
/// A year without data counts weekends only; its dates report it, never stop the work.
struct OfficialCalendar: Sendable {
    private(set) var years: Set<Int>
    private var holidays: Set<CalendarDate>
    private var workdays: Set<CalendarDate>

    /// A calendar of the years given (none: weekends only everywhere).
    init(_ content: [CalendarYear] = []) throws(CalendarLoadError) {
        self.init(years: [], holidays: [], workdays: [])
        for year in content { try add(year, fileYear: year.year, file: "\(year.year)") }
    }

    private init(years: Set<Int>, holidays: Set<CalendarDate>, workdays: Set<CalendarDate>) {
        self.years = years
        self.holidays = holidays
        self.workdays = workdays
    }

    /// This calendar with `content` checked and put in place of whatever it had for that year.
    func replacing(with content: CalendarYear) throws(CalendarLoadError) -> OfficialCalendar {
        var calendar = self
        calendar.holidays = holidays.filter { $0.year != content.year }
        calendar.workdays = workdays.filter { $0.year != content.year }
        calendar.years.remove(content.year)
        try calendar.add(content, fileYear: content.year, file: "\(content.year)")
        return calendar
    }

    /// Reads and checks every `NNNN.json` in `directory`; other files are ignored.
    static func load(from directory: URL) throws(CalendarLoadError) -> OfficialCalendar {
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: directory.path)
        } catch {
            throw CalendarLoadError(file: directory.path,
                                    problem: "cannot list the directory: \(error)")
        }
        var calendar = OfficialCalendar(years: [], holidays: [], workdays: [])
        for name in names.sorted() {
            guard let fileYear = yearFileNumber(name) else { continue }
            let data: Data
            do {
                data = try InputFile.data(directory.appending(path: name).path)
            } catch {
                throw CalendarLoadError(file: name, problem: error.reason)
            }
            try calendar.add(try decode(data, file: name), fileYear: fileYear, file: name)
        }
        guard !calendar.years.isEmpty else {
            throw CalendarLoadError(file: directory.path, problem: "no NNNN.json calendar files")
        }
        return calendar
    }

    /// Monday–Friday unless a public holiday; Saturday or Sunday only as a make-up working day.
    /// In a year without data: Monday–Friday.
    func isWorkingDay(_ date: CalendarDate) -> Bool {
        date.isWeekend ? workdays.contains(date) : !holidays.contains(date)
    }

    /// The first working day strictly after `date`.
    func nextWorkingDay(after date: CalendarDate) -> CalendarDate {
        var day = date.following
        while !isWorkingDay(day) { day = day.following }
        return day
    }

    /// The end of a one-working-day limit, in Beijing time (+08:00), and the years without data
    /// it was counted through.
    ///
    /// Received on a working day: the same clock time on the next working day.
    /// Received on a non-working day: the end (24:00) of the first working day after it.
    func deadline(oneWorkingDayFrom receipt: Timestamp) -> WorkingDayDeadline {
        let received = receipt.beijingDate
        let end: Date
        if isWorkingDay(received) {
            let clockTime = receipt.date.timeIntervalSince(received.chinaMidnight)
            end = nextWorkingDay(after: received).chinaMidnight.addingTimeInterval(clockTime)
        } else {
            end = nextWorkingDay(after: received).following.chinaMidnight
        }
        let time = Timestamp(end)
        let touched = Set([received.year, time.beijingDate.year])
        return WorkingDayDeadline(time: time, yearsWithoutData: touched.subtracting(years))
    }

    /// The file name's year for `NNNN.json`, nil for any other name.
    private static func yearFileNumber(_ name: String) -> Int? {
        let stem = name.utf8.dropLast(".json".count)
        guard name.hasSuffix(".json"), stem.count == 4, stem.allSatisfy({ (48...57).contains($0) }) else { return nil }
        return Int(name.prefix(4))
    }

    /// Checks one year's content (as `calendar import` does) without a file.
    static func check(_ content: CalendarYear) throws(CalendarLoadError) {
        _ = try OfficialCalendar([content])
    }

    /// Reads one year's JSON; the error names the file and the problem.
    static func decode(_ data: Data, file: String) throws(CalendarLoadError) -> CalendarYear {
        do {
            return try JSONDecoder().decode(CalendarYear.self, from: data)
        } catch {
            throw CalendarLoadError(file: file, problem: DecodingProblem(error, document: Array(data)).description)
        }
    }

    /// Checks one file's content and merges it in.
    private mutating func add(_ content: CalendarYear, fileYear: Int, file: String) throws(CalendarLoadError) {
        func fail(_ problem: String) -> CalendarLoadError { CalendarLoadError(file: file, problem: problem) }
        guard content.year == fileYear else { throw fail("declares year \(content.year), not \(fileYear)") }
        var days: Set<CalendarDate> = []
        for holiday in content.holidays {
            for date in [holiday.from, holiday.to] where date.year != fileYear {
                throw fail("holiday \(holiday.name) has \(date), outside \(fileYear)")
            }
            guard holiday.from <= holiday.to else {
                throw fail("holiday \(holiday.name) runs from \(holiday.from) to the earlier \(holiday.to)")
            }
            var date = holiday.from
            while date <= holiday.to {
                days.insert(date)
                date = date.following
            }
        }
        for workday in content.workdays {
            let date = workday.date
            guard date.year == fileYear else { throw fail("workday \(workday.name) has \(date), outside \(fileYear)") }
            guard !days.contains(date) else { throw fail("\(date) is both a holiday and a workday") }
            guard date.isWeekend else { throw fail("workday \(date) is not a Saturday or Sunday") }
            workdays.insert(date)
        }
        holidays.formUnion(days)
        years.insert(fileYear)
    }
}

extension CalendarDate {
    /// The next calendar day.
    fileprivate var following: CalendarDate {
        if day < CalendarDate.daysIn(month: month, year: year) {
            return CalendarDate(year: year, month: month, day: day + 1)!
        }
        if month < 12 { return CalendarDate(year: year, month: month + 1, day: 1)! }
        return CalendarDate(year: year + 1, month: 1, day: 1)!
    }

    /// Saturday or Sunday (1970-01-01, day 0, was a Thursday).
    fileprivate var isWeekend: Bool {
        let daysAfterMonday = ((daysSinceEpoch + 3) % 7 + 7) % 7
        return daysAfterMonday >= 5
    }

    /// 00:00 of this day in China time (+08:00, no daylight saving).
    fileprivate var chinaMidnight: Date {
        Date(timeIntervalSince1970: TimeInterval(daysSinceEpoch * 86_400 - Timestamp.chinaOffset))
    }
}
