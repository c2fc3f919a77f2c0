import ArgumentParser
import HoushiRuntime

/// `SERVICE officers add --name N [--role reviewer|clerk] [--login L] [--password-file F]`: an
/// account on the department's pages; prints the login and password once.
public struct OfficersCommand<S: ServiceDefinition>: AsyncParsableCommand {
    public static var configuration: CommandConfiguration {
        CommandConfiguration(commandName: "officers", abstract: "Manage the officers who sign in to the department's pages.",
                             subcommands: [OfficersAddCommand<S>.self])
    }

    public init() {}
}

public struct OfficersAddCommand<S: ServiceDefinition>: AsyncParsableCommand {
    public static var configuration: CommandConfiguration {
        CommandConfiguration(commandName: "add",
                             abstract: "Add an officer (or set a new password and role) and print the login and password once.")
    }

    @Option(help: "The officer's name, shown beside every decision they take.") var name: String
    @Option(help: "reviewer (decides held items), clerk (records only) or supervisor (reads only).") var role: String = OfficerRole.reviewer.rawValue
    @Option(help: "The login (letters, digits, '.', '_', '-'); by default the department's console name and a number.")
    var login: String?
    @Option(help: "A file whose first line is the password; by default one is generated.") var passwordFile: String?

    public init() {}

    public func validate() throws {
        guard let role = OfficerRole(rawValue: role) else {
            throw ValidationError("--role must be reviewer, clerk or supervisor")
        }
        if S.department == .intake, role != .supervisor {
            throw ValidationError("intake's officers read the city's supervision page only: --role supervisor")
        }
    }

    public func run() async throws {
        let password = try Passwords.chosen(file: passwordFile)
        let hash = try await Passwords.hash(password)
        let (name, chosenLogin, role) = (name, login, OfficerRole(rawValue: role) ?? .reviewer)
        let prefix = S.department == .intake ? "jiandu" : String(S.department.consoleRoot.dropFirst())
        let login = try await S.withMigratedDatabase { db in
            try OfficerAccounts.store(login: chosenLogin, prefix: prefix, name: name, role: role, passwordHash: hash, on: db)
        }
        print("login: \(login)")
        print("password: \(password)")
    }
}
