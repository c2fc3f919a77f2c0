import ArgumentParser
import HoushiRuntime

/// `SERVICE officers add|revoke|list`: the accounts on the department's pages (`add` prints the
/// login and password once).
public struct OfficersCommand<S: DepartmentService>: AsyncParsableCommand {
    public static var configuration: CommandConfiguration {
        CommandConfiguration(commandName: "officers", abstract: "Manage the officers who sign in to the department's pages.",
                             subcommands: [OfficersAddCommand<S>.self, OfficersRevokeCommand<S>.self,
                                           OfficersListCommand<S>.self])
    }

    public init() {}
}

public struct OfficersAddCommand<S: DepartmentService>: AsyncParsableCommand {
    public static var configuration: CommandConfiguration {
        CommandConfiguration(commandName: "add",
                             abstract: "Add an officer (or set a new password and role) and print the login and password once.")
    }

    @Option(help: "The officer's name, shown beside every decision they take.") var name: String
    @Option(help: "reviewer (decides held items), clerk (records only) or supervisor (reads only).") var role: String = OfficerRole.reviewer.rawValue
    @Option(help: "The login (letters, digits, '.', '_', '-'); by default the department's console name and a number.")
    var login: String?
    @Option(help: "A file whose first line is the password; by default one is generated.") var passwordFile: String?
    @Option(help: "Days the password is valid (then it must be set again with `add`).")
    var validDays = PagePasswords.defaultValidDays

    public init() {}

    public func validate() throws {
        try BearerToken.checkValidDays(validDays)
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
        let (name, chosenLogin, role, validDays) = (name, login, OfficerRole(rawValue: role) ?? .reviewer, validDays)
        let prefix = S.department == .intake ? "jiandu" : String(S.department.consoleRoot.dropFirst())
        let login = try await S.withMigratedDatabase { db in
            try OfficerAccounts.store(login: chosenLogin, prefix: prefix, name: name, role: role, passwordHash: hash,
                                      validDays: validDays, on: db)
        }
        print("login: \(login)")
        print("password: \(password)")
    }
}

public struct OfficersRevokeCommand<S: DepartmentService>: AsyncParsableCommand {
    public static var configuration: CommandConfiguration {
        CommandConfiguration(commandName: "revoke",
                             abstract: "Revoke an officer's account at once, ending their sessions (`add` gives it a new password).")
    }

    @Option(help: "The officer's login.") var login: String

    public init() {}

    public func run() async throws { try await S.revokeAccount(table: "officers", login: login) }
}

public struct OfficersListCommand<S: DepartmentService>: AsyncParsableCommand {
    public static var configuration: CommandConfiguration {
        CommandConfiguration(commandName: "list",
                             abstract: "List the officers: id, login, name, state (valid, expired, revoked), password expiry.")
    }

    public init() {}

    public func run() async throws { try await S.listAccounts(table: "officers") }
}
