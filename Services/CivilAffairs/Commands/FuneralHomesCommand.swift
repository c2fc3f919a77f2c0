import ArgumentParser
import FoundationEssentials
import HoushiRuntime

/// `civil-affairs funeral-homes import FILE.csv`: the funeral homes civil affairs works with.
struct FuneralHomesCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "funeral-homes", abstract: "Manage the registered funeral homes (殡仪馆).", subcommands: [Import.self])

    struct Import: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Load or update funeral homes from a CSV file.",
            discussion: """
                Columns (a header row first): code,name,local,address,takes_pickups. local and takes_pickups are \
                true or false; a local home that takes pickups collects bodies from hospitals and homes. Bad rows are \
                reported by line number and skipped; exits 2 when any was.
                """)

        @Argument(help: "The CSV file.") var file: String

        func run() async throws {
            let report = try ImportReport<(FuneralHome, takesPickups: Bool)>(
                csv: try InputFile.text(file),
                required: ["code", "name", "local", "address", "takes_pickups"]) { record in
                guard !record["code"].isEmpty, !record["name"].isEmpty, let local = Bool(record["local"].lowercased()),
                      let pickups = Bool(record["takes_pickups"].lowercased())
                else {
                    return .failure(RowProblems(problems: [
                        "code and name are required; local and takes_pickups are true or false"]))
                }
                return .success((FuneralHome(code: record["code"], name: record["name"], local: local,
                                             address: record["address"]), pickups))
            }
            try await CivilAffairsService.load(report, noun: "funeral homes", tables: ["funeral_homes"]) { home, db in
                try FuneralHomes.upsert(home.0, takesPickups: home.takesPickups, on: db)
            }
        }
    }
}
