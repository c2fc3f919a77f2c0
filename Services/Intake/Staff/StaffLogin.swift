import FoundationEssentials
import HoushiRuntime
import HoushiStorage

/// One login attempt: throttled per account and address, the password checked with bcrypt,
/// failures recorded in the schema (so every replica counts them).
struct StaffLogin: Sendable {
    enum Outcome: Sendable, Equatable {
        case signedIn(StaffMember)
        case wrongPassword
        case throttled
    }

    let database: Database
    var throttle = LoginThrottle()

    func attempt(login: String, password: String, address: String) async throws -> Outcome {
        let throttle = self.throttle
        let found = try await database.withConnection { db in
            try db.execute("""
                SELECT s.id, s.login, s.name, s.password_hash, i.code, i.name AS institution_name, i.local,
                    (SELECT count(*) FROM login_failures WHERE login = $1
                        AND failed_at > now() - $3::int * interval '1 second') AS account_failures,
                    (SELECT count(*) FROM login_failures WHERE address = $2
                        AND failed_at > now() - $3::int * interval '1 second') AS address_failures
                FROM (SELECT) AS one
                LEFT JOIN staff s ON s.login = $1 LEFT JOIN institutions i ON i.code = s.institution_code
                """, [login, address, throttle.windowSeconds]).first.map { row in
                (member: row["id"] == nil ? nil : try StaffAccounts.member(from: row), hash: row["password_hash"],
                 accountFailures: try row.int("account_failures"), addressFailures: try row.int("address_failures"))
            }
        }
        guard let found, throttle.allows(accountFailures: found.accountFailures, addressFailures: found.addressFailures)
        else { return .throttled }
        let matches = try await StaffAccounts.verify(password, hash: found.hash)
        guard matches, let member = found.member else {
            try await database.withConnection { db in
                try db.execute("INSERT INTO login_failures (login, address) VALUES ($1, $2)", [login, address])
            }
            return .wrongPassword
        }
        try await database.withConnection { db in
            try db.execute("DELETE FROM login_failures WHERE login = $1", [login])
        }
        return .signedIn(member)
    }
}
