import Foundation
import HoushiContract
import Testing

/// Signing in to the pages over HTTP against the real intake and database: sessions kept in the
/// schema (they survive a restart), cookies and headers as a browser must see them, CSRF on the
/// sign-in form, throttling after failed passwords, signing out.
@Suite(.serialized)
final class StaffPagesTests {
    let houshi: Houshi

    init() async throws {
        houshi = try await Houshi.start()
    }

    var base: String { get throws { "\(try houshi.address(of: .intake))" } }

    static func header(_ reply: HTTP.Reply, _ name: String) -> String? {
        reply.headers.first { $0.key.lowercased() == name.lowercased() }?.value
    }

    /// A form-data body of text fields.
    static func form(_ fields: [(String, String)]) -> (body: Data, contentType: String) {
        let boundary = "houshi-\(UUID().uuidString)"
        var text = ""
        for (name, value) in fields {
            text += "--\(boundary)\r\nContent-Disposition: form-data; name=\"\(name)\"\r\n\r\n\(value)\r\n"
        }
        return (Data((text + "--\(boundary)--\r\n").utf8), "multipart/form-data; boundary=\(boundary)")
    }

    /// Fetches the sign-in page and posts the form; returns the reply.
    func signIn(_ login: String, _ password: String, address: String = "10.0.0.1") async throws -> HTTP.Reply {
        try await Self.signIn(at: try base + "/yiyuan", login, password, address: address)
    }

    /// Signs in to the console at `console` (e.g. `https://127.0.0.1:8092/minzheng`); returns the reply.
    static func signIn(at console: String, _ login: String, _ password: String,
                       address: String = "10.0.0.1") async throws -> HTTP.Reply {
        let page = try await HTTP.get(console + "/login")
        let html = String(decoding: page.body, as: UTF8.self)
        let token = try #require(html.firstMatch(of: /name="_csrf" value="([0-9a-f]+)"/)?.1).description
        let cookie = try #require(header(page, "set-cookie")?.split(separator: ";").first).description
        let form = form([("_csrf", token), ("login", login), ("password", password)])
        return try await HTTP.post(console + "/login", headers: [
            "Content-Type": form.contentType, "Cookie": cookie, "X-Real-IP": address], body: form.body)
    }

    func staff(_ login: String) async throws -> String {
        let output = try await houshi.admin(.intake, ["staff", "add", "--institution", "TEST-HOSPITAL", "--name", "护士",
                                                      "--login", login])
        return try #require(output.split(separator: "\n").first { $0.hasPrefix("password: ") }?.dropFirst(10)).description
    }

    static func sessionCookie(_ reply: HTTP.Reply) throws -> String {
        try #require(header(reply, "set-cookie")?.split(separator: ";").first).description
    }

    @Test("a session is a strict, HttpOnly cookie kept in the schema: it survives intake's restart and ends on sign-out")
    func sessionsSurviveARestartAndEndOnSignOut() async throws {
        let login = "nurse-\(UInt32.random(in: 0...UInt32.max))"
        let password = try await staff(login)
        let signedIn = try await signIn(login, password)
        #expect(signedIn.status == 303)
        #expect(Self.header(signedIn, "location") == "/yiyuan/cases")
        let setCookie = try #require(Self.header(signedIn, "set-cookie"))
        #expect(setCookie.contains("HttpOnly") && setCookie.contains("SameSite=Strict"), "\(setCookie)")
        let cookie = try Self.sessionCookie(signedIn)

        let list = try await HTTP.get(try base + "/yiyuan/cases", headers: ["Cookie": cookie])
        #expect(list.status == 200)
        #expect(Self.header(list, "content-security-policy")?.contains("default-src 'none'") == true)
        #expect(Self.header(list, "cache-control") == "no-store")

        try await houshi.start(.intake)
        let afterRestart = try await HTTP.get(try base + "/yiyuan/cases", headers: ["Cookie": cookie])
        #expect(afterRestart.status == 200, "the session outlives the process")

        let html = String(decoding: afterRestart.body, as: UTF8.self)
        let token = try #require(html.firstMatch(of: /name="_csrf" value="([0-9a-f]+)"/)?.1).description
        let forged = Self.form([("_csrf", String(repeating: "0", count: token.count))])
        let refused = try await HTTP.post(try base + "/yiyuan/logout", headers: ["Content-Type": forged.contentType, "Cookie": cookie],
                                          body: forged.body)
        #expect(refused.status == 403, "a wrong CSRF token is refused")
        let signOut = Self.form([("_csrf", token)])
        let out = try await HTTP.post(try base + "/yiyuan/logout", headers: ["Content-Type": signOut.contentType, "Cookie": cookie],
                                      body: signOut.body)
        #expect(out.status == 303)
        let afterSignOut = try await HTTP.get(try base + "/yiyuan/cases", headers: ["Cookie": cookie])
        #expect(afterSignOut.status == 303 && Self.header(afterSignOut, "location") == "/yiyuan/login",
                "the old cookie no longer opens a page")
    }

    @Test("five wrong passwords hold the account for 15 minutes, even with the right one; the sign-in form needs its token")
    func failedSignInsAreThrottled() async throws {
        let login = "nurse-\(UInt32.random(in: 0...UInt32.max))"
        let password = try await staff(login)
        for _ in 1...5 {
            #expect(try await signIn(login, "wrong-password-1").status == 401)
        }
        let held = try await signIn(login, password)
        #expect(held.status == 429)
        #expect(String(decoding: held.body, as: UTF8.self).contains("尝试次数过多"))
        let failures = try await houshi.infrastructure.count(
            "SELECT count(*) FROM intake.login_failures WHERE login = $1", [login])
        #expect(failures == 5, "failures are counted in the schema, so every replica sees them")

        let form = Self.form([("_csrf", "forged"), ("login", login), ("password", password)])
        let noToken = try await HTTP.post(try base + "/yiyuan/login", headers: ["Content-Type": form.contentType], body: form.body)
        #expect(noToken.status == 403)
    }

    @Test("an expired password is refused and ends the sessions until `add` sets a new one; `revoke` ends an account at once")
    func passwordsExpireAndAccountsAreRevoked() async throws {
        let login = "nurse-\(UInt32.random(in: 0...UInt32.max))"
        let password = try await staff(login)
        let cookie = try Self.sessionCookie(try await signIn(login, password))
        func listed() async throws -> [String] {
            let output = try await houshi.admin(.intake, ["staff", "list"])
            return try #require(output.split(separator: "\n").first { $0.split(separator: "\t").dropFirst().first == Substring(login) })
                .split(separator: "\t").map(String.init)
        }
        func casesPage() async throws -> HTTP.Reply {
            try await HTTP.get(try base + "/yiyuan/cases", headers: ["Cookie": cookie])
        }
        #expect(try await listed()[3] == "valid")
        #expect(try await casesPage().status == 200)

        // Ninety days on: the password has expired.
        try await houshi.infrastructure.database.withConnection { db in
            try db.execute("UPDATE intake.staff SET password_expires_at = now() - interval '1 second' WHERE login = $1", [login])
        }
        #expect(try await listed()[3] == "expired")
        let expired = try await signIn(login, password)
        #expect(expired.status == 403)
        #expect(String(decoding: expired.body, as: UTF8.self).contains("密码已过期"))
        #expect(Self.header(try await casesPage(), "location") == "/yiyuan/login", "the old session ended with the password")
        #expect(try await signIn(login, "wrong-password-1").status == 401, "a wrong password is told as before")

        let renewed = try await staff(login)
        #expect(try await listed()[3] == "valid")
        let signedIn = try await signIn(login, renewed)
        #expect(signedIn.status == 303)
        let newCookie = try Self.sessionCookie(signedIn)

        _ = try await houshi.admin(.intake, ["staff", "revoke", "--login", login])
        #expect(try await listed()[3] == "revoked")
        let afterRevoke = try await HTTP.get(try base + "/yiyuan/cases", headers: ["Cookie": newCookie])
        #expect(Self.header(afterRevoke, "location") == "/yiyuan/login", "revoking ends the account's sessions")
        #expect(try await signIn(login, renewed).status == 401)
        await #expect(throws: (any Error).self) {
            _ = try await self.houshi.admin(.intake, ["staff", "revoke", "--login", "nobody-\(login)"])
        }
    }
}
