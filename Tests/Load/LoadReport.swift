import Foundation
import Histogram

/// The figures of a load run: how posting went, then each case's time from its first POST to
/// its completion (an HdrHistogram of milliseconds) and the end-to-end throughput.
struct LoadReport {
    let posting: Poster.Result
    private(set) var completed = 0
    private(set) var latency = Histogram<UInt64>(highestTrackableValue: 3_600_000, numberOfSignificantValueDigits: .three)
    /// From the first POST to the last completion.
    private(set) var span: Double = 0

    init(posting: Poster.Result) { self.posting = posting }

    var cases: Int { posting.startedAt.count }

    mutating func addCompletions(_ times: [String: Double], posted: [String: Double]) {
        completed = times.count
        for (idNumber, completedAt) in times {
            guard let postedAt = posted[idNumber] else { continue }
            _ = latency.record(UInt64(max(0, (completedAt - postedAt) * 1000).rounded()))
        }
        if let first = posted.values.min(), let last = times.values.max() { span = last - first }
    }

    var throughput: Double { span > 0 ? Double(completed) / span : 0 }

    func allWell(waited: Bool) -> Bool {
        posting.refused.isEmpty && (!waited || completed == cases)
    }

    var postingLines: String {
        let seconds = posting.duration.seconds
        var lines = [
            row("notices", "\(cases) posted: \(posting.opened) opened a case, \(posting.alreadyKnown) already known, "
                + "\(posting.withdrawn.count) withdrawn, \(posting.retries) retries, \(posting.refused.count) refused"),
            row("posting", String(format: "%.1f s, %.1f notices/s", seconds, seconds > 0 ? Double(cases) / seconds : 0)),
        ]
        lines += posting.refused.prefix(5).map { row("refused", $0) }
        return lines.joined(separator: "\n")
    }

    var completionLines: String {
        [
            row("completed", String(format: "%d of %d cases (withdrawn ones undone everywhere) in %.1f s: %.1f cases/s end to end",
                                    completed, cases, span, throughput)),
            row("latency ms", "p50 \(percentile(50))  p90 \(percentile(90))  p99 \(percentile(99))  max \(latency.maxRecorded)"),
        ].joined(separator: "\n")
    }

    func percentile(_ value: Double) -> UInt64 { latency.totalCount == 0 ? 0 : latency.valueAtPercentile(value) }

    var figures: [String: Any] {
        [
            "cases": cases, "opened": posting.opened, "alreadyKnown": posting.alreadyKnown, "retries": posting.retries,
            "refused": posting.refused.count, "withdrawn": posting.withdrawn.count, "postingSeconds": posting.duration.seconds, "completed": completed,
            "spanSeconds": span, "casesPerSecond": throughput,
            "latencyMs": ["p50": percentile(50), "p90": percentile(90), "p99": percentile(99), "max": latency.maxRecorded],
        ]
    }

    private func row(_ label: String, _ text: String) -> String {
        label.padding(toLength: 12, withPad: " ", startingAt: 0) + text
    }
}

/// Writes a command's figures as a JSON object to `path` (its `--json` option), when given.
func writeFigures(_ figures: [String: Any], to path: String?) throws {
    guard let path else { return }
    try JSONSerialization.data(withJSONObject: figures, options: [.prettyPrinted, .sortedKeys])
        .write(to: URL(fileURLWithPath: path))
}

extension Duration {
    var seconds: Double { Double(components.seconds) + Double(components.attoseconds) / 1e18 }
}
