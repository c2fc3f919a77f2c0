import ArgumentParser
import HoushiContract
import HoushiMessaging
import Logging

extension CommandConfiguration {
    /// The root command of a service executable: `serve` (the default), `migrate`,
    /// `declare-topology`, `dead-letters`, `audit`, `retention`, plus the service's own subcommands.
    public static func houshi<S: ServiceDefinition>(
        _ service: S.Type, subcommands: [any ParsableCommand.Type] = []
    ) -> CommandConfiguration {
        func lines(_ variables: [ConfigurationVariable]) -> String {
            variables.map { "  \($0.name) (default \($0.defaultValue)): \($0.meaning)" }.joined(separator: "\n")
        }
        let own = S.variables.isEmpty ? "" : "\n\nThis service's own:\n\(lines(S.variables))"
        return CommandConfiguration(
            commandName: S.identity.name,
            abstract: S.abstract,
            discussion: """
                Configuration, from the environment (NAME_FILE may name a file holding the value):
                \(lines(ServiceConfiguration.variables))\(own)
                """,
            version: HoushiVersion.description(of: S.self),
            subcommands: [ServeCommand<S>.self, MigrateCommand<S>.self, DeclareTopologyCommand.self,
                          DeadLettersCommand<S>.self, AuditCommand<S>.self, RetentionCommand<S>.self] + subcommands,
            defaultSubcommand: ServeCommand<S>.self)
    }
}

/// Runs the service until SIGTERM or SIGINT.
public struct ServeCommand<S: ServiceDefinition>: AsyncParsableCommand {
    public static var configuration: CommandConfiguration {
        CommandConfiguration(commandName: "serve", abstract: "Run the service (the default).")
    }

    public init() {}

    public func run() async throws {
        try await ServiceRunner.run(S.self)
    }
}

/// Applies the service's schema migrations and exits.
public struct MigrateCommand<S: ServiceDefinition>: AsyncParsableCommand {
    public static var configuration: CommandConfiguration {
        CommandConfiguration(commandName: "migrate", abstract: "Apply the schema migrations and exit.")
    }

    public init() {}

    public func run() async throws {
        let configuration = try ServiceConfiguration(identity: S.identity)
        LoggingSystem.bootstrap(format: configuration.logFormat, level: configuration.logLevel)
        let database = Database(configuration: configuration, size: 1, name: "\(S.identity.name)-migrate")
        let outcome = await Result(asyncCatching: {
            try await ServiceRunner.migrate(S.self, database: database, logger: Logger(label: S.identity.name))
        })
        await database.shutdown()
        try outcome.get()
    }
}

/// Declares the whole broker topology with HOUSHI_AMQP_URL's (administrator's) rights and exits.
public struct DeclareTopologyCommand: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "declare-topology",
        abstract: "Declare every exchange, queue and binding (run once at provisioning, as the broker administrator).")

    public init() {}

    public func run() async throws {
        let configuration = try ServiceConfiguration(department: .intake)
        let broker = configuration.broker
        let outcome: Result<Void, any Error> = await onDedicatedThread(name: "declare-topology") {
            Result { try BrokerTopology.declareAll { try broker.connect(name: "houshi declare-topology") } }
        }
        try outcome.get()
        print("declared \(BrokerTopology.exchanges.map(\.0).joined(separator: ", ")) and the queues of",
              Department.allCases.map(\.rawValue).joined(separator: ", "))
    }
}
