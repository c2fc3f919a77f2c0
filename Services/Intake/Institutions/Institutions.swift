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
    /// Registers (or re-keys) an institution and returns its new token, to be shown once.
    static func register(code: String, name: String, local: Bool, on db: PostgresConnection) throws -> String {
        let token = BearerToken.generate(prefix: "hs_")
        try db.execute("""
            INSERT INTO institutions (code, name, local, token_sha256) VALUES ($1, $2, $3, \(BearerToken.hashSQL(4)))
            ON CONFLICT (code) DO UPDATE SET name = EXCLUDED.name, local = EXCLUDED.local,
                token_sha256 = EXCLUDED.token_sha256
            """, [code, name, local, token])
        return token
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
            abstract: "Register a medical institution (or issue it a new token) and print its token once.")

        @Option(help: "The institution's code, e.g. its registration number.") var code: String
        @Option(help: "The institution's name.") var name: String
        @Flag(help: "The institution is outside the city (its notices do not take the one-stop path).")
        var nonLocal = false

        func run() async throws {
            let (code, name, local) = (code, name, !nonLocal)
            print(try await IntakeService.withMigratedDatabase { db in
                try Institutions.register(code: code, name: name, local: local, on: db)
            })
        }
    }
}
