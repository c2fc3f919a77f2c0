import Crypto
import FoundationEssentials
import HoushiRuntime
import HoushiStorage
import HoushiWeb
import Synchronization

/// The family's short link to their case (`/jd/<token>`). A token is 96 bits of HMAC-SHA256 of
/// the case id under the intake's link key, so the SMS sender can write it into each message
/// without any table holding it; the schema keeps only its SHA-256 (to find the case) and the
/// link works until the case has been complete for 90 days.
struct FamilyLinks: Sendable {
    let key: SymmetricKey
    /// The pages' public address, e.g. `https://fy.example.gov.cn` (`HOUSHI_PUBLIC_URL`).
    let publicURL: String

    /// How long after completion a link still opens the page.
    static let daysAfterCompletion = 90

    static let migration = Migration(version: 9, formerly: 19, name: "family links and case numbers", sql: """
        CREATE TABLE family_links (
            token_sha256 bytea PRIMARY KEY,
            case_id uuid NOT NULL UNIQUE REFERENCES cases (case_id));
        CREATE TABLE link_keys (
            id integer PRIMARY KEY CHECK (id = 1),
            key bytea NOT NULL,
            created_at timestamptz NOT NULL DEFAULT now());
        ALTER TABLE cases ADD COLUMN number bigint GENERATED ALWAYS AS IDENTITY;
        CREATE UNIQUE INDEX cases_by_number ON cases (number);
        """)

    /// The case's token: 12 bytes of the HMAC, base64url (16 characters).
    func token(caseId: UUID) -> String {
        let mac = HMAC<SHA256>.authenticationCode(for: Data(caseId.lowercased.utf8), using: key)
        return Data(mac.prefix(12)).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
    }

    /// The link the SMS carries.
    func link(caseId: UUID) -> String { "\(publicURL)/jd/\(token(caseId: caseId))" }

    /// Records the hash of each case's token, in the transaction that opens the cases.
    func record(caseIds: [UUID], on tx: PostgresConnection) throws {
        guard !caseIds.isEmpty else { return }
        try tx.execute("""
            INSERT INTO family_links (token_sha256, case_id)
            SELECT sha256(convert_to(token, 'UTF8')), case_id FROM unnest($1::text[], $2::uuid[]) AS l (token, case_id)
            ON CONFLICT DO NOTHING
            """, [SQLArray(caseIds.map { token(caseId: $0) }), SQLArray(caseIds.map(\.lowercased))])
    }

    /// The case a token opens, or nil (unknown, or complete for more than 90 days).
    static func caseId(token: String, on db: PostgresConnection) throws -> UUID? {
        guard token.count == 16, token.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") })
        else { return nil }
        return try db.execute("""
            SELECT l.case_id FROM family_links l JOIN cases c USING (case_id)
            WHERE l.token_sha256 = \(BearerToken.hashSQL(1))
              AND (c.completed_at IS NULL OR c.completed_at > now() - $2::int * interval '1 day')
            """, [token, daysAfterCompletion]).first.map { try $0.uuid("case_id") }
    }

    /// The link key: `HOUSHI_FAMILY_LINK_KEY` (base64, at least 32 bytes), else the one kept in
    /// the schema, made on first use.
    static func load(publicURL: String, on db: PostgresConnection) throws -> FamilyLinks {
        if let configured = ProcessInfo.processInfo.environment["HOUSHI_FAMILY_LINK_KEY"] {
            guard let raw = Data(base64Encoded: configured.trimmingWhitespace), raw.count >= 32 else {
                throw ConfigurationError(variable: "HOUSHI_FAMILY_LINK_KEY", problem: "is not base64 of 32 bytes or more")
            }
            return FamilyLinks(key: SymmetricKey(data: raw), publicURL: publicURL)
        }
        try db.execute("INSERT INTO link_keys (id, key) VALUES (1, $1) ON CONFLICT (id) DO NOTHING",
                       [SymmetricKey(size: .bits256).withUnsafeBytes { Data($0) }])
        let stored = try db.execute("SELECT key FROM link_keys WHERE id = 1").first!.bytes("key")
        return FamilyLinks(key: SymmetricKey(data: stored), publicURL: publicURL)
    }
}

/// The family links of a running intake, their key read from the schema once.
final class FamilyLinkSource: Sendable {
    let publicURL: String
    private let loaded = Mutex<FamilyLinks?>(nil)

    init(publicURL: String) {
        self.publicURL = publicURL
    }

    /// The pages' public address (`PublicAddress`).
    convenience init() {
        self.init(publicURL: PublicAddress.current)
    }

    func links(on db: PostgresConnection) throws -> FamilyLinks {
        if let links = loaded.withLock({ $0 }) { return links }
        let links = try FamilyLinks.load(publicURL: publicURL, on: db)
        loaded.withLock { $0 = links }
        return links
    }
}
