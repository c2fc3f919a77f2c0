import Foundation
import HoushiContract
import HoushiHTTPClient
import HoushiMessaging
import HoushiRuntime
import HoushiStorage
import Testing

/// Every link that leaves a process is encrypted and the server verified (issue 32, point 1):
/// the test run's broker, database, services and nginx speak TLS only, with certificates of the run's
/// local CA (`deploy/local/lib.sh`, `ensure_tls`). A client that trusts another CA, asks for
/// another name or does not speak TLS at all is refused.
@Suite(.serialized)
struct TLSTests {
    let environment: TestEnvironment

    init() throws {
        environment = try TestEnvironment.load()
        try #require(environment.tls, "the tests run with HOUSHI_TLS=on (deploy/local/test's default)")
    }

    /// A certificate authority of its own, made by the same provisioning function: nothing the
    /// servers present is signed by it.
    private func strangerCA() async throws -> URL {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("houshi-stranger-ca-\(UUID())")
        _ = try await runCommand(URL(fileURLWithPath: "/bin/bash"), [
            "-c", ". \"$1/deploy/provisioning.sh\" && make_tls_ca \"$2\"", "tls-tests",
            TestEnvironment.repository.path, folder.path,
        ], environment: [:])
        return folder.appendingPathComponent("ca.pem")
    }

    // MARK: RabbitMQ

    /// Connects (and disconnects) as `url`'s user; the error's text when refused.
    private func brokerRefusal(_ url: AMQPURL) async -> String? {
        await onDedicatedThread(name: "tls-broker") { () -> String? in
            do {
                try AMQPConnection(url: url, name: "integration tests of TLS", timeout: .seconds(5)).close()
                return nil
            } catch {
                return "\(error)"
            }
        }
    }

    @Test("the broker is reached over verified AMQPS only")
    func brokerSpeaksVerifiedTLSOnly() async throws {
        let url = try #require(AMQPURL(try environment.adminValue("HOUSHI_AMQP_ADMIN_URL")))
        let ca = try environment.tlsCA.path
        #expect(url.tls?.caCertificateFile == ca)
        #expect(await brokerRefusal(url) == nil)

        var stranger = url
        stranger.tls = AMQPURL.TLS(caCertificateFile: try await strangerCA().path)
        let refusal = try #require(await brokerRefusal(stranger), "a broker certificate of another CA was accepted")
        #expect(refusal.contains("verif"), "\(refusal)")

        var plain = url
        plain.tls = nil
        #expect(await brokerRefusal(plain) != nil, "plain AMQP was accepted on the TLS port")
    }

    // MARK: PostgreSQL

    /// Connects as the service role of `url`; the error's text when refused.
    private func databaseRefusal(_ url: String) async -> String? {
        await onDedicatedThread(name: "tls-database") { () -> String? in
            do {
                let db = try PostgresConnection(url: url)
                defer { db.close() }
                let ssl = try db.execute("SELECT ssl::text AS ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()")
                return ssl.first?["ssl"] == "true" ? nil : "connected without TLS"
            } catch {
                return "\(error)"
            }
        }
    }

    @Test("the database is reached with TLS and verify-full only")
    func databaseSpeaksVerifiedTLSOnly() async throws {
        let url = try environment.databaseURL(of: .intake)
        #expect(url.contains("sslmode=verify-full"))
        #expect(await databaseRefusal(url) == nil)

        let stranger = url.replacingOccurrences(of: try environment.serviceCA.path, with: try await strangerCA().path)
        #expect(stranger != url)
        let wrongCA = try #require(await databaseRefusal(stranger), "a database certificate of another CA was accepted")
        #expect(wrongCA.contains("certificate verify failed"), "\(wrongCA)")

        // Reached at its address, but asked for by a name its certificate does not hold.
        let port = try environment.adminValue("HOUSHI_PG_PORT")
        let otherName = url.replacingOccurrences(of: "@127.0.0.1:\(port)/houshi?", with: "@db.example:\(port)/houshi?hostaddr=127.0.0.1&")
        let wrongName = try #require(await databaseRefusal(otherName), "a certificate for another name was accepted")
        #expect(wrongName.contains("does not match host name \"db.example\""), "\(wrongName)")

        let plain = url.replacingOccurrences(of: "sslmode=verify-full", with: "sslmode=disable")
        let refused = try #require(await databaseRefusal(plain), "a connection without TLS was accepted")
        #expect(refused.contains("no encryption"), "\(refused)")
    }

    // MARK: The services

    /// `curl`'s status code and exit status (`"200 exit 0"`) for `arguments`.
    private func curl(_ arguments: [String]) async throws -> String {
        try await runCommand(URL(fileURLWithPath: "/bin/bash"), [
            "-c", "curl -sS -o /dev/null -w '%{http_code}' --max-time 5 \"$@\" 2>&1; echo \" exit $?\"", "curl",
        ] + arguments, environment: [:]).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    @Test("each service speaks HTTPS only, for its own name, and nginx refuses a service it cannot verify")
    func servicesSpeakHTTPSOnly() async throws {
        let houshi = try await Houshi.start()
        let ca = try environment.tlsCA.path
        let stranger = try await strangerCA()
        for department in Department.allCases {
            let port = try houshi.port(of: department)
            let name = department.rawValue
            #expect(try await curl(["--cacert", ca, "https://127.0.0.1:\(port)/readyz"]) == "200 exit 0", "\(name)")
            // The name nginx asks for (proxy_ssl_name), as compose's certificates hold it.
            #expect(try await curl(["--cacert", ca, "--resolve", "\(name):\(port):127.0.0.1",
                                    "https://\(name):\(port)/healthz"]) == "200 exit 0", "\(name)")
            let plain = try await curl(["http://127.0.0.1:\(port)/readyz"])
            #expect(!plain.hasPrefix("200") && !plain.hasSuffix("exit 0"), "\(name) answered plain HTTP: \(plain)")
            let strange = try await curl(["--cacert", stranger.path, "https://127.0.0.1:\(port)/healthz"])
            #expect(strange.hasSuffix("exit 60"), "\(name) with another CA: \(strange)")
            // The tests' and the load tool's own client checks the certificate as well.
            let strangerClient = try HTTPClient(trustingCAFile: stranger.path)
            await #expect(throws: (any Error).self, "\(name)") {
                try await strangerClient.execute(HTTPClientRequest("GET", url: "https://127.0.0.1:\(port)/healthz"))
            }
        }

        // Through nginx: the real services answer; a server whose certificate (for the name
        // intake, of another CA) nginx cannot verify gets 502, not the request.
        // Below the ephemeral range; ending in 5, never one of the rogue services' ports (their tens + 0 to 3).
        let web = Int.random(in: 16_001...19_000) / 10 * 10 + 5
        try await environment.nginx("start-nginx", webPort: web)
        let proxied = await Result { try await curl(["--cacert", ca, "\(environment.webAddress(port: web))/openapi.yaml"]) }
        try await environment.nginx("stop-nginx", webPort: web)
        #expect(try proxied.get() == "200 exit 0")

        let rogueBase = Int.random(in: 16_001...19_000) / 10 * 10   // below the ephemeral range
        let folder = stranger.deletingLastPathComponent()
        _ = try await runCommand(URL(fileURLWithPath: "/bin/bash"), [
            "-c", ". \"$1/deploy/provisioning.sh\" && make_tls_server_cert \"$2\" rogue intake localhost 127.0.0.1", "tls-tests",
            TestEnvironment.repository.path, folder.path,
        ], environment: [:])
        let rogue = try ChildProcess(URL(fileURLWithPath: "/usr/bin/openssl"), [
            "s_server", "-quiet", "-www", "-accept", "127.0.0.1:\(rogueBase)",
            "-cert", folder.appendingPathComponent("rogue.pem").path, "-key", folder.appendingPathComponent("rogue.key").path,
        ], environment: [:], output: folder.appendingPathComponent("rogue.log"))
        defer { rogue.signal(SIGKILL) }
        try await eventually(timeout: .seconds(10), "the stand-in server to listen") {
            try await curl(["-k", "https://127.0.0.1:\(rogueBase)/"]) == "200 exit 0"
        }
        try await environment.nginx("start-nginx", webPort: web, servicesFrom: rogueBase)
        let refused = await Result { try await curl(["--cacert", ca, "\(environment.webAddress(port: web))/openapi.yaml"]) }
        try await environment.nginx("stop-nginx", webPort: web, servicesFrom: rogueBase)
        #expect(try refused.get() == "502 exit 0", "nginx passed a request to a service it could not verify")
    }

    // MARK: nginx

    /// Run by root, nginx's workers (which parse what clients send) run as www-data.
    private func expectUnprivilegedNginxWorkers() throws {
        let pidFile = environment.runDirectory.appendingPathComponent("nginx/nginx.pid")
        let master = try String(contentsOf: pidFile, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
        let workers = try String(contentsOfFile: "/proc/\(master)/task/\(master)/children", encoding: .utf8)
            .split(separator: " ")
        #expect(!workers.isEmpty, "nginx has no workers")
        let expected = getuid() == 0 ? try #require(getpwnam("www-data")?.pointee.pw_uid) : getuid()
        for worker in workers {
            let ids = try ProcessStatus(pid: String(worker)).userIDs
            #expect(ids.count == 4 && ids.allSatisfy { $0 == expected }, "nginx worker \(worker) runs with uids \(ids)")
        }
    }

    @Test("nginx serves HTTPS only, with the local CA's certificate, and keeps the services' metrics inside")
    func nginxServesHTTPSOnly() async throws {
        let port = Int.random(in: 14_001...16_000)   // below the ephemeral range, as BrowserTests' port
        try await environment.nginx("start-nginx", webPort: port)
        let outcome = await Result(asyncCatching: { () -> [String] in
            let address = environment.webAddress(port: port)
            let ca = try environment.tlsCA.path
            try expectUnprivilegedNginxWorkers()
            return [
                try await curl(["--cacert", ca, "\(address)/healthz"]),
                try await curl(["--cacert", ca, "\(address)/metrics"]),
                try await curl(["--cacert", ca, "\(address)/readyz"]),
                try await curl(["--cacert", try await strangerCA().path, "\(address)/healthz"]),
                try await curl(["http://127.0.0.1:\(port)/healthz"]),
            ]
        })
        try await environment.nginx("stop-nginx", webPort: port)
        let answers = try outcome.get()
        #expect(answers[0] == "200 exit 0")
        #expect(answers[1] == "404 exit 0", "the intake's metrics must not be reachable through nginx")
        #expect(answers[2] == "404 exit 0", "readiness must not be reachable through nginx")
        #expect(answers[3].hasSuffix("exit 60"), "curl must reject a certificate of another CA: \(answers[3])")
        #expect(answers[4] == "400 exit 0", "plain HTTP on the HTTPS port: \(answers[4])")
    }
}
