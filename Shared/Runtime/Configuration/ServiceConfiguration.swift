import FoundationEssentials
import HoushiContract
import HoushiMessaging
import Logging

/// One environment variable a service reads: its name, its default and what it means.
public typealias ConfigurationVariable = (name: String, defaultValue: String, meaning: String)

/// A service's settings, read from environment variables (see `ServiceConfiguration.variables`).
/// `NAME_FILE` may name a file holding the value instead (for secrets).
public struct ServiceConfiguration: Sendable {
    /// Which service this is: its names on the broker and in the database.
    public var identity: ServiceIdentity
    /// The department, for one of the four.
    public var department: Department? { identity.department }
    /// The broker's nodes (HOUSHI_AMQP_URL, one URL or a comma-separated list).
    public var broker: BrokerAddresses
    /// Seconds between heartbeats on every broker connection.
    public var amqpHeartbeat: Int
    public var databaseURL: String
    public var httpHost: String
    public var httpPort: Int
    /// The certificate and key the HTTP listener speaks HTTPS with; nil: plain HTTP.
    public var httpTLS: HTTPServerTLS?
    /// Where the HTTP listener answers, for logs: `https://127.0.0.1:8080`.
    public var httpAddress: String { "\(httpTLS == nil ? "http" : "https")://\(httpHost):\(httpPort)" }
    public var logFormat: LogFormat
    public var logLevel: Logger.Level
    public var consumers: Int
    public var prefetch: Int
    public var consumerBatch: Int
    /// How long a consumer waits after a delivery for more to handle in the same transaction.
    public var consumerLinger: Duration
    public var handlerAttempts: Int
    public var databasePoolSize: Int
    /// The most HTTP requests that wait for a database connection; more get 503 at once.
    public var databaseWaitLimit: Int
    /// How long an HTTP request waits for a database connection before it gets 503.
    public var databaseWaitTimeout: Duration
    /// Whether PostgreSQL may plan sequential scans where an index serves (`HOUSHI_DB_SEQSCAN`).
    public var sequentialScans: Bool
    /// How long an HTTP connection may stay idle, or take to send a request's head, before it is closed.
    public var httpIdleTimeout: Duration
    /// The most HTTP connections open at once; beyond it the server stops accepting until one closes.
    public var httpMaxConnections: Int
    /// The most outbox rows the publisher's relay takes in one transaction (`HOUSHI_OUTBOX_BATCH`).
    public var outboxBatchSize: Int
    /// Days after a case is finished until its personal data is masked (`HOUSHI_RETENTION_DAYS`).
    public var retentionDays: Int
    /// Days the ids of consumed messages are kept against redeliveries (`HOUSHI_INBOX_RETENTION_DAYS`).
    public var inboxRetentionDays: Int
    public var retentionCheckInterval: Duration
    /// Names this process in logs and broker connections.
    public var instance: String

    /// Every variable the services share; a service's own are its `ServiceDefinition.variables`.
    /// The README's configuration table lists these.
    public static let variables: [ConfigurationVariable] = [
        ("HOUSHI_AMQP_URL", "amqp://guest:guest@127.0.0.1:5672/%2F",
         "broker URL with the service's own user; amqps://...?cacertfile=FILE for TLS"),
        ("HOUSHI_AMQP_HEARTBEAT", "30", "seconds between broker heartbeats; a publisher idle longer re-opens its connection before use"),
        ("HOUSHI_DATABASE_URL", "postgres://<schema>@127.0.0.1:5432/houshi", "database URL with the service's own role"),
        ("HOUSHI_HTTP_HOST", "127.0.0.1", "address of the HTTP server (health, API)"),
        ("HOUSHI_HTTP_PORT", "8080 intake, 8081 public-security, 8082 civil-affairs, 8083 social-security", "its port"),
        ("HOUSHI_HTTP_TLS_CERT", "(none: plain HTTP)", "PEM certificate chain; with HOUSHI_HTTP_TLS_KEY the HTTP server speaks HTTPS only"),
        ("HOUSHI_HTTP_TLS_KEY", "(none)", "PEM private key of HOUSHI_HTTP_TLS_CERT"),
        ("HOUSHI_LOG_FORMAT", "text", "`text` or `json` (JSON lines)"),
        ("HOUSHI_LOG_LEVEL", "info", "trace, debug, info, notice, warning, error, critical"),
        ("HOUSHI_CONSUMERS", "1", "competing consumer threads, each with its own connections"),
        ("HOUSHI_PREFETCH", "32", "unacknowledged deliveries per consumer"),
        ("HOUSHI_CONSUMER_BATCH", "16", "most deliveries one transaction handles together (1: one each)"),
        ("HOUSHI_CONSUMER_LINGER_MS", "10", "milliseconds a consumer waits after a delivery for more to handle in the same transaction (0: none)"),
        ("HOUSHI_HANDLER_ATTEMPTS", "5", "tries of a failing handler before its message is dead-lettered"),
        ("HOUSHI_DB_POOL_SIZE", "2", "database connections for HTTP requests"),
        ("HOUSHI_DB_WAIT_LIMIT", "256", "HTTP requests that may wait for a database connection; more get 503 with Retry-After"),
        ("HOUSHI_DB_WAIT_SECONDS", "5", "seconds a request waits for a database connection before 503 with Retry-After"),
        ("HOUSHI_DB_SEQSCAN", "off", "`off`: no sequential scan where an index serves (plans made on a young database's empty tables would keep scanning); `on`: as the planner likes"),
        ("HOUSHI_HTTP_IDLE_SECONDS", "30", "seconds an HTTP connection may idle or take to send a request head before it is closed"),
        ("HOUSHI_HTTP_MAX_CONNECTIONS", "1000", "HTTP connections open at once; beyond it new ones wait to be accepted"),
        ("HOUSHI_OUTBOX_BATCH", "200", "outbox rows the relay publishes per transaction"),
        ("HOUSHI_INSTANCE", "<service>@<host>:<pid>", "this process's name in logs and broker connections"),
        ("HOUSHI_PUBLIC_URL", "http://127.0.0.1:8000", "the pages' public address; cookies are Secure when it is https"),
        ("HOUSHI_PAGES_DIR", "the source tree", "an installed tree of templates and static files for the pages"),
        ("HOUSHI_RETENTION_DAYS", "180", "days after a case is finished until its phone numbers and bank accounts are masked, its scans and sent messages erased"),
        ("HOUSHI_RETENTION_CHECK_SECONDS", "3600", "seconds between two applications of the retention period"),
        ("HOUSHI_INBOX_RETENTION_DAYS", "30", "days the ids of consumed messages are kept to recognise a redelivery (at least 2; one comes within minutes)"),
    ]

    /// The HTTP port a service listens on unless told: 8080 to 8083 for the four, 8090 for a subscriber.
    public static func defaultPort(of identity: ServiceIdentity) -> Int {
        switch identity.department {
        case .intake: 8080
        case .publicSecurity: 8081
        case .civilAffairs: 8082
        case .socialSecurity: 8083
        case nil: 8090
        }
    }

    /// Reads the configuration of `department`; throws a `ConfigurationError` naming the variable at fault.
    public init(department: Department, environment: [String: String] = ProcessInfo.processInfo.environment) throws {
        try self.init(identity: department.identity, environment: environment)
    }

    /// Reads the configuration; throws a `ConfigurationError` naming the variable at fault.
    public init(identity: ServiceIdentity, environment: [String: String] = ProcessInfo.processInfo.environment) throws {
        let reader = EnvironmentReader(environment: environment)
        self.identity = identity
        let amqp = try reader.string("HOUSHI_AMQP_URL", default: "amqp://guest:guest@127.0.0.1:5672/%2F")
        guard let broker = BrokerAddresses(amqp) else {
            throw ConfigurationError(variable: "HOUSHI_AMQP_URL",
                                     problem: "is not an amqp:// or amqps://user:password@host:port/vhost URL, "
                                         + "or a comma-separated list of them with one user and vhost")
        }
        self.broker = broker
        amqpHeartbeat = try reader.integer("HOUSHI_AMQP_HEARTBEAT", default: 30, in: 1...600)
        databaseURL = try reader.string("HOUSHI_DATABASE_URL", default: "postgres://\(identity.schema)@127.0.0.1:5432/houshi")
        guard databaseURL.hasPrefix("postgres://") || databaseURL.hasPrefix("postgresql://") else {
            throw ConfigurationError(variable: "HOUSHI_DATABASE_URL", problem: "is not a postgres:// URL")
        }
        httpHost = try reader.string("HOUSHI_HTTP_HOST", default: "127.0.0.1")
        httpPort = try reader.integer("HOUSHI_HTTP_PORT", default: Self.defaultPort(of: identity), in: 0...65535)
        httpTLS = try HTTPServerTLS.read(from: reader)
        logFormat = try reader.value("HOUSHI_LOG_FORMAT", default: .text, LogFormat.init(rawValue:))
        logLevel = try reader.value("HOUSHI_LOG_LEVEL", default: .info, Logger.Level.init(rawValue:))
        consumers = try reader.integer("HOUSHI_CONSUMERS", default: 1, in: 1...64)
        prefetch = try reader.integer("HOUSHI_PREFETCH", default: 32, in: 1...65535)
        consumerBatch = try reader.integer("HOUSHI_CONSUMER_BATCH", default: 16, in: 1...1_000)
        consumerLinger = .milliseconds(try reader.integer("HOUSHI_CONSUMER_LINGER_MS", default: 10, in: 0...1_000))
        handlerAttempts = try reader.integer("HOUSHI_HANDLER_ATTEMPTS", default: 5, in: 1...100)
        databasePoolSize = try reader.integer("HOUSHI_DB_POOL_SIZE", default: 2, in: 1...64)
        databaseWaitLimit = try reader.integer("HOUSHI_DB_WAIT_LIMIT", default: 256, in: 0...100_000)
        databaseWaitTimeout = .seconds(try reader.integer("HOUSHI_DB_WAIT_SECONDS", default: 5, in: 1...600))
        sequentialScans = try reader.value("HOUSHI_DB_SEQSCAN", default: false) { ["off": false, "on": true][$0] }
        httpIdleTimeout = .seconds(try reader.integer("HOUSHI_HTTP_IDLE_SECONDS", default: 30, in: 1...3_600))
        httpMaxConnections = try reader.integer("HOUSHI_HTTP_MAX_CONNECTIONS", default: 1_000, in: 1...100_000)
        outboxBatchSize = try reader.integer("HOUSHI_OUTBOX_BATCH", default: 200, in: 1...10_000)
        retentionDays = try reader.integer("HOUSHI_RETENTION_DAYS", default: 180, in: 1...36_500)
        inboxRetentionDays = try reader.integer("HOUSHI_INBOX_RETENTION_DAYS", default: 30, in: 2...36_500)
        retentionCheckInterval = .seconds(try reader.integer("HOUSHI_RETENTION_CHECK_SECONDS", default: 3_600, in: 1...86_400))
        let host = ProcessInfo.processInfo.hostName
        instance = try reader.string("HOUSHI_INSTANCE",
                                     default: "\(identity.name)@\(host):\(ProcessInfo.processInfo.processIdentifier)")
    }
}

/// The settings without the passwords: ServiceLifecycle logs its services, configuration
/// included, at debug level.
extension ServiceConfiguration: CustomStringConvertible {
    public var description: String {
        "ServiceConfiguration(service: \(identity.name), broker: \(broker), "
            + "databaseURL: \(Redact.password(inURL: databaseURL)), http: \(httpAddress), "
            + "log: \(logFormat.rawValue) \(logLevel), consumers: \(consumers), prefetch: \(prefetch), batch: \(consumerBatch), "
            + "linger: \(consumerLinger), "
            + "handlerAttempts: \(handlerAttempts), databasePoolSize: \(databasePoolSize), "
            + "outboxBatchSize: \(outboxBatchSize), instance: \(instance))"
    }
}

/// How log lines are written.
public enum LogFormat: String, Sendable {
    case text
    case json
}

/// A variable that is set but unusable.
public struct ConfigurationError: Error, Sendable, CustomStringConvertible {
    public let variable: String
    public let problem: String

    public init(variable: String, problem: String) {
        self.variable = variable
        self.problem = problem
    }
    public var description: String { "\(variable) \(problem)" }
}

/// Reads variables, or the file named by `NAME_FILE`.
public struct EnvironmentReader: Sendable {
    let environment: [String: String]

    public init(environment: [String: String] = ProcessInfo.processInfo.environment) {
        self.environment = environment
    }

    func string(_ name: String, default defaultValue: String) throws -> String {
        try optionalString(name) ?? defaultValue
    }

    /// The content of the file `NAME_FILE` names (trimmed), else `NAME`'s value; nil when
    /// neither is set. Secrets are read this way, so that they need not be in the environment.
    public func optionalString(_ name: String) throws -> String? {
        if let path = environment["\(name)_FILE"], !path.isEmpty {
            do {
                return try InputFile.text(path).trimmingWhitespace
            } catch {
                throw ConfigurationError(variable: "\(name)_FILE", problem: "names \(error)")
            }
        }
        guard let value = environment[name], !value.isEmpty else { return nil }
        return value
    }

    func value<T>(_ name: String, default defaultValue: T, _ parse: (String) -> T?) throws -> T {
        guard let text = environment[name], !text.isEmpty else { return defaultValue }
        guard let value = parse(text) else { throw ConfigurationError(variable: name, problem: "has an unknown value") }
        return value
    }

    func integer(_ name: String, default defaultValue: Int, in range: ClosedRange<Int>) throws -> Int {
        let value = try self.value(name, default: defaultValue) { Int($0) }
        guard range.contains(value) else {
            throw ConfigurationError(variable: name, problem: "must be within \(range.lowerBound)…\(range.upperBound)")
        }
        return value
    }
}
