import Crypto
import Foundation
import HoushiContract
import HoushiRuntime
@testable import Intake
import Testing

/// The seal key comes only from a secret, and seals what SECURITY.md's worked example says.
@Suite struct SealKeyTests {
    /// SECURITY.md's example key: 32 bytes 0x01…0x20, never a real one.
    static let exampleKey = "AQIDBAUGBwgJCgsMDQ4PEBESExQVFhcYGRobHB0eHyA="

    @Test func theKeyComesFromTheVariableOrItsFile() throws {
        let key = try SealKey.load(from: EnvironmentReader(environment: ["HOUSHI_SEAL_KEY": Self.exampleKey]))
        #expect(key.id == "ed25519-65b60673d6ed884b")

        let file = FileManager.default.temporaryDirectory.appendingPathComponent("seal-key-\(UUID().uuidString)")
        try Data("\(Self.exampleKey)\n".utf8).write(to: file)
        defer { try? FileManager.default.removeItem(at: file) }
        let fromFile = try SealKey.load(from: EnvironmentReader(environment: ["HOUSHI_SEAL_KEY_FILE": file.path,
                                                                              "HOUSHI_SEAL_KEY": "ignored"]))
        #expect(fromFile.id == key.id)
    }

    @Test("intake refuses to start without a usable key", arguments: [
        ([:], "HOUSHI_SEAL_KEY is not set (nor HOUSHI_SEAL_KEY_FILE)"),
        (["HOUSHI_SEAL_KEY": "not base64!"], "HOUSHI_SEAL_KEY is not base64 of a 32-byte Ed25519 key"),
        (["HOUSHI_SEAL_KEY": "AQID"], "HOUSHI_SEAL_KEY is not base64 of a 32-byte Ed25519 key"),
        (["HOUSHI_SEAL_KEY_FILE": "/nonexistent/seal-key"], "HOUSHI_SEAL_KEY_FILE names /nonexistent/seal-key: no such file"),
    ] as [([String: String], String)])
    func missingOrBadKey(environment: [String: String], expected: String) {
        #expect {
            try SealKey.load(from: EnvironmentReader(environment: environment))
        } throws: { error in
            "\(error)".hasPrefix(expected)
        }
    }

    /// The worked example of SECURITY.md ("Verifying a seal"), made by this code.
    @Test func theDocumentedExampleIsWhatTheCodeSeals() throws {
        let key = try SealKey.load(from: EnvironmentReader(environment: ["HOUSHI_SEAL_KEY": Self.exampleKey]))
        let caseId = try #require(UUID(uuidString: "0193a5c2-7d41-7c2e-9f3a-2b8d4e6f1a20"))
        let sha256 = SHA256.hash(data: Data("%PDF-1.4 example scan".utf8)).map { String(format: "%02x", $0) }.joined()
        #expect(sha256 == "ef956f2863476e67dc7fcd919a84c2239c7df47085443dcffb91854006466622")
        let seal = try key.seal(caseId: caseId, kind: .deathCertificateScan, sha256: sha256)
        #expect(seal == "RSZy92lmm6VpdgtpMgLufv732N3bxzu3Z6AlwNe782sZVobX6ExSinxnFxibdEVoRClK13CoaG2zfOlq1SAlCQ==")
        #expect(key.privateKey.publicKey.rawRepresentation.base64EncodedString()
                == "ebVWLo/mVPlAeLES6KmLp5AfhTrmlb7X4OORC60ElmQ=")

        let document = try String(contentsOf: URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("../../SECURITY.md").standardized, encoding: .utf8)
        for value in [seal, key.id, sha256, caseId.lowercased, "ebVWLo/mVPlAeLES6KmLp5AfhTrmlb7X4OORC60ElmQ="] {
            #expect(document.contains(value), "SECURITY.md lacks \(value)")
        }
        let template = SealKey.signedTextTemplate.replacing("{caseId}", with: caseId.lowercased)
            .replacing("{kind}", with: "death-certificate-scan").replacing("{sha256}", with: sha256)
        #expect(Data(template.utf8) == SealKey.signedText(caseId: caseId, kind: .deathCertificateScan, sha256: sha256))
    }
}
