import ArgumentParser
import FoundationEssentials
import HoushiRuntime
import HoushiWeb

/// `intake staff add`: an account for a hospital's staff member on the pages.
struct StaffCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "staff", abstract: "Manage the hospital staff who enter notices on the pages.",
        subcommands: [Add.self])

    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Add a staff member (or set a new password) and print the login and password once.")

        @Option(help: "The institution's code (see `intake institutions add`).") var institution: String
        @Option(help: "The staff member's name, recorded with what they enter.") var name: String
        @Option(help: "The login (letters, digits, '.', '_', '-'); by default the institution's code and a number.")
        var login: String?
        @Option(help: "A file whose first line is the password; by default one is generated.")
        var passwordFile: String?

        func run() async throws {
            let password = try Passwords.chosen(file: passwordFile)
            let hash = try await Passwords.hash(password)
            let (institution, name, chosenLogin) = (institution, name, login)
            let login = try await IntakeService.withMigratedDatabase { db in
                try StaffAccounts.store(login: chosenLogin, name: name, institutionCode: institution,
                                        passwordHash: hash, on: db)
            }
            print("login: \(login)")
            print("password: \(password)")
        }
    }
}
