import CLibPQ
import FoundationEssentials
#if canImport(Glibc)
import Glibc
#endif

/// One libpq connection. Not thread-safe: it must have one owner thread at a time, and every
/// call blocks, so keep it off Swift concurrency's cooperative threads (see `OwnerThread`).
public final class PostgresConnection {
    private var handle: OpaquePointer?
    private var transactionDepth = 0
    /// Statements that go to the server with the next one whose result is needed, in one round
    /// trip (libpq's pipeline mode): a transaction's BEGIN, and those run by `executeDeferred`.
    private var waiting: [Statement] = []
    /// The current transaction's BEGIN has been sent: it must end with COMMIT or ROLLBACK.
    private var transactionBegun = false
    /// Statement names by SQL text: a statement is parsed and planned by the server
    /// once per connection, then only executed (at most `preparedLimit` of them).
    private var prepared: [String: String] = [:]
    private static let preparedLimit = 256

    /// Connects from a `postgres://user:password@host:port/database` URL (or a libpq conninfo
    /// string) and sets `search_path` to `schema` when given.
    ///
    /// Prepared statements always run their generic plan: every statement here is a small
    /// lookup or write by key, which the generic plan serves as well as a custom one, and
    /// planning afresh for each execution (the server's default for the first five, and for
    /// any whose custom plans look cheaper) cost about a tenth of the server's CPU per case.
    /// Unless `sequentialScans`, they are planned only where no index serves: a generic plan is
    /// made when the statement first runs, on a young table a sequential scan, and kept until an
    /// ANALYZE replans it (a minute or more on a fresh database, each scan longer than the last).
    public init(url: String, schema: String? = nil, applicationName: String? = nil, sequentialScans: Bool = false) throws {
        handle = PQconnectdb(url)
        guard PQstatus(handle) == CONNECTION_OK else {
            let message = Self.errorText(handle)
            PQfinish(handle)
            handle = nil
            throw PostgresError(message: "cannot connect to PostgreSQL: \(message)", connectionLost: true)
        }
        PQsetNoticeProcessor(handle, { _, _ in }, nil)  // server notices (e.g. "already exists, skipping") are not errors
        try execute("""
            SELECT set_config('plan_cache_mode', 'force_generic_plan', false),
                   set_config('enable_seqscan', $3, false),
                   set_config('search_path', coalesce($1, current_setting('search_path')), false),
                   set_config('application_name', coalesce($2, current_setting('application_name')), false)
            """, [schema, applicationName, sequentialScans ? "on" : "off"])
    }

    deinit { close() }

    public func close() {
        if let handle { PQfinish(handle) }
        handle = nil
    }

    /// False once the server or network has gone away.
    public var isConnected: Bool { handle != nil && PQstatus(handle) == CONNECTION_OK }

    /// Runs one parameterized statement (`$1`, `$2`, … bound to `parameters`). Every statement,
    /// with parameters or without, is prepared on first use and reused on this connection.
    @discardableResult
    public func execute(_ sql: String, _ parameters: [any SQLValue] = []) throws -> QueryResult {
        try run(waiting + [statement(sql, parameters)])
    }

    /// Runs a statement whose result the caller needs only to `check` it, if at all. In a
    /// transaction it waits and goes to the server with the next statement whose result is
    /// needed, or with COMMIT, in one round trip; an error it raises, or `check` throws, is thrown
    /// from there (and rolls the transaction back, as any error does): statements with a check
    /// go before COMMIT, so that a check never follows a commit. Outside a transaction it runs
    /// at once.
    public func executeDeferred(_ sql: String, _ parameters: [any SQLValue] = [],
                                check: ((QueryResult) throws -> Void)? = nil) throws {
        guard transactionDepth > 0 else {
            let result = try execute(sql, parameters)
            try check?(result)
            return
        }
        waiting.append(try statement(sql, parameters, check: check))
    }

    private func statement(_ sql: String, _ parameters: [any SQLValue],
                           check: ((QueryResult) throws -> Void)? = nil) throws -> Statement {
        let name = try preparedName(for: sql, parameterCount: parameters.count)
        return Statement(sql: sql, preparedName: name, parameters: parameters, check: check)
    }

    /// Sends `statements` and returns the last one's result. Several go in one round trip, and
    /// the first error among them is thrown.
    @discardableResult
    private func run(_ statements: [Statement]) throws -> QueryResult {
        let handle = try liveHandle()
        waiting.removeAll()
        if transactionDepth > 0 { transactionBegun = true }
        guard statements.count > 1 else {
            guard statements[0].send(on: handle) else { throw sendFailure(handle) }
            return try statements[0].checked(consume(lastResult(handle)))
        }
        guard PQenterPipelineMode(handle) == 1 else { throw PostgresError(message: Self.errorText(handle)) }
        defer { PQexitPipelineMode(handle) }
        guard statements.allSatisfy({ $0.send(on: handle) }), PQpipelineSync(handle) == 1 else {
            throw sendFailure(handle)
        }
        // Each statement's result followed by a NULL (after an error, the rest report the pipeline
        // aborted); then the sync's result ends the pipeline.
        let results = statements.map { _ in
            let result = PQgetResult(handle)
            if result != nil { _ = PQgetResult(handle) }
            return result
        }
        if let sync = PQgetResult(handle) { PQclear(sync) }
        var outcome: Result<QueryResult, any Error>?
        for (statement, result) in zip(statements, results) {
            if case .failure? = outcome {
                if let result { PQclear(result) }
            } else {
                outcome = Result { try statement.checked(consume(result)) }
            }
        }
        return try outcome!.get()
    }

    private func sendFailure(_ handle: OpaquePointer) -> PostgresError {
        PostgresError(message: Self.errorText(handle), connectionLost: !isConnected)
    }

    /// The last result of the query just sent (a statement has one; NULL follows it).
    private func lastResult(_ handle: OpaquePointer) -> OpaquePointer? {
        var last: OpaquePointer?
        while let result = PQgetResult(handle) {
            if let last { PQclear(last) }
            last = result
        }
        return last
    }

    /// The name `sql` is prepared under, preparing it now if new; nil once the cache is full.
    private func preparedName(for sql: String, parameterCount: Int) throws -> String? {
        if let name = prepared[sql] { return name }
        guard prepared.count < Self.preparedLimit else { return nil }
        let name = "houshi_\(prepared.count + 1)"
        try consume(PQprepare(try liveHandle(), name, sql, Int32(parameterCount), nil))
        prepared[sql] = name
        return name
    }

    /// Runs a fixed script of statements without parameters: migrations only, never values.
    public func executeScript(_ sql: String) throws {
        if !waiting.isEmpty { try run(waiting) }
        try consume(PQexec(try liveHandle(), sql))
    }

    /// Runs `body` in a transaction: committed when it returns, rolled back when it throws.
    /// Nested calls run inside the outer transaction.
    public func withTransaction<T>(_ body: (PostgresConnection) throws -> T) throws -> T {
        if transactionDepth > 0 { return try body(self) }
        waiting = [Statement(sql: "BEGIN")]
        transactionDepth = 1
        transactionBegun = false
        defer {
            transactionDepth = 0
            waiting.removeAll()
            transactionBegun = false
        }
        do {
            let value = try body(self)
            if waiting.contains(where: { $0.check != nil }) { try run(waiting) }
            // Nothing to commit when nothing but BEGIN ever waited.
            if transactionBegun || waiting.count > 1 { try execute("COMMIT") }
            return value
        } catch {
            waiting.removeAll()
            if transactionBegun, isConnected { _ = try? execute("ROLLBACK") }
            throw error
        }
    }

    /// Subscribes this connection to NOTIFY on `channel`.
    public func listen(_ channel: String) throws {
        let handle = try liveHandle()
        guard let quoted = PQescapeIdentifier(handle, channel, channel.utf8.count) else {
            throw PostgresError(message: Self.errorText(handle))
        }
        defer { PQfreemem(quoted) }
        try executeScript("LISTEN \(String(cString: quoted))")
    }

    /// Waits up to `timeout` for a notification; returns whether at least one arrived (all
    /// pending ones are consumed).
    public func waitForNotification(timeout: Duration) throws -> Bool {
        let handle = try liveHandle()
        if try drainNotifications(handle) { return true }
        var descriptor = pollfd(fd: PQsocket(handle), events: Int16(POLLIN), revents: 0)
        let millis = Int32(timeout.components.seconds * 1000 + timeout.components.attoseconds / 1_000_000_000_000_000)
        let ready = poll(&descriptor, 1, millis)
        if ready < 0, errno != EINTR { throw PostgresError(message: "poll failed: errno \(errno)", connectionLost: true) }
        return try drainNotifications(handle)
    }

    private func drainNotifications(_ handle: OpaquePointer) throws -> Bool {
        guard PQconsumeInput(handle) == 1 else {
            throw PostgresError(message: Self.errorText(handle), connectionLost: true)
        }
        var received = false
        while let notification = PQnotifies(handle) {
            PQfreemem(notification)
            received = true
        }
        return received
    }

    private func liveHandle() throws -> OpaquePointer {
        guard let handle, PQstatus(handle) == CONNECTION_OK else {
            throw PostgresError(message: "the PostgreSQL connection is closed", connectionLost: true)
        }
        return handle
    }

    @discardableResult
    private func consume(_ result: OpaquePointer?) throws -> QueryResult {
        guard let result else {
            throw PostgresError(message: Self.errorText(handle), connectionLost: !isConnected)
        }
        defer { PQclear(result) }
        switch PQresultStatus(result) {
        case PGRES_COMMAND_OK, PGRES_TUPLES_OK:
            break
        default:
            let sqlState = PQresultErrorField(result, Int32(UInt8(ascii: "C"))).map { String(cString: $0) }
            // The primary message only: the DETAIL line may quote row values (personal data).
            let message = PQresultErrorField(result, Int32(UInt8(ascii: "M"))).map { String(cString: $0) }
                ?? Self.errorText(handle)
            throw PostgresError(
                sqlState: sqlState, message: message.withoutTrailingNewlines,
                connectionLost: !isConnected || PostgresError.isConnectionState(sqlState))
        }
        let columnCount = PQnfields(result)
        let columns = (0..<columnCount).map { String(cString: PQfname(result, $0)) }
        let rows = (0..<PQntuples(result)).map { row in
            Row(columns: columns, values: (0..<columnCount).map { column in
                PQgetisnull(result, row, column) == 1 ? nil : String(cString: PQgetvalue(result, row, column))
            })
        }
        let affected = Int(String(cString: PQcmdTuples(result))) ?? 0
        return QueryResult(columns: columns, rows: rows, affectedRows: affected)
    }

    private static func errorText(_ handle: OpaquePointer?) -> String {
        guard let handle, let text = PQerrorMessage(handle) else { return "no connection" }
        return String(cString: text).withoutTrailingNewlines
    }
}

/// A statement ready to send: its prepared name (its text when it is not prepared), its
/// parameters as C strings, freed with it, and what checks its result.
private final class Statement {
    let sql: String
    let preparedName: String?
    let check: ((QueryResult) throws -> Void)?
    private let values: [UnsafeMutablePointer<CChar>?]

    init(sql: String, preparedName: String? = nil, parameters: [any SQLValue] = [],
         check: ((QueryResult) throws -> Void)? = nil) {
        self.sql = sql
        self.preparedName = preparedName
        self.check = check
        values = parameters.map { $0.sqlText.flatMap { strdup($0) } }
    }

    /// `result`, once `check` (if any) accepts it.
    func checked(_ result: QueryResult) throws -> QueryResult {
        try check?(result)
        return result
    }

    deinit { values.forEach { free($0) } }

    func send(on handle: OpaquePointer) -> Bool {
        let pointers = values.map { $0.map { UnsafePointer($0) } }
        let sent = if let preparedName {
            PQsendQueryPrepared(handle, preparedName, Int32(pointers.count), pointers, nil, nil, 0)
        } else {
            PQsendQueryParams(handle, sql, Int32(pointers.count), nil, pointers, nil, nil, 0)
        }
        return sent == 1
    }
}

extension String {
    /// libpq's messages end in a line break.
    fileprivate var withoutTrailingNewlines: String {
        String(self[..<(lastIndex { !$0.isNewline }.map(index(after:)) ?? startIndex)])
    }
}
