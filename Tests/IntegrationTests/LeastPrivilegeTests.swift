import Foundation
import HoushiContract
import HoushiMessaging
import HoushiRuntime
import HoushiStorage
import Testing

/// Least privilege, checked against the real broker, database and services: each service's
/// database role and broker user reach only what is its own, every API refuses callers without
/// the right token, and no log gives a password away. Serialized: one test stops the broker.
@Suite(.serialized)
final class LeastPrivilegeTests {
    let houshi: Houshi

    init() async throws {
        // Debug logs: more lines that could carry a secret.
        houshi = try await Houshi.start(overrides: Dictionary(uniqueKeysWithValues: Department.allCases.map {
            ($0, ["HOUSHI_LOG_LEVEL": "debug"])
        }))
    }

    // MARK: Database

    @Test("a service's database role can neither read nor write another service's schema, and works in its own")
    func databaseRolesStayInTheirSchemas() async throws {
        let tables = try await tablesBySchema()
        for department in Department.allCases {
            let others = Department.allCases.filter { $0 != department }.map(\.schema)
            for schema in others { #expect(tables[schema]?.contains("outbox") == true, "\(schema) has no outbox") }
            let own = department.schema
            let (refused, allowed) = try await withDatabaseConnection(
                url: try houshi.environment.databaseURL(of: department)
            ) { db in
                let refused = others.flatMap { schema in
                    (tables[schema] ?? []).flatMap { table in
                        [SQLAttempt("SELECT * FROM \(schema).\(table) LIMIT 1", on: db),
                         SQLAttempt("INSERT INTO \(schema).\(table) DEFAULT VALUES", on: db)]
                    } + [SQLAttempt("CREATE TABLE \(schema).intruder (id int)", on: db)]
                } + [SQLAttempt("CREATE TABLE public.intruder (id int)", on: db)]
                let allowed = [
                    SQLAttempt("SELECT count(*) FROM \(own).outbox", on: db),
                    SQLAttempt(inRolledBackTransaction: """
                        INSERT INTO \(own).outbox (message_id, exchange, routing_key, body)
                        VALUES (gen_random_uuid(), '', 'least-privilege-test', '\\x00')
                        """, on: db),
                ]
                return (refused, allowed)
            }
            for attempt in refused {
                #expect(attempt.sqlState == "42501", "\(own): \(attempt.statement) → \(attempt.sqlState ?? "succeeded")")
            }
            for attempt in allowed {
                #expect(attempt.sqlState == nil, "\(own): \(attempt.statement) → \(attempt.sqlState ?? "")")
            }
        }
    }

    // MARK: Broker

    @Test("a service's broker user cannot consume another service's queues, nor delete or redeclare the events exchange")
    func brokerUsersStayInTheirQueues() async throws {
        for department in Department.allCases {
            let url = try houshi.environment.amqpURL(of: department)
            let who = department.rawValue
            for other in Department.allCases where other != department {
                for queue in [Topology.queue(of: other), Topology.deadLetterQueue(of: other)] {
                    let code = try await brokerReplyCode(as: url) { try $0.consume(queue: queue) }
                    #expect(code == 403, "\(who) consuming \(queue): \(code.map(String.init) ?? "allowed")")
                }
            }
            let deleted = try await brokerReplyCode(as: url) { try $0.deleteExchange(Topology.eventsExchange) }
            #expect(deleted == 403, "\(who) deleting the exchange: \(deleted.map(String.init) ?? "allowed")")
            for type in ["fanout", "topic"] {
                let declared = try await brokerReplyCode(as: url) {
                    try $0.declareExchange(Topology.eventsExchange, type: type, passive: false)
                }
                #expect(declared == 403, "\(who) redeclaring the exchange as \(type): \(declared.map(String.init) ?? "allowed")")
            }
            let ownQueue = Topology.queue(of: department)
            #expect(try await brokerReplyCode(as: url) { try $0.consume(queue: ownQueue) } == nil, "\(who) consuming its own queue")
        }
        // The exchange is still there and still routes: a notice reaches every department.
        let caseId = try await houshi.postFreshNotice()
        try await houshi.waitForRequests(caseId: caseId)
    }

    @Test("provisioning replaces an exchange of the old type (the dead-letter exchange was direct) and goes on")
    func exchangeOfAnotherTypeIsReplaced() async throws {
        let text = try houshi.environment.adminValue("HOUSHI_AMQP_ADMIN_URL")
        let url = try #require(AMQPURL(text))
        let name = "houshi.test.replaced-\(UUID().lowercased)"
        let outcome = await onDedicatedThread(name: "exchange-replacement") { () -> Result<Int?, any Error> in
            Result {
                let connect = { try AMQPConnection(url: url, name: "integration tests replacing an exchange") }
                let old = try connect()
                try old.declareExchange(name, type: "direct")
                let amqp = try BrokerTopology.declareExchange(name, type: "topic", on: old, replacingAnotherTypeWith: connect)
                defer { amqp.close() }
                // Declaring it as topic again is accepted (406 otherwise); then it goes.
                try amqp.declareExchange(name, type: "topic")
                try amqp.deleteExchange(name)
                return nil
            }
        }
        #expect(try outcome.get() == nil)
    }

    @Test("events come only from their owner: other types, other bindings and a borrowed user_id are refused")
    func eventsOnlyFromTheirOwner() async throws {
        for department in Department.allCases {
            let url = try houshi.environment.amqpURL(of: department)
            let who = department.rawValue
            let owned = ContractCatalog.producers.filter { $0.value == department }.map(\.key)
            let foreign = try #require(ContractCatalog.producers.first { $0.value != department }?.key)
            let published = try await brokerReplyCode(as: url) { amqp in
                try amqp.enableConfirms()
                try amqp.publish(exchange: Topology.eventsExchange, routingKey: foreign.routingKey, body: Data("{}".utf8),
                                 properties: MessageProperties(contentType: "application/json", userId: who))
                _ = try amqp.waitForConfirms()
            }
            #expect(published == 403, "\(who) publishing \(foreign.routingKey): \(published.map(String.init) ?? "allowed")")

            let other = try #require(Department.allCases.first { $0 != department })
            let spoofed = try await brokerReplyCode(as: url) { amqp in
                try amqp.enableConfirms()
                try amqp.publish(exchange: Topology.eventsExchange, routingKey: owned[0].routingKey, body: Data("{}".utf8),
                                 properties: MessageProperties(contentType: "application/json", userId: other.rawValue))
                _ = try amqp.waitForConfirms()
            }
            #expect(spoofed == 406, "\(who) publishing as \(other.rawValue): \(spoofed.map(String.init) ?? "allowed")")

            let subscribed = Set(Topology.subscriptions(of: department).map(\.routingKey))
            for key in ["pension.#", "#", "hukou.*.v1", "pension.claim-requested.v1"] where !subscribed.contains(key) {
                let bound = try await brokerReplyCode(as: url) {
                    try $0.bindQueue(Topology.queue(of: department), exchange: Topology.eventsExchange, routingKey: key)
                }
                #expect(bound == 403, "\(who) binding its queue to \(key): \(bound.map(String.init) ?? "allowed")")
            }

            // Dead letters only under its own name, in both directions.
            for key in [Topology.queue(of: other), Topology.replayRoutingKey(of: other), "#"] {
                let letter = try await brokerReplyCode(as: url) { amqp in
                    try amqp.enableConfirms()
                    try amqp.publish(exchange: Topology.deadLetterExchange, routingKey: key, body: Data("{}".utf8),
                                     properties: MessageProperties(contentType: "application/json", userId: who))
                    _ = try amqp.waitForConfirms()
                }
                #expect(letter == 403, "\(who) dead-lettering as \(key): \(letter.map(String.init) ?? "allowed")")
                let bound = try await brokerReplyCode(as: url) {
                    try $0.bindQueue(Topology.queue(of: department), exchange: Topology.deadLetterExchange, routingKey: key)
                }
                #expect(bound == 403, "\(who) binding its queue to dead letters \(key): \(bound.map(String.init) ?? "allowed")")
            }
        }

        // Past the broker (the administrator has no topic limits): every consumer refuses a type
        // its owner did not publish, dead-letters it with the reason, and stores nothing.
        let caseId = UUID()
        let body = try houshi.fixture("hukou.cancelled.v1", caseId: caseId)
        let messageId = (try JSONSerialization.jsonObject(with: body) as! [String: Any])["id"] as! String
        try await houshi.infrastructure.publish(
            routingKey: "hukou.cancelled.v1", body: body,
            properties: MessageProperties(contentType: "application/json", messageId: messageId, userId: "houshi-admin"),
            asAdministrator: true)
        for department in Department.allCases where Topology.subscriptions(of: department).contains(.hukouCancelled) {
            let letters = try await houshi.deadLetters(of: department, ids: [messageId])
            #expect(letters.first?.properties.headers[DeadLetter.reasonHeader]?.description
                    == "hukou.cancelled.v1 was published by houshi-admin; only public-security may publish it")
            #expect(try await houshi.infrastructure.count(
                "SELECT count(*) AS count FROM \(department.schema).inbox WHERE message_id = $1::uuid", [messageId]) == 0)
        }
        // The owners' own events still flow: a notice completes its requests.
        try await houshi.waitForRequests(caseId: try await houshi.postFreshNotice())
    }

    // MARK: Host

    @Test("the run's secrets, env files, TLS keys, broker data and logs are the invoking user's alone")
    func runFilesArePrivate() throws {
        let run = houshi.environment.runDirectory
        let files = FileManager.default
        func mode(_ path: String) throws -> Int {
            try (files.attributesOfItem(atPath: run.appendingPathComponent(path).path)[.posixPermissions] as? Int) ?? -1
        }
        for directory in ["secrets", "env", "rabbitmq", "logs", "tls"] {
            let found = try mode(directory)
            #expect(found == 0o700, "\(directory) is \(String(found, radix: 8))")
        }
        for file in ["secrets/seal-key", "env/intake.env", "env/admin.env", "tls/ca.key", "tls/server.key"] {
            let found = try mode(file)
            #expect(found == 0o600, "\(file) is \(String(found, radix: 8))")
        }
    }

    @Test("run by root, every service runs as the unprivileged user houshi, from a folder only it can read")
    func servicesRunUnprivileged() throws {
        let invoker = getuid()
        for department in Department.allCases {
            try expectUnprivileged(pid: try #require(houshi.services[department]?.pid), name: department.rawValue,
                                   user: invoker == 0 ? "houshi" : nil)
        }
        guard invoker == 0 else { return }
        let folder = houshi.environment.serviceBinDirectory.deletingLastPathComponent().path
        let owner = try #require(getpwnam("houshi")?.pointee.pw_uid)
        for (path, mode) in [(folder, 0o700), (folder + "/seal-key", 0o600), (folder + "/bin/intake", 0o700)] {
            let attributes = try FileManager.default.attributesOfItem(atPath: path)
            #expect(attributes[.posixPermissions] as? Int == mode, "\(path)")
            #expect((attributes[.ownerAccountID] as? NSNumber)?.uint32Value == owner, "\(path) is houshi's")
        }
    }

    @Test("run by root, RabbitMQ runs as the unprivileged user rabbitmq, its folder its own")
    func brokerRunsUnprivileged() throws {
        let folder = houshi.environment.runDirectory.appendingPathComponent("rabbitmq")
        let pidText = try String(contentsOf: folder.appendingPathComponent("rabbitmq.pid"), encoding: .utf8)
        let pid = try #require(Int32(pidText.trimmingCharacters(in: .whitespacesAndNewlines)))
        try expectUnprivileged(pid: pid, name: "RabbitMQ", user: getuid() == 0 ? "rabbitmq" : nil)
        guard getuid() == 0 else { return }
        let owner = try #require(getpwnam("rabbitmq")?.pointee.pw_uid)
        for path in [folder.path, folder.appendingPathComponent("tls/server.key").path] {
            let attributes = try FileManager.default.attributesOfItem(atPath: path)
            #expect((attributes[.ownerAccountID] as? NSNumber)?.uint32Value == owner, "\(path) is rabbitmq's")
        }
    }

    /// Expects the process to run with every uid `user`'s (the invoker's when nil), never root's,
    /// and no effective capability.
    private func expectUnprivileged(pid: Int32, name: String, user: String?) throws {
        let status = try ProcessStatus(pid: String(pid))
        let ids = status.userIDs
        let expected = try user.map { try #require(getpwnam($0)?.pointee.pw_uid) } ?? getuid()
        #expect(ids.count == 4 && ids.allSatisfy { $0 == expected } && expected != 0,
                "\(name) runs with uids \(ids), expected \(expected)")
        let capabilities = status.field("CapEff")
        #expect(capabilities?.hasSuffix("0000000000000000") == true, "\(name): \(capabilities ?? "")")
    }

    // MARK: Tokens

    @Test("operators' tokens expire and can be revoked in every department; each operator has a stable id")
    func operatorTokensExpireAndAreRevoked() async throws {
        for department in [Department.publicSecurity, .civilAffairs, .socialSecurity] {
            let name = "token-life-\(UUID().lowercased)"
            let add = { try await self.houshi.operatorToken(department, name: name) }
            let held = { (token: String) in
                try await HTTP.get("\(try self.houshi.address(of: department))/v1/held",
                                   headers: ["Authorization": "Bearer \(token)"]).status
            }
            let listed = { () -> [String]? in
                try await self.houshi.admin(department, ["operators", "list"]).split(separator: "\n")
                    .map { $0.split(separator: "\t").map(String.init) }.first { $0.count == 4 && $0[1] == name }
            }
            let first = try await add()
            #expect(try await held(first) == 200, "\(department.rawValue)")
            let row = try #require(try await listed())
            let id = try #require(UUID(uuidString: row[0]), "an operator's id is a UUID: \(row)")
            #expect(row[2] == "valid" && row[3].hasSuffix("+08:00"), "\(row)")

            _ = try await houshi.infrastructure.database.withConnection { db in
                try db.execute("UPDATE \(department.schema).operators SET token_expires_at = now() - interval '1 second' WHERE name = $1",
                               [name])
            }
            #expect(try await held(first) == 401, "\(department.rawValue): an expired token")
            #expect(try await listed()?[2] == "expired")

            let second = try await add()
            #expect(try await held(second) == 200)
            #expect(try await held(first) == 401, "a new token replaces the old one")
            _ = try await houshi.admin(department, ["operators", "revoke", "--name", name])
            #expect(try await held(second) == 401, "\(department.rawValue): a revoked token")
            #expect(try await listed().map { [$0[0], $0[2]] } == [id.lowercased, "revoked"], "the id stays the operator's")
        }
        await #expect(throws: (any Error).self) {
            try await self.houshi.admin(.publicSecurity, ["operators", "revoke", "--name", "nobody-\(UUID().lowercased)"])
        }
        await #expect(throws: (any Error).self) {
            try await self.houshi.admin(.publicSecurity, ["operators", "add", "--name", "x", "--valid-days", "0"])
        }
    }

    @Test("every operator and intake route answers 401 without a token, with a wrong one, or with another realm's")
    func routesRefuseMissingAndWrongTokens() async throws {
        let caseId = try await houshi.postFreshNotice()
        let officer = try await operatorToken(.publicSecurity)
        let staff = try await operatorToken(.civilAffairs)
        let id = caseId.lowercased
        let reason = Data(#"{"reason":"核对无误"}"#.utf8)
        let unposted = try TestNotices.fresh()
        let cremation = Data(#"{"crematedAt":"2026-11-29T09:00:00+08:00","ashes":{"placement":"funeral-home","placeName":"抚远市殡仪馆"}}"#.utf8)
        let png = Data([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 1, 2, 3])
        let routes: [Route] = [
            Route(.publicSecurity, "GET", "/v1/held"),
            Route(.publicSecurity, "POST", "/v1/held/\(id)/approve", reason),
            Route(.publicSecurity, "POST", "/v1/held/\(id)/reject", reason),
            Route(.civilAffairs, "GET", "/v1/pickups"),
            Route(.civilAffairs, "POST", "/v1/pickups/\(id)/confirm", Data("{}".utf8)),
            Route(.civilAffairs, "POST", "/v1/cremations/\(id)", cremation),
            Route(.civilAffairs, "GET", "/v1/held"),
            Route(.civilAffairs, "POST", "/v1/held/\(id)/approve", Data(#"{"reason":"核对","funeralHomeCode":"FY01"}"#.utf8)),
            Route(.civilAffairs, "POST", "/v1/held/\(id)/reject", reason),
            Route(.intake, "POST", "/v1/death-notices", unposted.body),
            Route(.intake, "GET", "/v1/cases"),
            Route(.intake, "GET", "/v1/cases/\(id)"),
            Route(.intake, "POST", "/v1/cases/\(id)/attachments?kind=household-booklet", png, contentType: "image/png"),
        ]
        let wrongTokens: [Department: [String?]] = [
            .publicSecurity: [nil, "", "op_wrong", staff, houshi.token],
            .civilAffairs: [nil, "", "op_wrong", officer, houshi.token],
            .intake: [nil, "", "wrong", officer, staff],
        ]
        for route in routes {
            for token in wrongTokens[route.department] ?? [] {
                let reply = try await route.send(to: houshi, token: token)
                #expect(reply.status == 401, "\(route) with \(token.map { "token \($0.prefix(8))…" } ?? "no token")")
                #expect(reply.json?["error"] as? String == "unauthorized", "\(route)")
            }
        }
        #expect(try await houshi.infrastructure.count(
            "SELECT count(*) AS count FROM intake.cases WHERE deceased_id_number = $1", [unposted.idNumber]) == 0)
        #expect(try await houshi.infrastructure.count(
            "SELECT count(*) AS count FROM intake.attachments WHERE case_id = $1::uuid", [id]) == 0)
    }

    @Test("another institution can neither attach a file to a case nor obtain it by posting the same notice")
    func institutionsCannotReachEachOthersCases() async throws {
        let notice = try TestNotices.fresh()
        let caseId = try await houshi.postFreshNotice(notice)
        let other = try await houshi.admin(.intake, ["institutions", "add", "--code", "OTHER-\(UUID().lowercased)",
                                                     "--name", "另一医院"]).trimmingCharacters(in: .whitespacesAndNewlines)
        let attach = Route(.intake, "POST", "/v1/cases/\(caseId.lowercased)/attachments?kind=id-card",
                           Data([0xFF, 0xD8, 0xFF, 0xE0, 1, 2, 3]), contentType: "image/jpeg")
        #expect(try await attach.send(to: houshi, token: other).status == 404)
        #expect(try await houshi.infrastructure.count(
            "SELECT count(*) AS count FROM intake.attachments WHERE case_id = $1::uuid", [caseId.lowercased]) == 0)

        let repost = try await Route(.intake, "POST", "/v1/death-notices", notice.body).send(to: houshi, token: other)
        #expect(repost.status == 409)
        #expect(repost.json?["items"] == nil && repost.json?["timeline"] == nil, "the case view went to another institution")
        let theirs = try await Route(.intake, "GET", "/v1/cases").send(to: houshi, token: other)
        #expect((theirs.json?["cases"] as? [Any])?.isEmpty == true)
    }

    // MARK: Secrets

    @Test("no service log holds a password of the env files, across database and broker outages")
    func logsHoldNoPasswords() async throws {
        let caseId = try await houshi.postFreshNotice()
        try await houshi.waitForRequests(caseId: caseId)
        for (stop, start) in [("stop-postgres", "start-postgres"), ("stop-broker", "start-broker")] {
            try await houshi.infrastructure.infra(stop)
            try await Task.sleep(for: .seconds(2))
            try await houshi.infrastructure.infra(start)
            for service in houshi.services.values { try await service.waitUntilReady(timeout: .seconds(90)) }
        }
        // The first requests after the outage may meet a dropped connection (503): retried, and
        // the test's own database connection died with the server: its first use drops it.
        var after: UUID?
        try await eventually("intake to open a case again") {
            let reply = try await houshi.postNotice(try TestNotices.fresh().body)
            after = (reply.json?["caseId"] as? String).flatMap(UUID.init(uuidString:))
            return reply.status == 201
        }
        _ = try? await houshi.infrastructure.count("SELECT 1 AS count", [])
        try await houshi.waitForRequests(caseId: try #require(after))

        let passwords = try houshi.environment.passwords()
        #expect(passwords.count == 2 * Department.allCases.count + 2)
        for service in houshi.services.values {
            let log = service.log
            #expect(!log.isEmpty)
            for password in passwords {
                #expect(!log.contains(password), "\(service.name)'s log holds a password (\(service.logFile.path))")
            }
        }
    }

    // MARK: Helpers

    /// Every table of the four service schemas, by schema (as the database superuser sees them).
    private func tablesBySchema() async throws -> [String: [String]] {
        let schemas = Department.allCases.map { "'\($0.schema)'" }.joined(separator: ", ")
        let rows = try await houshi.infrastructure.database.withConnection { db in
            try db.execute("SELECT schemaname, tablename FROM pg_tables WHERE schemaname IN (\(schemas))")
                .rows.map { (try $0.string("schemaname"), try $0.string("tablename")) }
        }
        return Dictionary(grouping: rows, by: \.0).mapValues { $0.map(\.1) }
    }

    private func operatorToken(_ department: Department) async throws -> String {
        try await houshi.operatorToken(department, name: "least-privilege-\(UUID().lowercased)")
    }
}

/// One HTTP route of a service, with a body that would be accepted with the right token.
private struct Route: CustomStringConvertible {
    let department: Department
    let method: String
    let path: String
    let body: Data?
    let contentType: String

    init(_ department: Department, _ method: String, _ path: String, _ body: Data? = nil,
         contentType: String = "application/json") {
        self.department = department
        self.method = method
        self.path = path
        self.body = body
        self.contentType = contentType
    }

    var description: String { "\(department.rawValue) \(method) \(path)" }

    /// Sends the request with `Authorization: Bearer token` (none when `token` is nil).
    func send(to houshi: Houshi, token: String?) async throws -> HTTP.Reply {
        var headers = ["Content-Type": contentType]
        headers["Authorization"] = token.map { "Bearer \($0)" }
        return try await HTTP.send(method, "\(try houshi.address(of: department))\(path)",
                                   headers: headers, body: body)
    }
}

/// One SQL statement tried as a service's role: the SQLSTATE it failed with, nil when it succeeded.
struct SQLAttempt: Sendable {
    let statement: String
    let sqlState: String?

    init(_ statement: String, on db: PostgresConnection) {
        self.statement = statement
        do {
            try db.execute(statement)
            sqlState = nil
        } catch {
            sqlState = (error as? PostgresError)?.sqlState ?? "\(error)"
        }
    }

    /// Tries `statement` in a transaction that is rolled back, so that nothing stays.
    init(inRolledBackTransaction statement: String, on db: PostgresConnection) {
        _ = try? db.execute("BEGIN")
        self.init(statement, on: db)
        _ = try? db.execute("ROLLBACK")
    }
}
