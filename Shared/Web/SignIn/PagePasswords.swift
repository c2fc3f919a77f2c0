import ArgumentParser
import FoundationEssentials
import HoushiRuntime
import HoushiStorage

/// How long a page account's password lasts and how an account is revoked: the same columns on
/// every table of accounts that sign in with a password (the officers', the hospital staff's).
public enum PagePasswords {
    /// How long a password is valid unless its account was added with other days.
    public static let defaultValidDays = 90

    /// Adds expiry and revocation to the tables; passwords set before are valid for
    /// `defaultValidDays` from the upgrade.
    public static func migration(version: Int, formerly: Int?, tables: [String]) -> Migration {
        Migration(version: version, formerly: formerly, name: "page passwords expire, accounts are revoked", sql: tables.map { table in
            """
            ALTER TABLE \(table) ADD COLUMN password_expires_at timestamptz, ADD COLUMN revoked_at timestamptz;
            UPDATE \(table) SET password_expires_at = now() + interval '\(defaultValidDays) days';
            ALTER TABLE \(table) ALTER COLUMN password_expires_at SET NOT NULL;
            """
        }.joined(separator: "\n"))
    }

    /// The SQL assignments of an upsert that sets a new password valid `$n` days (`EXCLUDED` holds
    /// the new row): the account is usable again if it was revoked.
    public static let renewedSQL = """
        password_hash = EXCLUDED.password_hash, password_changed_at = now(),
        password_expires_at = EXCLUDED.password_expires_at, revoked_at = NULL
        """

    /// The SQL condition of an account that may sign in (columns of `alias`): not revoked.
    public static func notRevokedSQL(_ alias: String) -> String { "\(alias).revoked_at IS NULL" }

    /// The SQL condition of an account whose sessions still hold: not revoked, password not expired.
    public static func usableSQL(_ alias: String) -> String {
        "\(alias).revoked_at IS NULL AND \(alias).password_expires_at > now()"
    }

    /// The SQL expression telling whether the account's password has expired.
    public static func expiredSQL(_ alias: String) -> String { "\(alias).password_expires_at <= now()" }

    /// Revokes the account with the login at once (its sessions end with it); false when the
    /// table has no such login.
    public static func revoke(table: String, login: String, on db: PostgresConnection) throws -> Bool {
        try db.execute("UPDATE \(table) SET revoked_at = coalesce(revoked_at, now()) WHERE login = $1",
                       [login]).affectedRows == 1
    }

    /// Every account of the table as `… list` prints it: id, login, name, state (`valid`,
    /// `expired`, `revoked`) and the password's expiry in Beijing time, tab-separated.
    public static func list(table: String, on db: PostgresConnection) throws -> [String] {
        try db.execute("""
            SELECT id, login, name, \(BearerToken.stateSQL(revokedAt: "revoked_at", expiresAt: "password_expires_at")) AS state,
                   \(beijingTimeSQL("password_expires_at")) AS expires
            FROM \(table) ORDER BY login
            """).rows.map { row in
            [try row.uuid("id").lowercased, try row.string("login"), try row.string("name"), try row.string("state"),
             try row.string("expires")].joined(separator: "\t")
        }
    }
}

extension ServiceDefinition {
    /// `… revoke --login L` of a command on the accounts of `table`: revokes and says so.
    public static func revokeAccount(table: String, login: String) async throws {
        guard try await withMigratedDatabase({ db in try PagePasswords.revoke(table: table, login: login, on: db) }) else {
            throw ValidationError("no account has the login \(login) (无此帐号)")
        }
        print("\(login): revoked, signed out everywhere (帐号已停用)")
    }

    /// `… list` of a command on the accounts of `table`.
    public static func listAccounts(table: String) async throws {
        for line in try await withMigratedDatabase({ db in try PagePasswords.list(table: table, on: db) }) {
            print(line)
        }
    }
}
