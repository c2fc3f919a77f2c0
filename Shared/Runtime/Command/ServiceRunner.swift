import HoushiContract
import HoushiStorage
import Hummingbird
import HummingbirdCore
import Logging
import Metrics
import Prometheus
import ServiceLifecycle

/// Starts a service: configuration, logging, migrations, then the HTTP server, the consumers,
/// the outbox publisher in one `ServiceGroup` that drains on SIGTERM or SIGINT.
public enum ServiceRunner {
    public static func run<S: ServiceDefinition>(_ service: S.Type) async throws {
        let configuration = try ServiceConfiguration(identity: S.identity)
        LoggingSystem.bootstrap(format: configuration.logFormat, level: configuration.logLevel)
        var logger = Logger(label: S.identity.name)
        logger[metadataKey: "instance"] = "\(configuration.instance)"

        let processor = MessageProcessor(identity: S.identity, handlers: S.handlers(),
                                         maxAttempts: configuration.handlerAttempts, followUp: S.followUp)
        let subscribed = Set(S.identity.subscriptions.map(\.routingKey))
        guard processor.routingKeys == subscribed else {
            throw ConfigurationError(variable: "handlers", problem: """
                of \(S.identity.name) do not match its subscriptions: \
                unhandled \(subscribed.subtracting(processor.routingKeys).sorted()), \
                unsubscribed \(processor.routingKeys.subtracting(subscribed).sorted())
                """)
        }

        let database = Database(configuration: configuration, size: configuration.databasePoolSize, name: S.identity.name)
        do {
            try await serve(S.self, configuration: configuration, processor: processor, database: database, logger: logger)
            await database.shutdown()
            logger.info("stopped")
        } catch {
            await database.shutdown()
            throw error
        }
    }

    private static func serve<S: ServiceDefinition>(
        _ service: S.Type, configuration: ServiceConfiguration, processor: MessageProcessor, database: Database,
        logger: Logger
    ) async throws {
        try await migrate(S.self, database: database, logger: logger)

        let readiness = Readiness()
        (0..<configuration.consumers).forEach { readiness.expect("consumer-\($0)") }
        readiness.expect(OutboxPublisher.component)

        let metrics = PrometheusCollectorRegistry()
        MetricsSystem.bootstrap(PrometheusMetricsFactory(registry: metrics))
        let context = ServiceContext(configuration: configuration, database: database, logger: logger, metrics: metrics,
                                     readiness: readiness)
        let router = Router()
        router.add(middleware: JSONErrorMiddleware())
        router.addHealthRoutes(readiness: readiness)
        router.addMetricsRoute(metrics)
        try await S.addRoutes(to: router, context: context)
        let http = Application(
            router: router,
            server: try HTTPServerTLS.server(.http1(configuration: .init(idleTimeout: .seconds(configuration.httpIdleTimeout.components.seconds))),
                                             tls: configuration.httpTLS),
            configuration: .init(address: .hostname(configuration.httpHost, port: configuration.httpPort),
                                 serverName: S.identity.name,
                                 availableConnectionsDelegate: MaximumAvailableConnections(configuration.httpMaxConnections,
                                                                                           logger: logger)),
            logger: logger)

        let background = try S.backgroundServices(context: context)
        let group = ServiceGroup(configuration: .init(
            services: [
                // Shut down after the HTTP server and the consumers (in reverse order), so that it
                // publishes what the last requests and deliveries wrote.
                .init(service: context.publisher),
                .init(service: http),
                .init(service: ConsumerService(configuration: configuration, processor: processor,
                                               publisher: context.publisher, readiness: readiness, logger: logger)),
                .init(service: RetentionSweeper(context: context, plan: S.retentionPlan)),
            ] + background.map { .init(service: $0) },
            gracefulShutdownSignals: [.sigterm, .sigint],
            logger: logger))
        logger.info("starting", metadata: ["http": "\(configuration.httpAddress)",
                                           "broker": "\(configuration.broker)"])
        try await group.run()
    }

    /// Applies the schema's migrations, waiting (with back-off, up to `patience`) for a
    /// database that is not up yet.
    static func migrate<S: ServiceDefinition>(_ service: S.Type, database: Database, logger: Logger,
                                              patience: Duration = .seconds(120)) async throws {
        let migrations = S.allMigrationGroups
        let deadline = ContinuousClock.now + patience
        var backoff = Backoff()
        while true {
            do {
                let applied = try await database.withConnection { db in try db.migrate(migrations) }
                logger.info("schema up to date", metadata: ["schema": "\(S.identity.schema)",
                                                            "applied_now": "\(applied)"])
                return
            } catch let error as PostgresError where error.connectionLost && ContinuousClock.now < deadline {
                logger.warning("database not reachable yet", metadata: ["error": "\(error)"])
                try await Task.sleep(for: backoff.next())
            }
        }
    }
}
