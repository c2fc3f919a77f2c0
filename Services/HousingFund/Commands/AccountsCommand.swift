import ArgumentParser
import HoushiRuntime

/// `housing-fund accounts import FILE`: the centre's accounts (a stand-in for its own records).
struct AccountsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "accounts", abstract: "Load the centre's accounts.", subcommands: [Import.self])

    struct Import: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Load or update accounts from a CSV file.",
            discussion: """
                Columns (a header row first): \(AccountRow.columns.joined(separator: ",")). balance_fen is the balance in \
                fen (0.01 yuan). A frozen or closed account keeps its status. Bad rows are reported by line number and \
                skipped; the good ones load. Exits 0 when every row loaded, 2 when some were skipped.
                """)

        @Argument(help: "The CSV file.") var file: String

        func run() async throws {
            let report = try ImportReport(csv: try InputFile.text(file), required: AccountRow.columns) { record in
                AccountRow.parse(record.fields)
            }
            try await HousingFundService.load(report, noun: "accounts", tables: ["accounts"]) { account, db in
                try FundLedger.upsert(account, on: db)
            }
        }
    }
}

/// `housing-fund withdrawals`: the withdrawals opened for heirs, newest first.
struct WithdrawalsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "withdrawals",
        abstract: "List the withdrawals opened for heirs, newest first: number, case, account, balance, status, opened, cancelled.")

    func run() async throws {
        for line in try await HousingFundService.withMigratedDatabase({ db in try FundLedger.withdrawals(on: db) }) { print(line) }
    }
}
