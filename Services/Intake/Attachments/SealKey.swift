import Crypto
import FoundationEssentials
import HoushiContract
import HoushiRuntime
import HoushiStorage

/// The intake's seal (电子签章) key: an Ed25519 private key read once at start from a secret and
/// never stored, named by an id made from its public key. The public keys of every key that ever
/// sealed are kept in the schema (`SealPublicKeys`), so seals made before a rotation still verify.
struct SealKey: Sendable {
    /// The variable holding base64 of the 32-byte private key (or `…_FILE`, a file holding it).
    static let variable = "HOUSHI_SEAL_KEY"

    let privateKey: Curve25519.Signing.PrivateKey
    /// `ed25519-` and the first 16 hex digits of the public key's SHA-256.
    let id: String

    init(privateKey: Curve25519.Signing.PrivateKey) {
        self.privateKey = privateKey
        id = Self.id(of: privateKey.publicKey)
    }

    /// The key `HOUSHI_SEAL_KEY_FILE` or `HOUSHI_SEAL_KEY` holds; throws when neither is set or the
    /// value is not a key, so that intake does not start without one.
    static func load(from reader: EnvironmentReader = EnvironmentReader()) throws -> SealKey {
        guard let text = try reader.optionalString(variable) else {
            throw ConfigurationError(variable: variable, problem: """
                is not set (nor \(variable)_FILE): intake needs the seal key, base64 of 32 random bytes \
                (deploy/local and deploy/compose/make-secrets make one)
                """)
        }
        guard let raw = Data(base64Encoded: text), raw.count == 32,
              let key = try? Curve25519.Signing.PrivateKey(rawRepresentation: raw)
        else { throw ConfigurationError(variable: variable, problem: "is not base64 of a 32-byte Ed25519 key") }
        return SealKey(privateKey: key)
    }

    static func id(of publicKey: Curve25519.Signing.PublicKey) -> String {
        "ed25519-" + SHA256.hash(data: publicKey.rawRepresentation).lowercaseHex.prefix(16)
    }

    /// The text a seal signs, UTF-8: the case id (lowercase), the kind and the file's SHA-256
    /// (lowercase hex), one per line, without a final newline.
    static func signedText(caseId: UUID, kind: AttachmentKind, sha256: String) -> Data {
        Data("\(caseId.lowercased)\n\(kind.rawValue)\n\(sha256)".utf8)
    }

    /// How `signedText` is described to those who verify seals (`/v1/seal/public-keys`).
    static let signedTextTemplate = "{caseId}\n{kind}\n{sha256}"

    /// The seal of a file: base64 of the Ed25519 signature of its signed text.
    func seal(caseId: UUID, kind: AttachmentKind, sha256: String) throws -> String {
        try privateKey.signature(for: Self.signedText(caseId: caseId, kind: kind, sha256: sha256)).base64EncodedString()
    }
}

/// A public key that sealed attachments, as `/v1/seal/public-keys` lists it.
struct SealPublicKey: Sendable, Equatable {
    let id: String
    let publicKey: Data
    /// When intake first sealed (or started) with it.
    let since: Timestamp
}

/// `GET /v1/seal/public-keys`: every key by id, and how to verify a seal.
struct SealPublicKeyList: Encodable {
    let algorithm = "Ed25519"
    let signedText = SealKey.signedTextTemplate
    let current: String
    let keys: [Key]

    struct Key: Encodable {
        let id: String
        let publicKey: String
        let since: Timestamp
    }

    init(current: String, keys: [SealPublicKey]) {
        self.current = current
        self.keys = keys.map { Key(id: $0.id, publicKey: $0.publicKey.base64EncodedString(), since: $0.since) }
    }
}

/// The public keys of the seal keys intake has used, in the intake schema.
enum SealPublicKeys {
    /// The public keys by id, and which key sealed each attachment. The private key intake once
    /// kept in `seal_keys` is moved out by `adopt(_:on:)` and the table dropped.
    static let migration = Migration(version: 11, formerly: 22, name: "seal public keys by id", sql: """
        CREATE TABLE seal_public_keys (
            key_id text PRIMARY KEY,
            public_key bytea NOT NULL,
            since timestamptz NOT NULL DEFAULT now());
        ALTER TABLE attachments ADD COLUMN seal_key_id text REFERENCES seal_public_keys (key_id);
        """)

    /// Records `current`'s public key, once. On the first start after the upgrade, while the
    /// schema still has the `seal_keys` table of the release that kept a private key there, also
    /// keeps that key's public key, gives every attachment sealed before keys had ids the id of
    /// the key (that one or `current`) whose public key verifies its seal, and drops the table.
    static func adopt(_ current: SealKey, on db: PostgresConnection) throws {
        try db.withTransaction { tx in
            try record(current.privateKey.publicKey, since: nil, on: tx)
            guard try tx.execute("SELECT to_regclass('seal_keys') IS NOT NULL AS present").first?.bool("present") == true
            else { return }
            var candidates = [current.privateKey.publicKey]
            for row in try tx.execute("SELECT private_key, created_at FROM seal_keys").rows {
                let stored = try Curve25519.Signing.PrivateKey(rawRepresentation: try row.bytes("private_key"))
                try record(stored.publicKey, since: try row.string("created_at"), on: tx)
                candidates.append(stored.publicKey)
            }
            try nameKeys(candidates: candidates, on: tx)
            try tx.execute("DROP TABLE seal_keys")
        }
    }

    /// Every key, oldest first.
    static func all(on db: PostgresConnection) throws -> [SealPublicKey] {
        try db.execute("""
            SELECT key_id, public_key, extract(epoch FROM since)::bigint AS since
            FROM seal_public_keys ORDER BY since, key_id
            """).rows.map { row in
            SealPublicKey(id: try row.string("key_id"), publicKey: try row.bytes("public_key"),
                          since: Timestamp(Date(timeIntervalSince1970: Double(try row.int64("since")))))
        }
    }

    private static func record(_ publicKey: Curve25519.Signing.PublicKey, since: String?, on tx: PostgresConnection) throws {
        try tx.execute("""
            INSERT INTO seal_public_keys (key_id, public_key, since) VALUES ($1, $2, coalesce($3::timestamptz, now()))
            ON CONFLICT (key_id) DO NOTHING
            """, [SealKey.id(of: publicKey), publicKey.rawRepresentation, since])
    }

    /// Gives attachments sealed before keys had ids the id of the candidate that verifies them.
    private static func nameKeys(candidates: [Curve25519.Signing.PublicKey], on tx: PostgresConnection) throws {
        let unnamed = try tx.execute("SELECT id, case_id, kind, sha256, seal FROM attachments WHERE seal_key_id IS NULL").rows
        for row in unnamed {
            guard let kind = AttachmentKind(rawValue: try row.string("kind")),
                  let seal = Data(base64Encoded: try row.string("seal")) else { continue }
            let text = SealKey.signedText(caseId: try row.uuid("case_id"), kind: kind, sha256: try row.string("sha256"))
            guard let key = candidates.first(where: { $0.isValidSignature(seal, for: text) }) else { continue }
            try tx.execute("UPDATE attachments SET seal_key_id = $1 WHERE id = $2", [SealKey.id(of: key), try row.uuid("id")])
        }
    }
}
