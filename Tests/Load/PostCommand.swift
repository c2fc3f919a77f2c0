import ArgumentParser
import Foundation
import Histogram
import HoushiHTTPClient
import Synchronization

/// The cases of a run: `--cases` of them from `--first-case` on.
struct CaseRange: ParsableArguments {
    @Option(help: "How many cases.") var cases = 100
    @Option(help: "Index of the first case (runs against the same database take other indexes).") var firstCase = 0

    var all: [SyntheticCase] { (firstCase..<firstCase + cases).map(SyntheticCase.init(index:)) }

    func validate() throws {
        guard cases > 0, firstCase >= 0, firstCase + cases <= 1_000_000 else {
            throw ValidationError("--cases and --first-case must name cases 0 to 999999")
        }
    }
}

/// Where intake and its database are.
struct Endpoints: ParsableArguments {
    @Option(help: "Intake's base URL.") var intake = "http://127.0.0.1:8080"
    @Option(help: "The CA certificate (PEM) an https:// intake's certificate must come from (default: the system's).")
    var caFile: String?
    @Option(help: "File holding the institution's bearer token (`intake institutions add`).") var tokenFile = ".run/demo-token"
    @Option(help: "The database administrator's URL, to see when cases complete (default: HOUSHI_DATABASE_ADMIN_URL).")
    var databaseURL: String?

    func database() throws -> String {
        guard let url = databaseURL ?? ProcessInfo.processInfo.environment["HOUSHI_DATABASE_ADMIN_URL"] else {
            throw ValidationError("give --database-url or set HOUSHI_DATABASE_ADMIN_URL")
        }
        return url
    }

    /// The HTTP client: trusting `--ca-file` when given.
    func httpClient() throws -> HTTPClient {
        try caFile.map { try HTTPClient(trustingCAFile: $0) } ?? .shared
    }

    func token() throws -> String {
        try String(contentsOfFile: tokenFile, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
    }
}

/// `houshi-load post`: posts the cases' notices at a steady rate (or as fast as intake takes them),
/// then waits until every case is completed and reports throughput and latency from each case's
/// first POST to its completion. Exits 1 if a notice was refused or a case did not complete.
struct PostCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "post",
                                                    abstract: "Post notices and time each case to its completion.")

    @OptionGroup var range: CaseRange
    @OptionGroup var endpoints: Endpoints
    @Option(help: "Cases per second; 0 posts as fast as intake takes them.") var rate: Double = 0
    @Option(help: "Notices in flight at once.") var concurrency = 32
    @Option(help: "Seconds to wait for the last case to complete; 0 posts without waiting.") var completionTimeout = 600
    @Option(help: "Also write the figures as JSON to this file.") var json: String?
    @Option(help: "Withdraw every Nth case (the first, the N+1st, …) 0 to 2 s after its notice, as the wrong person; 0 withdraws none. A withdrawn case is done when every department has undone its work.")
    var withdrawEvery = 0

    func validate() throws {
        guard withdrawEvery >= 0 else { throw ValidationError("--withdraw-every must be 0 or more") }
    }

    func run() async throws {
        let cases = range.all
        let client = try IntakeClient(baseURL: endpoints.intake, token: try endpoints.token(), http: try endpoints.httpClient())
        let posting = try await Poster(client: client, rate: rate, concurrency: concurrency, withdrawEvery: withdrawEvery)
            .post(cases)
        var report = LoadReport(posting: posting)
        print(report.postingLines)
        if completionTimeout > 0 {
            let watcher = CompletionWatcher(databaseURL: try endpoints.database(), idNumbers: cases.map(\.deceasedIDNumber))
            let completed = await watcher.waitForAll(timeout: .seconds(completionTimeout))
            let times = completed > 0 ? try await watcher.completionTimes() : [:]
            await watcher.shutdown()
            report.addCompletions(times, posted: posting.startedAt)
            print(report.completionLines)
        }
        try writeFigures(report.figures, to: json)
        if !report.allWell(waited: completionTimeout > 0) { throw ExitCode(1) }
    }
}

/// Posts notices from `concurrency` tasks, each notice at its slot of the rate, and withdraws
/// every `withdrawEvery`th case a moment after its notice.
struct Poster: Sendable {
    let client: IntakeClient
    let rate: Double
    let concurrency: Int
    var withdrawEvery = 0

    struct Result: Sendable {
        /// When each case's first POST went out (seconds since 1970), by the deceased's ID number.
        var startedAt: [String: Double] = [:]
        var opened = 0
        var alreadyKnown = 0
        var retries = 0
        var refused: [String] = []
        /// The ID numbers of the cases withdrawn.
        var withdrawn: Set<String> = []
        var duration: Duration = .zero
    }

    func post(_ cases: [SyntheticCase]) async throws -> Result {
        let notices = cases.map { ($0.deceasedIDNumber, $0.notice) }
        let next = Ticket()
        let start = ContinuousClock.now
        let (rate, client, withdrawEvery) = (rate, client, withdrawEvery)
        var result = try await withThrowingTaskGroup(of: Result.self) { group in
            for _ in 0..<max(1, concurrency) {
                group.addTask {
                    var partial = Result()
                    while true {
                        let index = next.take()
                        guard index < notices.count else { return partial }
                        if rate > 0 { try await Task.sleep(until: start + .seconds(Double(index) / rate)) }
                        let (idNumber, notice) = notices[index]
                        partial.startedAt[idNumber] = Date().timeIntervalSince1970
                        do {
                            let posted = try await client.post(notice)
                            partial.retries += posted.retries
                            if posted.opened { partial.opened += 1 } else { partial.alreadyKnown += 1 }
                            if withdrawEvery > 0, index % withdrawEvery == 0, let caseId = posted.caseId {
                                try await Task.sleep(for: .milliseconds(Int.random(in: 0...2_000)))
                                partial.retries += try await client.withdraw(caseId: caseId, reason: "load test: the wrong person")
                                partial.withdrawn.insert(idNumber)
                            }
                        } catch let refused as IntakeClient.Refused {
                            partial.refused.append(refused.description)
                        }
                    }
                }
            }
            var total = Result()
            for try await partial in group {
                total.startedAt.merge(partial.startedAt) { $1 }
                total.opened += partial.opened
                total.alreadyKnown += partial.alreadyKnown
                total.retries += partial.retries
                total.refused += partial.refused
                total.withdrawn.formUnion(partial.withdrawn)
            }
            return total
        }
        result.duration = ContinuousClock.now - start
        return result
    }
}

/// Hands out 0, 1, 2, … to concurrent posting tasks.
private final class Ticket: Sendable {
    private let counter = Atomic<Int>(0)
    func take() -> Int { counter.add(1, ordering: .relaxed).oldValue }
}
