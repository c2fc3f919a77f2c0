import Foundation
import HoushiContract
import HoushiMessaging
import HoushiRuntime
import HoushiStorage

/// The test's view of the database (as the superuser) and the broker (as the administrator,
/// and as each service's user to publish its events), every blocking call on an owner thread.
struct Infrastructure: Sendable {
    let environment: TestEnvironment
    let database: Database
    private let broker: OwnerThread<BrokerSession>
    /// Each service's broker user: only the owner of an event type may publish it.
    private let publishers: [Department: OwnerThread<BrokerSession>]

    init(environment: TestEnvironment) throws {
        self.environment = environment
        database = Database(url: try environment.adminValue("HOUSHI_DATABASE_ADMIN_URL"), schema: "public", size: 1,
                            name: "integration-tests")
        let url = try environment.adminValue("HOUSHI_AMQP_ADMIN_URL")
        guard let admin = BrokerAddresses(url) else { throw AMQPError("HOUSHI_AMQP_ADMIN_URL is not an AMQP URL") }
        broker = OwnerThread(name: "integration-tests-broker") { BrokerSession(broker: admin) }
        publishers = try Dictionary(uniqueKeysWithValues: Department.allCases.map { department in
            guard let text = try environment.serviceEnvironment(department)["HOUSHI_AMQP_URL"], let service = BrokerAddresses(text) else {
                throw AMQPError("\(department.rawValue).env has no AMQP URL")
            }
            return (department, OwnerThread(name: "integration-tests-\(department.rawValue)") { BrokerSession(broker: service) })
        })
    }

    /// Lets the owner threads finish in the background (a test's teardown cannot wait).
    func shutdown() {
        let (database, broker, publishers) = (database, broker, publishers)
        Task {
            await database.shutdown()
            await broker.stop()
            for publisher in publishers.values { await publisher.stop() }
        }
    }

    /// Counts rows; `sql` is a fixed query with parameters.
    func count(_ sql: String, _ parameters: [String]) async throws -> Int {
        try await database.withConnection { db in
            try db.execute(sql, parameters).first.map { try $0.int("count") } ?? 0
        }
    }

    /// Publishes raw bytes to an exchange with the given properties, confirmed by the broker: an
    /// event as the user of the service that owns its type (with that `user_id`), anything else,
    /// or anything when `asAdministrator`, as the administrator.
    func publish(exchange: String = Topology.eventsExchange, routingKey: String, body: Data,
                 properties: MessageProperties = MessageProperties(contentType: "application/json"),
                 asAdministrator: Bool = false) async throws {
        var properties = properties
        var broker = broker
        if !asAdministrator, exchange == Topology.eventsExchange, let type = MessageType(routingKey: routingKey),
           let owner = ContractCatalog.producers[type], let publisher = publishers[owner] {
            broker = publisher
            properties.userId = properties.userId ?? owner.rawValue
        }
        let sent = properties
        try await broker.run { session in
            try session.use { amqp in
                try amqp.publish(exchange: exchange, routingKey: routingKey, body: body, properties: sent)
                guard try amqp.waitForConfirms().isEmpty else { throw AMQPError("the broker refused the test message") }
            }
        }
    }

    /// Takes every message now in `queue` (acknowledging them).
    func drain(queue: String) async throws -> [Delivery] {
        try await broker.run { session in
            try session.use { amqp in
                var deliveries: [Delivery] = []
                while let delivery = try amqp.get(queue: queue, acknowledge: true) { deliveries.append(delivery) }
                return deliveries
            }
        }
    }

    /// Runs `deploy/local/infra` with a subcommand, e.g. `stop-broker`.
    func infra(_ subcommand: String) async throws {
        try await infra([subcommand])
    }

    /// Runs `deploy/local/subscribers` with its arguments, e.g. `add housing-fund`, on this run's
    /// suite and binaries; its output.
    @discardableResult
    func subscribers(_ arguments: [String]) async throws -> String {
        let script = TestEnvironment.repository.appendingPathComponent("deploy/local/subscribers")
        return try await runCommand(script, arguments, environment: ["HOUSHI_RUN_DIR": environment.runDirectory.path,
                                                                     "HOUSHI_BIN_DIR": environment.binDirectory.path])
    }

    /// Runs `deploy/local/infra` with a subcommand and its arguments, e.g. `psql -c …`.
    func infra(_ arguments: [String]) async throws {
        let script = TestEnvironment.repository.appendingPathComponent("deploy/local/infra")
        try await runCommand(script, arguments, environment: ["HOUSHI_RUN_DIR": environment.runDirectory.path])
    }
}

/// A confirm-mode broker connection, reopened after failures.
final class BrokerSession {
    let broker: BrokerAddresses
    private var connection: AMQPConnection?

    init(broker: BrokerAddresses) { self.broker = broker }

    func use<T>(_ body: (AMQPConnection) throws -> T) throws -> T {
        if connection?.isBroken ?? true {
            connection?.close()
            let fresh = try broker.connect(name: "integration tests")
            try fresh.enableConfirms()
            connection = fresh
        }
        return try body(connection!)
    }
}
