import Foundation
import HoushiContract
import Testing

/// Holding up under abuse: hundreds of connections that stall (before their TLS handshake, or
/// after half a request) neither keep intake from answering a real request nor stay open past
/// the idle timeout.
@Suite(.serialized)
final class AbuseTests {
    static let idleSeconds = 2
    let houshi: Houshi

    init() async throws {
        houshi = try await Houshi.start(overrides: [.intake: ["HOUSHI_HTTP_IDLE_SECONDS": "\(Self.idleSeconds)"]])
    }

    @Test("300 stalled connections: a real request is answered at once, and the stalled ones are closed")
    func slowClientsDoNotHoldIntake() async throws {
        let count = 300
        let output = try await runCommand(URL(fileURLWithPath: "/usr/bin/env"), [
            "python3", TestEnvironment.repository.appendingPathComponent("Tests/Abuse/slow_clients.py").path,
            try houshi.address(of: .intake), "\(count)", "\(Self.idleSeconds)", houshi.token,
        ] + (houshi.environment.tls ? [try houshi.environment.tlsCA.path] : []), environment: [:])
        let result = try #require(try JSONSerialization.jsonObject(with: Data(output.utf8)) as? [String: Any], "\(output)")
        print("slow clients: \(output)", terminator: "")
        #expect(result["status"] as? Int == 200)
        #expect((result["answered"] as? Double ?? 99) < 1, "the real request took \(result["answered"] ?? "?") s")
        #expect(result["closed"] as? Int == count, "the server closed \(result["closed"] ?? "?") of \(count)")
    }
}
