import Foundation

/// A running process's `/proc/<pid>/status`: who it runs as, what it may do.
struct ProcessStatus {
    let text: String

    init(pid: String) throws {
        text = try String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8)
    }

    /// The value of a field (`"CapEff"` gives `"0000000000000000"`), nil when absent.
    func field(_ name: String) -> String? {
        text.split(separator: "\n").first { $0.hasPrefix("\(name):") }
            .map { $0.dropFirst(name.count + 1).trimmingCharacters(in: .whitespaces) }
    }

    /// Real, effective, saved and file-system user ids.
    var userIDs: [uid_t] {
        (field("Uid") ?? "").split(whereSeparator: \.isWhitespace).compactMap { uid_t($0) }
    }
}
