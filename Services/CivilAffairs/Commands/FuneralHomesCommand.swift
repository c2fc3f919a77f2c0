import ArgumentParser
import Foundation
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
            var loaded: [(FuneralHome, Bool)] = []
            var rejected: [String] = []
            for record in try CSVReader(try String(contentsOfFile: file, encoding: .utf8),
                                        required: ["code", "name", "local", "address", "takes_pickups"]).records {
                let flags = (Bool(record["local"].lowercased()), Bool(record["takes_pickups"].lowercased()))
                guard !record["code"].isEmpty, !record["name"].isEmpty, let local = flags.0, let pickups = flags.1 else {
                    rejected.append("line \(record.line): code and name are required; local and takes_pickups are true or false")
                    continue
                }
                loaded.append((FuneralHome(code: record["code"], name: record["name"], local: local,
                                           address: record["address"]), pickups))
            }
            let homes = loaded
            try await CivilAffairsService.withMigratedDatabase { db in
                for (home, pickups) in homes { try FuneralHomes.upsert(home, takesPickups: pickups, on: db) }
            }
            rejected.forEach { print($0) }
            print("\(homes.count) funeral homes loaded, \(rejected.count) rows skipped")
            if !rejected.isEmpty { throw ExitCode(2) }
        }
    }
}
