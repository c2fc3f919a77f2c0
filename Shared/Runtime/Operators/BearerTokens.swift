import ArgumentParser
import FoundationEssentials
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

    /// The SQL expression of an expiry `$n` (an integer parameter) days from now.
    public static func expirySQL(days parameter: Int) -> String { "now() + make_interval(days => $\(parameter)::int)" }

    /// The SQL condition of a token that still works: neither revoked nor expired (columns
    /// `token_revoked_at` and `token_expires_at`).
    public static let usableSQL = "token_revoked_at IS NULL AND token_expires_at > now()"

    /// The SQL expression of a token's state as lists show it: `valid`, `expired` or `revoked`.
    public static let stateSQL = stateSQL(revokedAt: "token_revoked_at", expiresAt: "token_expires_at")

    /// The SQL expression of a credential's state (`valid`, `expired` or `revoked`) from the
    /// columns holding when it was revoked and when it expires.
    public static func stateSQL(revokedAt: String, expiresAt: String) -> String {
        "CASE WHEN \(revokedAt) IS NOT NULL THEN 'revoked' WHEN \(expiresAt) <= now() THEN 'expired' ELSE 'valid' END"
    }

    /// Checks a command's `--valid-days`: 1 to 3650.
    public static func checkValidDays(_ days: Int) throws {
        guard (1...3_650).contains(days) else { throw ValidationError("--valid-days must be 1 to 3650") }
    }
}

/// A service's operators (department staff who decide held items through the API), each with a
/// bearer token valid for a number of days from its issue, until revoked or replaced. An
/// operator's name is unique in the department: it is what decisions record.
public enum Operators {
    /// How long an operator's token is valid unless told otherwise.
    public static let defaultValidDays = 90

    public static let migration = Migration(version: 1, formerly: 3, name: "operators", sql: """
        CREATE TABLE operators (
            name text PRIMARY KEY,
            token_sha256 bytea NOT NULL UNIQUE,
            created_at timestamptz NOT NULL DEFAULT now());
        """)

    /// Stable ids, expiry and revocation; tokens issued before are valid for 90 days from now.
    public static let tokenLifetimeMigration = Migration(version: 2, formerly: 25, name: "operator ids, token expiry and revocation", sql: """
        ALTER TABLE operators ADD COLUMN id uuid NOT NULL UNIQUE DEFAULT gen_random_uuid(),
            ADD COLUMN token_expires_at timestamptz, ADD COLUMN token_revoked_at timestamptz;
        UPDATE operators SET token_expires_at = now() + interval '90 days';
        ALTER TABLE operators ALTER COLUMN token_expires_at SET NOT NULL;
        """)

    /// Registers an operator, or issues a new token to an existing one (the old one stops
    /// working); returns the token.
    public static func register(name: String, validDays: Int = defaultValidDays, on db: PostgresConnection) throws -> String {
        let token = BearerToken.generate(prefix: "op_")
        try db.execute("""
            INSERT INTO operators (name, token_sha256, token_expires_at)
            VALUES ($1, \(BearerToken.hashSQL(2)), \(BearerToken.expirySQL(days: 3)))
            ON CONFLICT (name) DO UPDATE SET token_sha256 = EXCLUDED.token_sha256,
                token_expires_at = EXCLUDED.token_expires_at, token_revoked_at = NULL
            """, [name, token, validDays])
        return token
    }

    /// Revokes the operator's token at once; false when no operator has that name.
    public static func revoke(name: String, on db: PostgresConnection) throws -> Bool {
        try db.execute("UPDATE operators SET token_revoked_at = coalesce(token_revoked_at, now()) WHERE name = $1",
                       [name]).affectedRows == 1
    }

    /// The operator holding `token`, or nil (also for an expired or revoked token).
    public static func authenticate(token: String, on db: PostgresConnection) throws -> String? {
        try db.execute("SELECT name FROM operators WHERE token_sha256 = \(BearerToken.hashSQL(1)) AND \(BearerToken.usableSQL)",
                       [token]).first.map { try $0.string("name") }
    }

    /// Every operator with its id, token state and expiry (Beijing time), as `operators list` prints it.
    public static func list(on db: PostgresConnection) throws -> [(id: UUID, name: String, state: String, expires: String)] {
        try db.execute("""
            SELECT id, name, \(BearerToken.stateSQL) AS state, \(beijingTimeSQL("token_expires_at")) AS expires
            FROM operators ORDER BY name
            """).rows.map { row in
            (try row.uuid("id"), try row.string("name"), try row.string("state"), try row.string("expires"))
        }
    }
}

/// `SERVICE operators add|revoke|list`: the operators who decide held items through the API.
public struct OperatorsCommand<S: ServiceDefinition>: AsyncParsableCommand {
    public static var configuration: CommandConfiguration {
        CommandConfiguration(commandName: "operators", abstract: "Manage the staff who decide held items through the API.",
                             subcommands: [OperatorsAddCommand<S>.self, OperatorsRevokeCommand<S>.self,
                                           OperatorsListCommand<S>.self])
    }

    public init() {}
}

public struct OperatorsAddCommand<S: ServiceDefinition>: AsyncParsableCommand {
    public static var configuration: CommandConfiguration {
        CommandConfiguration(commandName: "add",
                             abstract: "Register an operator (or issue a new token, the old one then stops working) and print the token once.")
    }

    @Option(help: "The operator's name, unique in the department and recorded with every decision.") var name: String
    @Option(help: "Days the token is valid (then it must be issued again).") var validDays = Operators.defaultValidDays

    public init() {}

    public func validate() throws { try BearerToken.checkValidDays(validDays) }

    public func run() async throws {
        let (name, validDays) = (name, validDays)
        print(try await S.withMigratedDatabase { db in try Operators.register(name: name, validDays: validDays, on: db) })
    }
}

public struct OperatorsRevokeCommand<S: ServiceDefinition>: AsyncParsableCommand {
    public static var configuration: CommandConfiguration {
        CommandConfiguration(commandName: "revoke", abstract: "Revoke an operator's token at once (issue a new one with `add`).")
    }

    @Option(help: "The operator's name.") var name: String

    public init() {}

    public func run() async throws {
        let name = name
        guard try await S.withMigratedDatabase({ db in try Operators.revoke(name: name, on: db) }) else {
            throw ValidationError("no operator is named \(name) (无此操作员)")
        }
        print("operator \(name): token revoked (令牌已作废)")
    }
}

public struct OperatorsListCommand<S: ServiceDefinition>: AsyncParsableCommand {
    public static var configuration: CommandConfiguration {
        CommandConfiguration(commandName: "list", abstract: "List the operators: id, name, token state (valid, expired, revoked), expiry.")
    }

    public init() {}

    public func run() async throws {
        for entry in try await S.withMigratedDatabase({ db in try Operators.list(on: db) }) {
            print([entry.id.lowercased, entry.name, entry.state, entry.expires].joined(separator: "\t"))
        }
    }
}

extension ServiceDefinition {
    /// Runs `job` in a transaction on the service's schema, migrated first: for admin commands.
    public static func withMigratedDatabase<T: Sendable>(
        _ job: @escaping @Sendable (PostgresConnection) throws -> T
    ) async throws -> T {
        let configuration = try ServiceConfiguration(identity: identity)
        let database = Database(configuration: configuration, size: 1, name: "\(identity.name)-admin")
        let migrations = allMigrationGroups
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
