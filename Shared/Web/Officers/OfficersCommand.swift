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
    @Option(help: "reviewer (decides held items) or clerk (records only).") var role: String = OfficerRole.reviewer.rawValue
    @Option(help: "The login (letters, digits, '.', '_', '-'); by default the department's console name and a number.")
    var login: String?
    @Option(help: "A file whose first line is the password; by default one is generated.") var passwordFile: String?

    public init() {}

    public func validate() throws {
        guard OfficerRole(rawValue: role) != nil else { throw ValidationError("--role must be reviewer or clerk") }
    }

    public func run() async throws {
        let password = try Passwords.chosen(file: passwordFile)
        let hash = try await Passwords.hash(password)
        let (name, chosenLogin, role) = (name, login, OfficerRole(rawValue: role) ?? .reviewer)
        let prefix = String(S.department.consoleRoot.dropFirst())
        let login = try await S.withMigratedDatabase { db in
            try OfficerAccounts.store(login: chosenLogin, prefix: prefix, name: name, role: role, passwordHash: hash, on: db)
        }
        print("login: \(login)")
        print("password: \(password)")
    }
}
