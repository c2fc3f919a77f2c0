import ArgumentParser
import FoundationEssentials
import HoushiContract
import HoushiRuntime
import HoushiStorage

/// A medical institution registered to post death notices.
struct Institution: Sendable, Equatable {
    let code: String
    let name: String
    /// In the city: condition 1 of the one-stop path.
    let local: Bool
}

/// Institutions and their bearer tokens; only the token's SHA-256 is stored. A token is valid
/// for a number of days from its issue, and until it is revoked or replaced.
enum Institutions {
    /// How long a token is valid unless told otherwise.
    static let defaultValidDays = 365

    /// Expiry and revocation of tokens; tokens issued before are valid for a year from now.
    static let tokenLifetimeMigration = Migration(version: 12, formerly: 24, name: "institution tokens expire and are revoked", sql: """
        ALTER TABLE institutions ADD COLUMN token_expires_at timestamptz, ADD COLUMN token_revoked_at timestamptz;
        UPDATE institutions SET token_expires_at = now() + interval '365 days';
        ALTER TABLE institutions ALTER COLUMN token_expires_at SET NOT NULL;
        """)

    /// Registers (or re-keys) an institution; returns its new token, to be shown once, and
    /// whether the code was registered before (its old token then no longer works).
    static func register(code: String, name: String, local: Bool, validDays: Int = defaultValidDays,
                         on db: PostgresConnection) throws -> (token: String, replaced: Bool) {
        let token = BearerToken.generate(prefix: "hs_")
        let row = try db.execute("""
            INSERT INTO institutions (code, name, local, token_sha256, token_expires_at)
            VALUES ($1, $2, $3, \(BearerToken.hashSQL(4)), \(BearerToken.expirySQL(days: 5)))
            ON CONFLICT (code) DO UPDATE SET name = EXCLUDED.name, local = EXCLUDED.local,
                token_sha256 = EXCLUDED.token_sha256, token_expires_at = EXCLUDED.token_expires_at, token_revoked_at = NULL
            RETURNING xmax <> 0 AS replaced
            """, [code, name, local, token, validDays]).first
        return (token, try row?.bool("replaced") ?? false)
    }

    /// Revokes the institution's token at once; false when no such code is registered.
    static func revoke(code: String, on db: PostgresConnection) throws -> Bool {
        try db.execute("UPDATE institutions SET token_revoked_at = coalesce(token_revoked_at, now()) WHERE code = $1",
                       [code]).affectedRows == 1
    }

    /// The institution holding `token`, or nil (also for an expired or revoked token).
    static func authenticate(token: String, on db: PostgresConnection) throws -> Institution? {
        try db.execute("""
            SELECT code, name, local FROM institutions
            WHERE token_sha256 = \(BearerToken.hashSQL(1)) AND \(BearerToken.usableSQL)
            """, [token]).first.map { row in
            Institution(code: try row.string("code"), name: try row.string("name"), local: try row.bool("local"))
        }
    }

    /// Every institution with its token's state, as `intake institutions list` prints it.
    static func list(on db: PostgresConnection) throws -> [String] {
        try db.execute("""
            SELECT code, name, local, \(beijingTimeSQL("token_expires_at")) AS expires, \(BearerToken.stateSQL) AS token
            FROM institutions ORDER BY code
            """).rows.map { row in
            [try row.string("code"), try row.string("name"), try row.bool("local") ? "local" : "non-local",
             try row.string("token"), try row.string("expires")].joined(separator: "\t")
        }
    }
}

/// `intake institutions add`: registers a medical institution and prints its token once.
struct InstitutionsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "institutions", abstract: "Manage the medical institutions that post death notices.",
        subcommands: [Add.self, Revoke.self, List.self])

    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Register a medical institution (or issue it a new token) and print its token once.",
            discussion: """
                The token alone goes to standard output. For a code registered before, the institution's name and \
                place are updated and a new token replaces the old one, which stops working at once: a note on \
                standard error says so. Give the new token to the institution.
                """)

        @Option(help: "The institution's code, e.g. its registration number.") var code: String
        @Option(help: "The institution's name.") var name: String
        @Flag(help: "The institution is outside the city (its notices do not take the one-stop path).")
        var nonLocal = false
        @Option(help: "Days the token is valid (then it must be issued again).") var validDays = Institutions.defaultValidDays

        func validate() throws { try BearerToken.checkValidDays(validDays) }

        func run() async throws {
            let (code, name, local, validDays) = (code, name, !nonLocal, validDays)
            let registered = try await IntakeService.withMigratedDatabase { db in
                try Institutions.register(code: code, name: name, local: local, validDays: validDays, on: db)
            }
            print(registered.token)
            if registered.replaced {
                printToStandardError("""
                    institution \(code) was registered before: its old token no longer works; give it this new one \
                    (该机构已登记过，旧令牌已作废，请将新令牌交给该机构)
                    """)
            }
        }
    }

    struct Revoke: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Revoke an institution's token at once (issue a new one with `add`).")

        @Option(help: "The institution's code.") var code: String

        func run() async throws {
            let code = code
            guard try await IntakeService.withMigratedDatabase({ db in try Institutions.revoke(code: code, on: db) }) else {
                throw ValidationError("no institution has the code \(code) (未登记该机构代码)")
            }
            print("institution \(code): token revoked (令牌已作废)")
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List the institutions: code, name, place, token state (valid, expired, revoked), expiry.")

        func run() async throws {
            for line in try await IntakeService.withMigratedDatabase({ db in try Institutions.list(on: db) }) { print(line) }
        }
    }
}
