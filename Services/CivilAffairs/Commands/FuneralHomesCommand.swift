import ArgumentParser
import FoundationEssentials
import HoushiRuntime

/// `civil-affairs funeral-homes import FILE.csv`: the funeral homes civil affairs works with;
/// `assign` and `unassign`: the home whose work an officer or operator sees.
struct FuneralHomesCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "funeral-homes", abstract: "Manage the registered funeral homes (殡仪馆) and their staff.",
        subcommands: [Import.self, Assign.self, Unassign.self])

    /// `--officer LOGIN` or `--operator NAME`: exactly one.
    struct Person: ParsableArguments {
        @Option(help: "An officer of the pages, by login.") var officer: String?
        @Option(help: "An API operator, by name.") var `operator`: String?

        func validate() throws {
            guard (officer == nil) != (`operator` == nil) else { throw ValidationError("give --officer or --operator, one of them") }
        }

        var kindAndName: (FuneralHomeStaff.Kind, String) {
            if let officer { (.officer, officer) } else { (.operator, `operator` ?? "") }
        }
    }

    struct Assign: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Assign an officer or operator to a funeral home: they then see and record only its work.")

        @OptionGroup var person: Person
        @Option(help: "The funeral home's code.") var code: String

        func run() async throws {
            let ((kind, who), code) = (person.kindAndName, code)
            try await CivilAffairsService.withMigratedDatabase { db in try FuneralHomeStaff.assign(kind, who, to: code, on: db) }
            print("\(kind.rawValue) \(who): works at funeral home \(code) (只办理该殡仪馆的业务)")
        }
    }

    struct Unassign: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "End an assignment: the officer or operator then sees every funeral home's work.")

        @OptionGroup var person: Person

        func run() async throws {
            let (kind, who) = person.kindAndName
            guard try await CivilAffairsService.withMigratedDatabase({ db in try FuneralHomeStaff.unassign(kind, who, on: db) }) else {
                throw ValidationError("\(kind.rawValue) \(who) is not assigned to a funeral home (未分配殡仪馆)")
            }
            print("\(kind.rawValue) \(who): sees every funeral home's work (可办理所有殡仪馆的业务)")
        }
    }

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
