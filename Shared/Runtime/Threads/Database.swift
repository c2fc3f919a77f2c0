import HoushiStorage
import Logging
import Synchronization

/// A small pool of PostgreSQL connections, each owned by its own thread. Async callers borrow
/// one for a blocking job; a connection the server dropped is opened again on next use.
public final class Database: Sendable {
    private let threads: [OwnerThread<DatabaseSession>]
    private let leases: Leases

    /// `waitLimit` callers at most wait for a connection, each for `waitTimeout` at most (then
    /// `PoolBusy` is thrown); `sequentialScans` as `PostgresConnection` takes it.
    public init(url: String, schema: String, size: Int, name: String, waitLimit: Int = 256,
                waitTimeout: Duration = .seconds(5), sequentialScans: Bool = false) {
        threads = (0..<max(size, 1)).map { index in
            OwnerThread(name: "\(name)-db-\(index)") {
                DatabaseSession(url: url, schema: schema, name: name, sequentialScans: sequentialScans)
            }
        }
        leases = Leases(count: threads.count, waitLimit: waitLimit, waitTimeout: waitTimeout)
    }

    /// A pool of `size` on the service's own schema, opened as `configuration` says (its URL, its
    /// waits, its planner setting).
    public convenience init(configuration: ServiceConfiguration, size: Int, name: String) {
        self.init(url: configuration.databaseURL, schema: configuration.identity.schema, size: size, name: name,
                  waitLimit: configuration.databaseWaitLimit, waitTimeout: configuration.databaseWaitTimeout,
                  sequentialScans: configuration.sequentialScans)
    }

    /// Runs `job` with a connection on its owner thread.
    @discardableResult
    public func withConnection<T: Sendable>(_ job: @escaping @Sendable (PostgresConnection) throws -> T) async throws -> T {
        let index = try await leases.acquire()
        defer { leases.release(index) }
        return try await threads[index].run { session in try session.use(job) }
    }

    /// Runs `job` in a transaction: committed when it returns, rolled back when it throws.
    public func transaction<T: Sendable>(_ job: @escaping @Sendable (PostgresConnection) throws -> T) async throws -> T {
        try await withConnection { db in try db.withTransaction(job) }
    }

    /// Ends the owner threads after their queued jobs and waits until every connection is closed.
    public func shutdown() async {
        for thread in threads { await thread.stop() }
    }
}

/// A lazily opened connection to one schema, reopened after the server drops it.
final class DatabaseSession {
    let url: String
    let schema: String
    let name: String
    let sequentialScans: Bool
    /// Runs on every new connection before its first use (e.g. LISTEN).
    let prepare: (PostgresConnection) throws -> Void
    private var connection: PostgresConnection?

    init(url: String, schema: String, name: String, sequentialScans: Bool = false,
         prepare: @escaping (PostgresConnection) throws -> Void = { _ in }) {
        self.url = url
        self.schema = schema
        self.name = name
        self.sequentialScans = sequentialScans
        self.prepare = prepare
    }

    /// A session of the service's own database, as `configuration` says to open it.
    convenience init(configuration: ServiceConfiguration, name: String,
                     prepare: @escaping (PostgresConnection) throws -> Void = { _ in }) {
        self.init(url: configuration.databaseURL, schema: configuration.identity.schema,
                  name: "\(configuration.identity.name)-\(name)", sequentialScans: configuration.sequentialScans,
                  prepare: prepare)
    }

    /// The open connection, connecting first when there is none.
    func connect() throws -> PostgresConnection {
        if let connection, connection.isConnected { return connection }
        connection = nil
        let fresh = try PostgresConnection(url: url, schema: schema, applicationName: name, sequentialScans: sequentialScans)
        try prepare(fresh)
        connection = fresh
        return fresh
    }

    /// Runs `job`; a lost connection is dropped so the next use reconnects.
    func use<T>(_ job: (PostgresConnection) throws -> T) throws -> T {
        do {
            return try job(try connect())
        } catch let error as PostgresError where error.connectionLost {
            connection = nil
            throw error
        }
    }

    func close() {
        connection?.close()
        connection = nil
    }
}

extension Result where Failure == any Error {
    /// The outcome of an async throwing operation, to act on after cleaning up.
    public init(asyncCatching body: () async throws -> Success) async {
        do {
            self = .success(try await body())
        } catch {
            self = .failure(error)
        }
    }
}
