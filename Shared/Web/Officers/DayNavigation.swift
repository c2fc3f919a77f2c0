import HoushiContract
import Hummingbird

/// A page about one day (`?date=YYYY-MM-DD`, by default today in Beijing time) with links to the
/// day before and after.
public struct DayNavigation: Sendable {
    public let date: CalendarDate
    public let label: String
    public let previous: String
    public let next: String
    public let isToday: Bool

    /// The day the request names; 404 for a date that does not parse (a link was edited by hand).
    public init(_ request: Request, path: String) throws {
        let today = Timestamp.now().beijingDate
        if let text = request.uri.queryParameters["date"].map(String.init) {
            guard let date = CalendarDate(text) else { throw HTTPError(.notFound) }
            self.date = date
        } else {
            date = today
        }
        isToday = date == today
        label = "\(date.year)年\(date.chineseMonthDay)" + (date == today ? "（今天）" : date == today.adding(days: 1) ? "（明天）" : "")
        previous = "\(path)?date=\(date.adding(days: -1))"
        next = "\(path)?date=\(date.adding(days: 1))"
    }
}
