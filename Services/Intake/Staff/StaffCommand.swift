import ArgumentParser
import FoundationEssentials
import HoushiRuntime
import HoushiWeb

/// `intake staff add|revoke|list`: the hospital staff's accounts on the pages.
struct StaffCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "staff", abstract: "Manage the hospital staff who enter notices on the pages.",
        subcommands: [Add.self, Revoke.self, List.self])

    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Add a staff member (or set a new password) and print the login and password once.")

        @Option(help: "The institution's code (see `intake institutions add`).") var institution: String
        @Option(help: "The staff member's name, recorded with what they enter.") var name: String
        @Option(help: "The login (letters, digits, '.', '_', '-'); by default the institution's code and a number.")
        var login: String?
        @Option(help: "A file whose first line is the password; by default one is generated.")
        var passwordFile: String?
        @Option(help: "Days the password is valid (then it must be set again with `add`).")
        var validDays = PagePasswords.defaultValidDays

        func validate() throws { try BearerToken.checkValidDays(validDays) }

        func run() async throws {
            let password = try Passwords.chosen(file: passwordFile)
            let hash = try await Passwords.hash(password)
            let (institution, name, chosenLogin, validDays) = (institution, name, login, validDays)
            let login = try await IntakeService.withMigratedDatabase { db in
                try StaffAccounts.store(login: chosenLogin, name: name, institutionCode: institution,
                                        passwordHash: hash, validDays: validDays, on: db)
            }
            print("login: \(login)")
            print("password: \(password)")
        }
    }

    struct Revoke: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Revoke a staff member's account at once, ending their sessions (`add` gives it a new password).")

        @Option(help: "The staff member's login.") var login: String

        func run() async throws { try await IntakeService.revokeAccount(table: "staff", login: login) }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List the staff: id, login, name, state (valid, expired, revoked), password expiry.")

        func run() async throws { try await IntakeService.listAccounts(table: "staff") }
    }
}
