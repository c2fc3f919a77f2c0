import ArgumentParser
import FoundationEssentials
import HoushiContract
import HoushiRuntime

/// `social-security register import`: the insurance register's stand-in.
struct RegisterCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "register", abstract: "Load or generate the social insurance register.",
        subcommands: [Import.self, Generate.self])

    struct Import: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Load or update insured persons, their pension payments and medical accounts from a CSV file.",
            discussion: """
                Columns (a header row first): \(InsuredRow.columns.joined(separator: ",")). insured_here and retired \
                are true or false; employer_type is enterprise, public-institution or none; months are YYYY-MM; money \
                is whole fen. A payment is recorded for every month from pension_start through paid_through. An empty \
                medical_account_balance_fen means no medical account. contribution_months counts actual and deemed \
                contributions (for a retiree, at retirement); own_contributions_fen is required under 60 of them. \
                Bad rows are reported by line number and skipped; exits 2 when any was.
                """)

        @Argument(help: "The CSV file.") var file: String

        func run() async throws {
            let report = try ImportReport(csv: try InputFile.text(file),
                                          required: InsuredRow.columns, parse: InsuredRow.parse)
            try await SocialSecurityService.load(report, noun: "insured persons", tables: ["insured_persons", "pension_payments", "medical_accounts"]) { person, db in
                try InsuranceRegister.upsert(person, on: db)
            }
        }
    }
}

extension RegisterCommand {
    struct Generate: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Write synthetic insured persons (valid ID numbers, pensions, ledgers, accounts) as CSV.")

        @Option(help: "How many people.") var count = 100
        @OptionGroup var synthetic: SyntheticDataOptions

        func run() throws {
            var generator = synthetic.generator
            print(InsuredRow.columns.joined(separator: ","))
            for person in SyntheticInsured.people(count, region: synthetic.region, using: &generator) {
                print(InsuredRow.csvLine(person))
            }
        }
    }
}

/// `social-security reimbursements import`: the medical insurance system's reimbursement claims
/// (医疗费用报销), which a medical account settlement waits for.
struct ReimbursementsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "reimbursements", abstract: "Load the medical reimbursement claims a medical account waits for.",
        subcommands: [Import.self])

    struct Import: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Load or update reimbursement claims from a CSV file.",
            discussion: """
                Columns (a header row first): \(ReimbursementRow.columns.joined(separator: ",")). status is open or \
                settled; amount_fen is whole fen. A held medical account is settled once its holder has no open claim \
                (checked every HOUSHI_REIMBURSEMENT_CHECK_SECONDS). Bad rows are reported by line number and skipped; \
                exits 2 when any was.
                """)

        @Argument(help: "The CSV file.") var file: String

        func run() async throws {
            let report = try ImportReport(csv: try InputFile.text(file),
                                          required: ReimbursementRow.columns, parse: ReimbursementRow.parse)
            try await SocialSecurityService.load(report, noun: "reimbursement claims", tables: ["medical_reimbursements"]) { claim, db in
                try InsuranceRegister.upsert(claim, on: db)
            }
        }
    }
}

/// `social-security pay-month YYYY-MM`: the monthly payment run.
struct PayMonthCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pay-month",
        abstract: "Pay every active pension for a month, once however often it runs; suspended ones are skipped. "
            + "Also pays the months held back from resumed pensions and settled pension benefits not yet paid.")

    @Argument(help: "The month, YYYY-MM.") var month: String

    func validate() throws {
        guard YearMonth(month) != nil else { throw ValidationError("the month must be YYYY-MM") }
    }

    func run() async throws {
        let month = YearMonth(month)!
        let (paid, before, skipped, due) = try await SocialSecurityService.withMigratedDatabase { db in
            let (paid, before, skipped) = try InsuranceRegister.payMonth(month, on: db)
            return (paid, before, skipped, try InsuranceRegister.payDue(on: db))
        }
        print("\(month): \(paid) pensions paid now, \(before) paid before by an earlier run, "
              + "\(skipped) not active (suspended or stopped) skipped")
        print("also paid: \(due.heldBackMonths) months held back from resumed pensions, "
              + "\(due.settlements) settled pension benefits")
    }
}
