import FoundationEssentials
import HoushiRuntime
import HoushiStorage

/// Someone who signs in to a console.
public protocol SignedInAccount: Sendable {
    var id: UUID { get }
    /// What they type to sign in; logged, unlike their name.
    var login: String { get }
}

/// An account as signing in finds it: who, the password's hash, whether the password expired.
public struct StoredCredentials<Account: SignedInAccount>: Sendable {
    public let account: Account
    public let passwordHash: String
    public let passwordExpired: Bool

    public init(account: Account, passwordHash: String, passwordExpired: Bool) {
        self.account = account
        self.passwordHash = passwordHash
        self.passwordExpired = passwordExpired
    }
}

/// A console's accounts, as signing in sees them: looked up by login or by a session's id.
public protocol AccountDirectory: Sendable {
    associatedtype Account: SignedInAccount
    /// The account with the login, unless it is revoked (`PagePasswords`).
    func account(login: String, on db: PostgresConnection) throws -> StoredCredentials<Account>?
    /// The account a session names; nil when it is gone, revoked or its password expired.
    func account(id: UUID, on db: PostgresConnection) throws -> Account?
}

/// One sign-in attempt: throttled per account and address, the password checked with bcrypt,
/// failures recorded in the schema's `login_failures` (so every replica counts them).
public struct PasswordSignIn<Directory: AccountDirectory>: Sendable {
    public enum Outcome: Sendable {
        case signedIn(Directory.Account)
        /// The password was right but has expired: an administrator sets a new one.
        case passwordExpired(Directory.Account)
        case wrongPassword
        case throttled
    }

    let database: Database
    let directory: Directory
    var throttle = LoginThrottle()

    public init(database: Database, directory: Directory, throttle: LoginThrottle = LoginThrottle()) {
        self.database = database
        self.directory = directory
        self.throttle = throttle
    }

    /// The table of failed attempts, for a schema's migrations.
    public static var failuresTableSQL: String {
        """
        CREATE TABLE login_failures (
            login text NOT NULL,
            address text NOT NULL,
            failed_at timestamptz NOT NULL DEFAULT now());
        CREATE INDEX login_failures_by_login ON login_failures (login, failed_at);
        CREATE INDEX login_failures_by_address ON login_failures (address, failed_at);
        """
    }

    public func attempt(login: String, password: String, address: String) async throws -> Outcome {
        let (throttle, directory) = (throttle, directory)
        let (found, allowed) = try await database.withConnection { db in
            let failures = try db.execute("""
                SELECT (SELECT count(*) FROM login_failures WHERE login = $1
                            AND failed_at > now() - $3::int * interval '1 second') AS account_failures,
                       (SELECT count(*) FROM login_failures WHERE address = $2
                            AND failed_at > now() - $3::int * interval '1 second') AS address_failures
                """, [login, address, throttle.windowSeconds]).first!
            let allowed = throttle.allows(accountFailures: try failures.int("account_failures"),
                                          addressFailures: try failures.int("address_failures"))
            return (allowed ? try directory.account(login: login, on: db) : nil, allowed)
        }
        guard allowed else { return .throttled }
        guard try await Passwords.verify(password, hash: found?.passwordHash), let account = found?.account else {
            try await database.withConnection { db in
                try db.execute("INSERT INTO login_failures (login, address) VALUES ($1, $2)", [login, address])
            }
            return .wrongPassword
        }
        try await database.withConnection { db in
            try db.execute("DELETE FROM login_failures WHERE login = $1", [login])
        }
        return found?.passwordExpired == true ? .passwordExpired(account) : .signedIn(account)
    }
}
