import FoundationEssentials
import HoushiRuntime
import HoushiStorage
import HummingbirdBcrypt
import NIOPosix

/// A hospital staff member who enters notices on the pages, for one institution.
struct StaffMember: Sendable, Equatable {
    let id: UUID
    let login: String
    let name: String
    let institution: Institution
}

/// Staff accounts: passwords hashed with bcrypt, which runs on NIO's thread pool (it is slow on
/// purpose and must not hold one of Swift concurrency's cooperative threads).
enum StaffAccounts {
    static let migration = Migration(version: 17, name: "staff accounts, login failures, who entered what", sql: """
        CREATE TABLE staff (
            id uuid PRIMARY KEY,
            institution_code text NOT NULL REFERENCES institutions (code),
            login text NOT NULL UNIQUE,
            name text NOT NULL,
            password_hash text NOT NULL,
            created_at timestamptz NOT NULL DEFAULT now(),
            password_changed_at timestamptz NOT NULL DEFAULT now());
        CREATE TABLE login_failures (
            login text NOT NULL,
            address text NOT NULL,
            failed_at timestamptz NOT NULL DEFAULT now());
        CREATE INDEX login_failures_by_login ON login_failures (login, failed_at);
        CREATE INDEX login_failures_by_address ON login_failures (address, failed_at);
        ALTER TABLE cases ADD COLUMN entered_by uuid REFERENCES staff (id);
        ALTER TABLE attachments ADD COLUMN added_by uuid REFERENCES staff (id);
        """)

    /// bcrypt's cost: 2^12 rounds.
    static let cost: UInt8 = 12
    /// The shortest password accepted.
    static let minimumPasswordLength = 10

    struct Refused: Error, CustomStringConvertible {
        let description: String
    }

    /// Refuses a password too short to keep.
    static func checkPassword(_ password: String) throws {
        guard password.count >= minimumPasswordLength else {
            throw Refused(description: "the password must have at least \(minimumPasswordLength) characters")
        }
    }

    /// Adds a staff member, or gives an existing login a new name, institution and password
    /// (already hashed); without a login, the institution's code and the next number. Returns the login.
    static func store(login: String?, name: String, institutionCode: String, passwordHash: String,
                      on db: PostgresConnection) throws -> String {
        guard try db.execute("SELECT 1 FROM institutions WHERE code = $1", [institutionCode]).first != nil else {
            throw Refused(description: "no institution \(institutionCode): register it with `intake institutions add` first")
        }
        let login = try login ?? db.execute("SELECT count(*) + 1 AS n FROM staff WHERE institution_code = $1",
                                            [institutionCode]).first.map { "\(institutionCode)-\(try $0.int("n"))" } ?? ""
        guard !login.isEmpty, login.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "._-".contains($0)) }) else {
            throw Refused(description: "the login must be letters, digits, '.', '_' or '-'")
        }
        try db.execute("""
            INSERT INTO staff (id, institution_code, login, name, password_hash) VALUES ($1, $2, $3, $4, $5)
            ON CONFLICT (login) DO UPDATE SET name = EXCLUDED.name, institution_code = EXCLUDED.institution_code,
                password_hash = EXCLUDED.password_hash, password_changed_at = now()
            """, [UUID(), institutionCode, login, name, passwordHash])
        return login
    }

    /// The staff member with this id, as a session names them.
    static func member(id: UUID, on db: PostgresConnection) throws -> StaffMember? {
        try db.execute("""
            SELECT s.id, s.login, s.name, i.code, i.name AS institution_name, i.local
            FROM staff s JOIN institutions i ON i.code = s.institution_code WHERE s.id = $1
            """, [id]).first.map(member(from:))
    }

    static func member(from row: Row) throws -> StaffMember {
        StaffMember(id: try row.uuid("id"), login: try row.string("login"), name: try row.string("name"),
                    institution: Institution(code: try row.string("code"), name: try row.string("institution_name"),
                                             local: try row.bool("local")))
    }

    /// Hashes a password on the thread pool.
    static func hashPassword(_ password: String) async throws -> String {
        try await NIOThreadPool.singleton.runIfActive { Bcrypt.hash(password, cost: cost) }
    }

    /// Whether the password matches the hash, checked on the thread pool. Without a hash (no such
    /// login) a stand-in is checked, so an unknown login takes as long as a wrong password.
    static func verify(_ password: String, hash: String?) async throws -> Bool {
        try await NIOThreadPool.singleton.runIfActive {
            Bcrypt.verify(password, hash: hash ?? absentHash) && hash != nil
        }
    }

    private static let absentHash = Bcrypt.hash(String.randomHex(bytes: 16), cost: cost)
}
