import Foundation
import HoushiContract
import Testing

/// The hospital's and the family's pages in a real browser: Debian's chromium, driven by
/// selenium (`Tests/Browser/notice_pages.py`) through nginx in front of the four services, with
/// the family's SMS going to a local stand-in provider. Screenshots and the printed PDF land in
/// `<test run dir>/browser/`.
@Suite(.serialized)
final class BrowserTests {
    let houshi: Houshi
    let sink: SMSSink
    let webPort = Int.random(in: 40_000...44_000)

    init() async throws {
        sink = try SMSSink()
        houshi = try await Houshi.start(overrides: [.intake: [
            "HOUSHI_SMS_WEBHOOK_URL": sink.webhookURL, "HOUSHI_PUBLIC_URL": "http://127.0.0.1:\(webPort)",
        ]])
    }

    /// `deploy/local/infra start-nginx|stop-nginx` on this test's web port, in front of its services.
    private func nginx(_ subcommand: String) async throws {
        try await runCommand(TestEnvironment.repository.appendingPathComponent("deploy/local/infra"), [subcommand], environment: [
            "HOUSHI_RUN_DIR": houshi.environment.runDirectory.path, "HOUSHI_WEB_PORT": String(webPort),
            "HOUSHI_HTTP_BASE_PORT": String(Houshi.basePort),
        ])
    }

    /// A staff account of an institution; returns its password.
    private func staff(_ login: String, institution: String) async throws -> String {
        let output = try await houshi.admin(.intake, ["staff", "add", "--institution", institution, "--name", "测试护士",
                                                      "--login", login])
        return try #require(output.split(separator: "\n").first { $0.hasPrefix("password: ") }?.dropFirst(10)).description
    }

    @Test("a clerk enters the 登记表 in chromium, corrects an error, prints it; the family's link shows the same")
    func clerkAndFamilyInABrowser() async throws {
        let suffix = String(UInt32.random(in: 0...UInt32.max), radix: 36)
        let password = try await staff("clerk-\(suffix)", institution: "TEST-HOSPITAL")
        _ = try await houshi.admin(.intake, ["institutions", "add", "--code", "OTHER-\(suffix)", "--name", "另一家医院"])
        let otherPassword = try await staff("other-\(suffix)", institution: "OTHER-\(suffix)")
        let idNumber = TestNotices.freshIDNumber(like: "230883194103150243")
        try await houshi.registerForWholeFlow(idNumber: idNumber, name: "赵秀英")

        let shots = houshi.environment.runDirectory.appendingPathComponent("browser")
        try await nginx("start-nginx")
        let run = await Result(asyncCatching: { try await runCommand(URL(fileURLWithPath: "/usr/bin/env"), [
            "python3", TestEnvironment.repository.appendingPathComponent("Tests/Browser/notice_pages.py").path,
            "--base", "http://127.0.0.1:\(webPort)", "--login", "clerk-\(suffix)", "--password", password,
            "--other-login", "other-\(suffix)", "--other-password", otherPassword,
            "--deceased-id", idNumber, "--deceased-name", "赵秀英", "--sms-file", sink.received.path, "--shots", shots.path,
        ], environment: [:]) })
        try await nginx("stop-nginx")
        let output = try run.get()
        print(output)
        #expect(output.contains("BROWSER TEST PASSED"))
        let pictures = try FileManager.default.contentsOfDirectory(atPath: shots.path).filter { $0.hasSuffix(".png") }
        #expect(pictures.count >= 10, "screenshots in \(shots.path): \(pictures.sorted())")
    }
}
