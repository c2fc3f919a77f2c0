import FoundationEssentials

/// Masks personal data and secrets before they can reach a log line.
public enum Redact {
    /// `230883194103150243` → `230883********0243` (region code and last four only).
    public static func idNumber(_ value: String) -> String { mask(value, keepingFirst: 6, last: 4) }
    /// `13904561234` → `139****1234`.
    public static func phone(_ value: String) -> String { mask(value, keepingFirst: 3, last: 4) }
    /// `6217000130001234567` → `***************4567`.
    public static func bankAccount(_ value: String) -> String { mask(value, keepingFirst: 0, last: 4) }

    /// `王桂兰` → `王*兰`, `李明` → `李*`: the family name and, for three characters or more, the last.
    public static func name(_ value: String) -> String {
        value.count <= 2 ? String(value.prefix(1)) + String(repeating: "*", count: max(value.count - 1, 0))
            : mask(value, keepingFirst: 1, last: 1)
    }

    /// `postgres://role:secret@host/db` → `postgres://role:***@host/db`; a text that is not a
    /// URL is hidden whole, as it may hold a password anywhere.
    public static func password(inURL value: String) -> String {
        guard var components = URLComponents(string: value), components.scheme != nil else { return "***" }
        if components.password != nil { components.percentEncodedPassword = "***" }
        return components.string ?? "***"
    }

    private static func mask(_ value: String, keepingFirst head: Int, last tail: Int) -> String {
        guard value.count > head + tail else { return String(repeating: "*", count: value.count) }
        return String(value.prefix(head)) + String(repeating: "*", count: value.count - head - tail) + String(value.suffix(tail))
    }
}
