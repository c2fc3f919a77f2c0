import FoundationEssentials
import HoushiRuntime
import HoushiStorage
import HoushiWeb

/// A hospital staff member who enters notices on the pages, for one institution.
struct StaffMember: SignedInAccount, Equatable {
    let id: UUID
    let login: String
    let name: String
    let institution: Institution
}

/// Staff accounts, their passwords hashed with bcrypt (`Passwords`).
enum StaffAccounts {
    static let migration = Migration(version: 8, formerly: 17, name: "staff accounts, login failures, who entered what", sql: """
        CREATE TABLE staff (
            id uuid PRIMARY KEY,
            institution_code text NOT NULL REFERENCES institutions (code),
            login text NOT NULL UNIQUE,
            name text NOT NULL,
            password_hash text NOT NULL,
            created_at timestamptz NOT NULL DEFAULT now(),
            password_changed_at timestamptz NOT NULL DEFAULT now());
        \(PasswordSignIn<StaffDirectory>.failuresTableSQL)
        ALTER TABLE cases ADD COLUMN entered_by uuid REFERENCES staff (id);
        ALTER TABLE attachments ADD COLUMN added_by uuid REFERENCES staff (id);
        """)

    /// Adds a staff member, or gives an existing login a new name, institution and password
    /// (already hashed); without a login, the institution's code and the next number. Returns the login.
    static func store(login: String?, name: String, institutionCode: String, passwordHash: String,
                      validDays: Int = PagePasswords.defaultValidDays, on db: PostgresConnection) throws -> String {
        guard try db.execute("SELECT 1 FROM institutions WHERE code = $1", [institutionCode]).first != nil else {
            throw Passwords.Refused("no institution \(institutionCode): register it with `intake institutions add` first")
        }
        let login = try login ?? db.execute("SELECT count(*) + 1 AS n FROM staff WHERE institution_code = $1",
                                            [institutionCode]).first.map { "\(institutionCode)-\(try $0.int("n"))" } ?? ""
        guard Passwords.isValidLogin(login) else {
            throw Passwords.Refused("the login must be letters, digits, '.', '_' or '-'")
        }
        try db.execute("""
            INSERT INTO staff (id, institution_code, login, name, password_hash, password_expires_at)
            VALUES ($1, $2, $3, $4, $5, \(BearerToken.expirySQL(days: 6)))
            ON CONFLICT (login) DO UPDATE SET name = EXCLUDED.name, institution_code = EXCLUDED.institution_code,
                \(PagePasswords.renewedSQL)
            """, [UUID(), institutionCode, login, name, passwordHash, validDays])
        return login
    }
}

/// The staff as signing in sees them.
struct StaffDirectory: AccountDirectory {
    private static let columns = """
        SELECT s.id, s.login, s.name, s.password_hash, \(PagePasswords.expiredSQL("s")) AS expired,
               i.code, i.name AS institution_name, i.local
        FROM staff s JOIN institutions i ON i.code = s.institution_code
        """

    func account(login: String, on db: PostgresConnection) throws -> StoredCredentials<StaffMember>? {
        try db.execute("\(Self.columns) WHERE s.login = $1 AND \(PagePasswords.notRevokedSQL("s"))", [login]).first
            .map { row in
                StoredCredentials(account: try Self.member(from: row), passwordHash: try row.string("password_hash"),
                                  passwordExpired: try row.bool("expired"))
            }
    }

    func account(id: UUID, on db: PostgresConnection) throws -> StaffMember? {
        try db.execute("\(Self.columns) WHERE s.id = $1 AND \(PagePasswords.usableSQL("s"))", [id]).first
            .map(Self.member(from:))
    }

    private static func member(from row: Row) throws -> StaffMember {
        StaffMember(id: try row.uuid("id"), login: try row.string("login"), name: try row.string("name"),
                    institution: Institution(code: try row.string("code"), name: try row.string("institution_name"),
                                             local: try row.bool("local")))
    }
}
