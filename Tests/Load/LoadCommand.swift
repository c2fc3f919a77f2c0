import ArgumentParser
import Foundation

/// `houshi-load`: synthetic cases for the chaos run and the benchmark. It writes the registers the
/// cases need, posts their notices over HTTP and times each case to its completion, waits for a
/// backlog to drain, poisons queues on purpose and measures the broker's raw publish rate.
@main
struct LoadCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "houshi-load", abstract: "Load, chaos and benchmark tool for a running Houshi.",
        subcommands: [RegistersCommand.self, PostCommand.self, WaitCommand.self, PoisonCommand.self,
                      PublishRateCommand.self, ReadCommand.self])
}

/// `houshi-load registers`: the residents and insured persons the cases need, as the CSV files
/// `public-security register import` and `social-security register import` load.
struct RegistersCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "registers",
                                                    abstract: "Write the register CSV files for the cases.")

    @OptionGroup var range: CaseRange
    @Option(help: "Folder to write residents.csv and insured.csv to.") var output = "."

    func run() throws {
        let cases = range.all
        let folder = URL(fileURLWithPath: output)
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let residents = [SyntheticCase.residentHeader] + cases.flatMap(\.residentRows)
        let insured = [SyntheticCase.insuredHeader] + cases.map(\.insuredRow)
        try (residents.joined(separator: "\n") + "\n").write(to: folder.appendingPathComponent("residents.csv"),
                                                             atomically: true, encoding: .utf8)
        try (insured.joined(separator: "\n") + "\n").write(to: folder.appendingPathComponent("insured.csv"),
                                                           atomically: true, encoding: .utf8)
        print("\(cases.count) cases: \(residents.count - 1) residents, \(insured.count - 1) insured persons in \(output)")
    }
}

/// `houshi-load wait`: waits until the cases (posted earlier, e.g. while the departments were
/// stopped) are all completed, and reports the drain: from this command's start to the last completion.
struct WaitCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "wait",
                                                    abstract: "Time the completion of cases posted earlier.")

    @OptionGroup var range: CaseRange
    @OptionGroup var endpoints: Endpoints
    @Option(help: "Seconds to wait for the last case to complete.") var timeout = 1_800
    @Option(help: "Also write the figures as JSON to this file.") var json: String?

    func run() async throws {
        let start = Date().timeIntervalSince1970
        let cases = range.all
        let watcher = CompletionWatcher(databaseURL: try endpoints.database(), idNumbers: cases.map(\.deceasedIDNumber))
        let completed = await watcher.waitForAll(timeout: .seconds(timeout))
        let last = try await watcher.completionTimes().values.max() ?? start
        await watcher.shutdown()
        let seconds = max(last - start, 0.001)
        print(String(format: "drained     %d of %d cases in %.1f s: %.1f cases/s", completed, cases.count, seconds,
                     Double(completed) / seconds))
        try writeFigures(["cases": cases.count, "completed": completed, "seconds": seconds,
                          "casesPerSecond": Double(completed) / seconds], to: json)
        if completed != cases.count { throw ExitCode(1) }
    }
}
