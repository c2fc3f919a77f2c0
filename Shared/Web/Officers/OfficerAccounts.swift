import FoundationEssentials
import HoushiContract
import HoushiRuntime
import HoushiStorage

/// What an officer may do on their department's pages.
public enum OfficerRole: String, CaseIterable, Sendable {
    /// Decides held items, and records what a clerk records.
    case reviewer
    /// Records what happened (a pickup, a cremation); cannot decide held items.
    case clerk
    /// Reads the supervision figures (the reform office); decides and records nothing.
    case supervisor

    public var label: String {
        switch self {
        case .reviewer: "审核人员"
        case .clerk: "经办人员"
        case .supervisor: "监督人员"
        }
    }

    public var decides: Bool { self == .reviewer }
}

/// A department officer who signs in to the department's pages.
public struct Officer: SignedInAccount, Equatable {
    public let id: UUID
    public let login: String
    public let name: String
    public let role: OfficerRole
}

/// A department's officer accounts (passwords hashed with bcrypt), their failed sign-ins and
/// their sessions, in the department's schema.
public enum OfficerAccounts {
    public static let migration = Migration(version: 1, formerly: 9, name: "officer accounts, login failures, sessions", sql: """
        \(tableSQL)
        \(PasswordSignIn<OfficerDirectory>.failuresTableSQL)
        \(StoredSessions.tableSQL)
        """)

    /// The officers' accounts' migrations, in a department's schema.
    public static let migrationGroup = MigrationGroup(owner: "officers", [
        migration,
        // Officers' passwords expire and their accounts are revoked.
        PagePasswords.migration(version: 2, formerly: 29, tables: ["officers"]),
    ])

    /// The accounts' table alone, for a schema that has sessions and failed sign-ins already.
    public static let tableSQL = """
        CREATE TABLE officers (
            id uuid PRIMARY KEY,
            login text NOT NULL UNIQUE,
            name text NOT NULL,
            role text NOT NULL CHECK (role IN ('reviewer', 'clerk', 'supervisor')),
            password_hash text NOT NULL,
            created_at timestamptz NOT NULL DEFAULT now(),
            password_changed_at timestamptz NOT NULL DEFAULT now());
        """

    /// The SQL expression reading the name of the officer whose login is in `column` (NULL for
    /// `system` or an API operator).
    public static func nameSQL(ofLoginIn column: String) -> String {
        "(SELECT o.name FROM officers o WHERE o.login = \(column))"
    }

    /// Who did something, as the pages show it: `王警官（gongan-1）`, the login alone when it is no
    /// officer's, `系统自动` for the system.
    public static func display(login: String, name: String?) -> String {
        if login == "system" { return "系统自动" }
        return name.map { "\($0)（\(login)）" } ?? login
    }

    /// Adds an officer, or gives an existing login a new name, role and password (already hashed);
    /// without a login, `prefix` and the next number. Returns the login.
    public static func store(login: String?, prefix: String, name: String, role: OfficerRole, passwordHash: String,
                             validDays: Int = PagePasswords.defaultValidDays, on db: PostgresConnection) throws -> String {
        let login = try login ?? db.execute("SELECT count(*) + 1 AS n FROM officers").first
            .map { "\(prefix)-\(try $0.int("n"))" } ?? ""
        guard Passwords.isValidLogin(login) else {
            throw Passwords.Refused("the login must be letters, digits, '.', '_' or '-'")
        }
        try db.execute("""
            INSERT INTO officers (id, login, name, role, password_hash, password_expires_at)
            VALUES ($1, $2, $3, $4, $5, \(BearerToken.expirySQL(days: 6)))
            ON CONFLICT (login) DO UPDATE SET name = EXCLUDED.name, role = EXCLUDED.role, \(PagePasswords.renewedSQL)
            """, [UUID(), login, name, role.rawValue, passwordHash, validDays])
        return login
    }
}

/// The officers as signing in sees them.
public struct OfficerDirectory: AccountDirectory {
    public init() {}

    public func account(login: String, on db: PostgresConnection) throws -> StoredCredentials<Officer>? {
        try db.execute("""
            SELECT id, login, name, role, password_hash, \(PagePasswords.expiredSQL("o")) AS expired FROM officers o
            WHERE login = $1 AND \(PagePasswords.notRevokedSQL("o"))
            """, [login]).first.map { row in
            StoredCredentials(account: try Self.officer(from: row), passwordHash: try row.string("password_hash"),
                              passwordExpired: try row.bool("expired"))
        }
    }

    public func account(id: UUID, on db: PostgresConnection) throws -> Officer? {
        try db.execute("SELECT id, login, name, role FROM officers o WHERE id = $1 AND \(PagePasswords.usableSQL("o"))",
                       [id]).first.map(Self.officer(from:))
    }

    private static func officer(from row: Row) throws -> Officer {
        Officer(id: try row.uuid("id"), login: try row.string("login"), name: try row.string("name"),
                role: OfficerRole(rawValue: try row.string("role")) ?? .clerk)
    }
}
