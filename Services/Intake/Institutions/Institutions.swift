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

/// Institutions and their bearer tokens; only the token's SHA-256 is stored.
enum Institutions {
    /// Registers (or re-keys) an institution; returns its new token, to be shown once, and
    /// whether the code was registered before (its old token then no longer works).
    static func register(code: String, name: String, local: Bool,
                         on db: PostgresConnection) throws -> (token: String, replaced: Bool) {
        let token = BearerToken.generate(prefix: "hs_")
        let row = try db.execute("""
            INSERT INTO institutions (code, name, local, token_sha256) VALUES ($1, $2, $3, \(BearerToken.hashSQL(4)))
            ON CONFLICT (code) DO UPDATE SET name = EXCLUDED.name, local = EXCLUDED.local,
                token_sha256 = EXCLUDED.token_sha256
            RETURNING xmax <> 0 AS replaced
            """, [code, name, local, token]).first
        return (token, try row?.bool("replaced") ?? false)
    }

    /// The institution holding `token`, or nil.
    static func authenticate(token: String, on db: PostgresConnection) throws -> Institution? {
        try db.execute("SELECT code, name, local FROM institutions WHERE token_sha256 = \(BearerToken.hashSQL(1))",
                       [token]).first.map { row in
            Institution(code: try row.string("code"), name: try row.string("name"), local: try row.bool("local"))
        }
    }
}

/// `intake institutions add`: registers a medical institution and prints its token once.
struct InstitutionsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "institutions", abstract: "Manage the medical institutions that post death notices.",
        subcommands: [Add.self])

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

        func run() async throws {
            let (code, name, local) = (code, name, !nonLocal)
            let registered = try await IntakeService.withMigratedDatabase { db in
                try Institutions.register(code: code, name: name, local: local, on: db)
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
}
