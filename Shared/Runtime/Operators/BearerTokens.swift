import ArgumentParser
import HoushiStorage

/// Bearer tokens for people and institutions: random, shown once, stored only as SHA-256
/// (computed by PostgreSQL, so the clear token never reaches a table or a log).
public enum BearerToken {
    /// A new token: a prefix naming what it is for and 32 random bytes in hex.
    public static func generate(prefix: String) -> String {
        prefix + String.randomHex(bytes: 32)
    }

    /// The SQL expression hashing the text parameter `$n` the way tokens are stored.
    public static func hashSQL(_ parameter: Int) -> String { "sha256(convert_to($\(parameter)::text, 'UTF8'))" }
}

/// A service's operators (department staff who decide held items), each with a bearer token.
public enum Operators {
    public static let migration = Migration(version: 3, name: "operators", sql: """
        CREATE TABLE operators (
            name text PRIMARY KEY,
            token_sha256 bytea NOT NULL UNIQUE,
            created_at timestamptz NOT NULL DEFAULT now());
        """)

    /// Registers an operator, or issues a new token to an existing one; returns the token.
    public static func register(name: String, on db: PostgresConnection) throws -> String {
        let token = BearerToken.generate(prefix: "op_")
        try db.execute("""
            INSERT INTO operators (name, token_sha256) VALUES ($1, \(BearerToken.hashSQL(2)))
            ON CONFLICT (name) DO UPDATE SET token_sha256 = EXCLUDED.token_sha256
            """, [name, token])
        return token
    }

    /// The operator holding `token`, or nil.
    public static func authenticate(token: String, on db: PostgresConnection) throws -> String? {
        try db.execute("SELECT name FROM operators WHERE token_sha256 = \(BearerToken.hashSQL(1))", [token])
            .first.map { try $0.string("name") }
    }
}

/// `SERVICE operators add --name NAME`: registers an operator and prints the token once.
public struct OperatorsCommand<S: ServiceDefinition>: AsyncParsableCommand {
    public static var configuration: CommandConfiguration {
        CommandConfiguration(commandName: "operators", abstract: "Manage the staff who decide held items.",
                             subcommands: [OperatorsAddCommand<S>.self])
    }

    public init() {}
}

public struct OperatorsAddCommand<S: ServiceDefinition>: AsyncParsableCommand {
    public static var configuration: CommandConfiguration {
        CommandConfiguration(commandName: "add", abstract: "Register an operator (or issue a new token) and print the token once.")
    }

    @Option(help: "The operator's name, recorded with every decision.") var name: String

    public init() {}

    public func run() async throws {
        let name = name
        print(try await S.withMigratedDatabase { db in try Operators.register(name: name, on: db) })
    }
}

extension ServiceDefinition {
    /// Runs `job` in a transaction on the service's schema, migrated first: for admin commands.
    public static func withMigratedDatabase<T: Sendable>(
        _ job: @escaping @Sendable (PostgresConnection) throws -> T
    ) async throws -> T {
        let configuration = try ServiceConfiguration(department: department)
        let database = Database(url: configuration.databaseURL, schema: department.schema, size: 1,
                                name: "\(department.rawValue)-admin")
        let migrations = allMigrations
        let outcome = await Result(asyncCatching: {
            try await database.transaction { db in
                try db.migrate(migrations)
                return try job(db)
            }
        })
        await database.shutdown()
        return try outcome.get()
    }
}
