import ArgumentParser
import FoundationEssentials
import HoushiContract
import HoushiRuntime

/// `public-security register import|generate`: the household register's stand-in for the
/// population information system.
struct RegisterCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "register", abstract: "Load or generate the household register.",
        subcommands: [Import.self, Generate.self])

    struct Import: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Load or update residents from a CSV file.",
            discussion: """
                Columns (a header row first): \(ResidentRow.columns.joined(separator: ",")). relation_to_head is one \
                of \(HouseholdRelation.allCases.map(\.rawValue).joined(separator: ", ")). Sex and birth date come \
                from the ID number. An optional status column takes active (the default) or cancelled, for a \
                registration cancelled outside Houshi; an import never reactivates one. Bad rows are reported by line \
                number and skipped; the good ones load. After loading, a household the file touched that now has \
                more than one head or more than one address is reported as a warning (it loads all the same). \
                Exits 0 when every row loaded, 2 when some were skipped.
                """)

        @Argument(help: "The CSV file.") var file: String

        func run() async throws {
            let report = try RegisterImport.parse(try InputFile.text(file))
            let households = Array(Set(report.rows.map(\.householdNumber)))
            try await PublicSecurityService.load(
                report, noun: "residents", tables: ["residents"],
                store: { resident, db in try Register.upsert(resident, on: db) },
                warnings: { db in try Register.inconsistentHouseholds(among: households, on: db).map(\.warning) })
        }
    }

    struct Generate: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Write synthetic residents with valid ID numbers as CSV, for demos, tests and benchmarks.",
            discussion: """
                Household numbers are the region's followed by \(SyntheticRegister.householdBlock) and a five-digit \
                count; ID numbers use the sequence codes \(ResidentIDNumber.syntheticSequenceCodes.lowerBound)–\
                \(ResidentIDNumber.syntheticSequenceCodes.upperBound). Shipped data uses neither, so importing \
                generated residents never changes the demo register's households.
                """)

        @Option(help: "How many households (at most \(SyntheticRegister.maximumHouseholds)).") var households = 100
        @OptionGroup var synthetic: SyntheticDataOptions

        func validate() throws {
            guard (1...SyntheticRegister.maximumHouseholds).contains(households) else {
                throw ValidationError("--households takes 1 to \(SyntheticRegister.maximumHouseholds)")
            }
        }

        func run() throws {
            var generator = synthetic.generator
            print(ResidentRow.columns.joined(separator: ","))
            for resident in SyntheticRegister.households(households, region: synthetic.region, using: &generator) {
                print(RegisterImport.csvLine(resident))
            }
        }
    }
}

/// `public-security calendar import FILE`: a year of the State Council's holiday notice, loaded
/// into the service's schema while it runs (no rebuild, no restart).
struct CalendarCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "calendar", abstract: "Load a year of the official working-day calendar.",
        subcommands: [Import.self])

    struct Import: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Check and store one year's calendar (the NNNN.json format of Services/PublicSecurity/Calendar).",
            discussion: """
                The stored year takes the place of a shipped file of the same year from the next deadline on. Until \
                a year is loaded its deadlines count weekends only, with a warning and houshi_calendar_missing_year.
                """)

        @Argument(help: "The JSON file of one year.") var file: String

        func run() async throws {
            let data = try InputFile.data(file)
            let year = try OfficialCalendar.decode(data, file: file)
            try OfficialCalendar.check(year)
            try await PublicSecurityService.withMigratedDatabase { db in try StoredCalendar.save(year, on: db) }
            print("\(year.year): \(year.holidays.count) holidays and \(year.workdays.count) make-up working days stored")
        }
    }
}
