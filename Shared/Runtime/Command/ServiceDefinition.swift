import HoushiContract
import HoushiStorage
import Hummingbird
import Logging
import Prometheus
import ServiceLifecycle

/// What makes one Houshi service: who it is (one of the four departments or a subscriber of the
/// public facts), its schema's migrations, its message handlers (one per consumed type) and any
/// HTTP routes beside the health checks.
public protocol ServiceDefinition: SendableMetatype {
    static var identity: ServiceIdentity { get }
    /// One line for `--help`.
    static var abstract: String { get }
    /// The variables only this service reads, for `--help` beside the shared ones.
    static var variables: [ConfigurationVariable] { get }
    /// The migrations of the service's schema beside the shared outbox and inbox, owner by owner in
    /// the order they apply.
    static var migrationGroups: [MigrationGroup] { get }
    /// Must cover exactly `identity.subscriptions`.
    static func handlers() -> [RegisteredHandler]
    /// What follows the handlers in their transaction (`MessageProcessor.FollowUp`); none by default.
    static var followUp: MessageProcessor.FollowUp? { get }
    /// Throws when the routes cannot be served (e.g. a page template that does not parse, a
    /// secret missing); runs after the migrations.
    static func addRoutes(to router: Router<BasicRequestContext>, context: ServiceContext) async throws
    /// Long-running work beside the consumers and the HTTP server (e.g. refreshing a gauge);
    /// throws when its configuration is wrong, before anything starts.
    static func backgroundServices(context: ServiceContext) throws -> [any Service]
    /// What the service erases of a finished case after the retention period.
    static var retentionPlan: RetentionPlan { get }
}

/// One of the four departments' services.
public protocol DepartmentService: ServiceDefinition {
    static var department: Department { get }
}

extension DepartmentService {
    public static var identity: ServiceIdentity { department.identity }
}

extension ServiceDefinition {
    public static var followUp: MessageProcessor.FollowUp? { nil }
    public static var variables: [ConfigurationVariable] { [] }
    public static func addRoutes(to router: Router<BasicRequestContext>, context: ServiceContext) {}
    public static func backgroundServices(context: ServiceContext) throws -> [any Service] { [] }
    public static var retentionPlan: RetentionPlan { .department() }

    /// The shared outbox/inbox migrations, then the service's groups, in the order they apply.
    public static var allMigrationGroups: [MigrationGroup] { [Outbox.migrationGroup] + migrationGroups }

    /// The numbers the schema's migrations had in the former single numbering, in order: a
    /// schema migrated then is converted by them, so they must be exactly those it had.
    public static var formerMigrationNumbers: [Int] {
        allMigrationGroups.flatMap(\.migrations).compactMap(\.formerly).sorted()
    }
}

/// What routes and handlers of a running service share.
public struct ServiceContext: Sendable {
    public let configuration: ServiceConfiguration
    public let database: Database
    public let logger: Logger
    /// Served as `GET /metrics` in Prometheus' text format.
    public let metrics: PrometheusCollectorRegistry
    /// The service's one way out of the outbox: every writer hands it the rows it committed
    /// (run by the service's group).
    public let publisher: OutboxPublisher

    /// - Parameter readiness: where the publisher reports whether it reaches the database and broker.
    public init(configuration: ServiceConfiguration, database: Database, logger: Logger,
                metrics: PrometheusCollectorRegistry, readiness: Readiness? = nil) {
        self.configuration = configuration
        self.database = database
        self.logger = logger
        self.metrics = metrics
        publisher = OutboxPublisher(configuration: configuration, readiness: readiness, logger: logger)
    }

    /// Runs `job` in one transaction on a pooled connection (as `withDatabase`), with a collector
    /// for what it emits (`HandlerContext(…, emitted:)`), and hands that to the publisher once the
    /// transaction commits.
    public func inTransaction<T: Sendable>(
        _ job: @escaping @Sendable (PostgresConnection, EmittedMessages) throws -> T
    ) async throws -> T {
        let (value, messages) = try await withDatabase { db in
            let emitted = EmittedMessages()
            let value = try emitted.collect { try db.withTransaction { tx in try job(tx, emitted) } }
            return (value, emitted.takeCommitted())
        }
        publisher.handOver(messages)
        return value
    }
}
