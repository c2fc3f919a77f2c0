import HoushiContract
import HoushiStorage

/// The SQL expression that reads a `timestamptz` column as RFC 3339 text in Beijing time
/// (`2026-11-28T06:15:00+08:00`, with `.MS` milliseconds when asked); NULL stays NULL.
public func beijingTimeSQL(_ column: String, milliseconds: Bool = false) -> String {
    "to_char(\(column) AT TIME ZONE 'Asia/Shanghai', 'YYYY-MM-DD\"T\"HH24:MI:SS\(milliseconds ? ".MS" : "")\"+08:00\"')"
}

extension Row {
    /// A column read with `beijingTimeSQL` (any RFC 3339 text) as a timestamp; nil when NULL.
    public func timestamp(_ column: String) -> Timestamp? {
        self[column].flatMap(Timestamp.init(rfc3339:))
    }
}
