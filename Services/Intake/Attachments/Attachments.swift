import Crypto
import FoundationEssentials
import HoushiContract
import HoushiRuntime
import HoushiStorage

/// A scanned material sent with the notice (死亡证明, 身份证, 户口簿, the signed 登记表).
struct NoticeAttachment: Codable, Sendable, Equatable {
    var kind: AttachmentKind
    var contentType: String
    /// The file, base64.
    var data: String
}

/// Why a file is not accepted.
struct AttachmentProblem: Error, Sendable, Equatable {
    let message: String
    let messageZh: String
}

/// Attachments: stored in the intake schema with their SHA-256 and sealed (电子签章) with the
/// intake's `SealKey`, so departments and auditors can verify them.
enum Attachments {
    /// Largest file.
    static let sizeLimit = 5 * 1024 * 1024
    /// Accepted types and the bytes their files start with.
    static let signatures: [String: [UInt8]] = [
        "application/pdf": Array("%PDF".utf8),
        "image/jpeg": [0xFF, 0xD8, 0xFF],
        "image/png": [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A],
    ]

    static let migration = Migration(version: 3, formerly: 12, name: "attachments and the seal key", sql: """
        CREATE TABLE attachments (
            id uuid PRIMARY KEY,
            case_id uuid NOT NULL REFERENCES cases (case_id),
            kind text NOT NULL,
            content_type text NOT NULL,
            size integer NOT NULL,
            sha256 text NOT NULL,
            seal text NOT NULL,
            data bytea NOT NULL,
            created_at timestamptz NOT NULL DEFAULT now());
        CREATE INDEX attachments_by_case ON attachments (case_id);
        CREATE TABLE seal_keys (
            id integer PRIMARY KEY CHECK (id = 1),
            private_key bytea NOT NULL,
            created_at timestamptz NOT NULL DEFAULT now());
        """)

    /// Checks a file against its declared type and the size limit.
    static func check(contentType: String, data: Data) -> AttachmentProblem? {
        guard let magic = signatures[contentType.lowercased()] else {
            return AttachmentProblem(message: "must be PDF, JPEG or PNG", messageZh: "仅接受PDF、JPEG或PNG文件")
        }
        guard !data.isEmpty, data.count <= sizeLimit else {
            return AttachmentProblem(message: "must be 1 byte to 5 MiB", messageZh: "文件大小须在5 MiB以内")
        }
        guard data.starts(with: magic) else {
            return AttachmentProblem(message: "is not a \(contentType) file", messageZh: "文件内容与类型不符")
        }
        return nil
    }

    /// Stores and seals a checked file; returns the reference requests carry.
    static func store(caseId: UUID, kind: AttachmentKind, contentType: String, data: Data, addedBy: UUID? = nil,
                      key: SealKey, on db: PostgresConnection) throws -> AttachmentReference {
        let sha256 = SHA256.hash(data: data).lowercaseHex
        let reference = AttachmentReference(id: UUID(), kind: kind, sha256: sha256,
                                            seal: try key.seal(caseId: caseId, kind: kind, sha256: sha256), sealKeyId: key.id)
        try db.execute("""
            INSERT INTO attachments (id, case_id, kind, content_type, size, sha256, seal, seal_key_id, data, added_by)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
            """, [reference.id, caseId, kind.rawValue, contentType.lowercased(), data.count, sha256, reference.seal, key.id,
                  data, addedBy])
        return reference
    }
}
