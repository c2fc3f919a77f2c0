import Foundation
import HoushiContract
import HoushiMessaging
import HoushiRuntime
import Testing

/// The whole suite for one test: the four executables on fresh HTTP ports over the broker and
/// database `deploy/local/test` started, a registered medical institution, and helpers to post
/// notices and publish contract messages.
final class Houshi: @unchecked Sendable {
    let environment: TestEnvironment
    let infrastructure: Infrastructure
    /// The bearer token of the test hospital.
    let token: String
    private(set) var services: [Department: ServiceProcess] = [:]
    var overrides: [Department: [String: String]] = [:]
    /// The first service's HTTP port; the others follow in `Department.allCases` order.
    static let basePort = Int.random(in: 20_000...29_000) / 10 * 10

    private init(environment: TestEnvironment, infrastructure: Infrastructure, token: String) {
        self.environment = environment
        self.infrastructure = infrastructure
        self.token = token
    }

    /// Starts every service and waits until each is ready; `overrides` add to a service's environment.
    static func start(overrides: [Department: [String: String]] = [:]) async throws -> Houshi {
        let environment = try TestEnvironment.load()
        let token = try await runCommand(environment.binary("intake"),
                                         ["institutions", "add", "--code", "TEST-HOSPITAL", "--name", "测试医院"],
                                         environment: try environment.serviceEnvironment(.intake))
        // The token is the line on standard output; a re-keyed code adds a note on standard error.
        let tokenLine = token.split(separator: "\n").first { $0.hasPrefix("hs_") }
        let houshi = Houshi(environment: environment, infrastructure: try Infrastructure(environment: environment),
                            token: String(try #require(tokenLine, "no token in: \(token)")))
        houshi.overrides = overrides
        for department in Department.allCases { try await houshi.start(department) }
        return houshi
    }

    deinit { infrastructure.shutdown() }

    /// (Re)starts one service and waits until it is ready.
    func start(_ department: Department) async throws {
        let port = Self.basePort + Department.allCases.firstIndex(of: department)!
        await services[department]?.terminate()
        let service = try ServiceProcess(department, environment: environment, httpPort: port,
                                         overrides: overrides[department] ?? [:])
        services[department] = service
        try await service.waitUntilReady()
    }

    func port(of department: Department) throws -> Int { try #require(services[department]).httpPort }

    /// A service's own address (https when the run speaks TLS), e.g. `https://127.0.0.1:20030`.
    func address(of department: Department) throws -> String { try #require(services[department]).address }

    /// Runs a service's admin subcommand with its environment (and its overrides); returns its output.
    @discardableResult
    func admin(_ department: Department, _ arguments: [String]) async throws -> String {
        try await runCommand(environment.binary(department.rawValue), arguments,
                             environment: try environment.serviceEnvironment(department)
                                 .merging(overrides[department] ?? [:]) { $1 })
    }

    /// Adds an operator named `name` to the department (`SERVICE operators add`); their token.
    func operatorToken(_ department: Department, name: String) async throws -> String {
        try await admin(department, ["operators", "add", "--name", name]).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    func postNotice(_ body: Data) async throws -> HTTP.Reply {
        try await HTTP.post("\(try address(of: .intake))/v1/death-notices",
                            headers: ["Authorization": "Bearer \(token)", "Content-Type": "application/json"],
                            body: body)
    }

    /// Posts a notice that must open a case; returns the case id.
    func postFreshNotice(_ notice: (body: Data, idNumber: String)? = nil) async throws -> UUID {
        let reply = try await postNotice(try notice?.body ?? TestNotices.fresh().body)
        try #require(reply.status == 201, "\(String(decoding: reply.body, as: UTF8.self))")
        return try #require((reply.json?["caseId"] as? String).flatMap { UUID(uuidString: $0) })
    }

    /// A golden fixture of the contract, as a new message of `caseId`.
    func fixture(_ routingKey: String, caseId: UUID) throws -> Data {
        let url = TestEnvironment.repository.appendingPathComponent("Tests/ContractTests/Fixtures/\(routingKey).json")
        var envelope = try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as! [String: Any]
        envelope["id"] = UUID().lowercased
        envelope["caseId"] = caseId.lowercased
        return try JSONSerialization.data(withJSONObject: envelope)
    }

    /// Waits until every department has recorded the four requests of the example's items.
    func waitForRequests(caseId: UUID) async throws {
        try await eventually("all four requests to be recorded") {
            try await infrastructure.count("""
                SELECT (SELECT count(*) FROM public_security.item_requests WHERE case_id = $1::uuid)
                     + (SELECT count(*) FROM civil_affairs.item_requests WHERE case_id = $1::uuid)
                     + (SELECT count(*) FROM social_security.item_requests WHERE case_id = $1::uuid) AS count
                """, [caseId.lowercased]) == 4
        }
    }

    /// Waits until `count` dead letters have come to the department's dead-letter queue, and takes them.
    func deadLetters(of department: Department, count: Int) async throws -> [Delivery] {
        let queue = Topology.deadLetterQueue(of: department)
        var letters: [Delivery] = []
        try await eventually("\(count) dead letters in \(queue)") {
            letters += try await infrastructure.drain(queue: queue)
            return letters.count >= count
        }
        return letters
    }

    /// Waits until the dead letters of the messages `ids` have come to the department's dead-letter
    /// queue, and takes every letter there; returns those of `ids` (another test's late letter is dropped).
    func deadLetters(of department: Department, ids: Set<String>) async throws -> [Delivery] {
        let queue = Topology.deadLetterQueue(of: department)
        var letters: [Delivery] = []
        func ours(_ letter: Delivery) -> Bool {
            guard case .string(let id)? = letter.properties.headers[DeadLetter.originalMessageIdHeader] else { return false }
            return ids.contains(id)
        }
        try await eventually("the dead letters of \(ids.count) messages in \(queue)") {
            letters += try await infrastructure.drain(queue: queue).filter(ours)
            return letters.count >= ids.count
        }
        return letters
    }

    /// Waits until the department's inbox records the message: handled (a dead letter is not recorded).
    func waitUntilHandled(messageId: String, by department: Department) async throws {
        try await eventually("\(department.rawValue) to handle message \(messageId)") {
            try await infrastructure.count(
                "SELECT count(*) AS count FROM \(department.schema).inbox WHERE message_id = $1::uuid", [messageId]) == 1
        }
    }

    /// Waits until the case's cremation item is done, then records its cremation as the funeral
    /// home's staff (`staffToken`, a civil affairs operator) do; the answer.
    @discardableResult
    func recordCremation(caseId: UUID, staffToken: String, crematedAt: String = "2026-11-29T09:30:00+08:00") async throws -> HTTP.Reply {
        try await eventually("the cremation item to be done") { try await itemStatus(caseId: caseId, item: .cremation) == "done" }
        return try await HTTP.send("POST", "\(try address(of: .civilAffairs))/v1/cremations/\(caseId.lowercased)",
                                   headers: ["Authorization": "Bearer \(staffToken)", "Content-Type": "application/json"],
                                   body: try JSONSerialization.data(withJSONObject: [
                                       "crematedAt": crematedAt,
                                       "ashes": ["placement": "commercial-cemetery", "placeName": "抚远市福寿园公墓"]]))
    }

    /// The case's view (`GET /v1/cases/{id}`) as the hospital that posted it sees it.
    func caseView(_ caseId: UUID) async throws -> [String: Any] {
        let reply = try await HTTP.get("\(try address(of: .intake))/v1/cases/\(caseId.lowercased)",
                                       headers: ["Authorization": "Bearer \(token)"])
        return try #require(reply.json, "GET /v1/cases/\(caseId.lowercased): \(reply.status)")
    }

    /// Withdraws the case as the hospital that posted it; the answer.
    func withdraw(_ caseId: UUID, reason: String, token: String? = nil) async throws -> HTTP.Reply {
        try await HTTP.post("\(try address(of: .intake))/v1/cases/\(caseId.lowercased)/withdrawal",
                            headers: ["Authorization": "Bearer \(token ?? self.token)", "Content-Type": "application/json"],
                            body: try JSONSerialization.data(withJSONObject: ["reason": reason]))
    }

    /// The status of a case's item as intake shows it.
    func itemStatus(caseId: UUID, item: Item) async throws -> String? {
        try await infrastructure.database.withConnection { db in
            try db.execute("SELECT status FROM intake.case_items WHERE case_id = $1 AND item = $2",
                           [caseId, item.rawValue]).first?["status"]
        }
    }
}
