import HoushiStorage

/// The messages one writer's transactions emit (`HandlerContext.emit`), collected so that the
/// writer hands them to the outbox publisher once they commit (`OutboxPublisher.handOver`).
/// Their rows are claimed for `OutboxPublisher.claim`, so no relay takes them meanwhile. Owned by
/// the writer's thread.
public final class EmittedMessages {
    private var staged: [OutboxMessage] = []
    private var committed: [OutboxMessage] = []

    public init() {}

    /// Adds a message emitted in the transaction `collect` runs.
    func add(_ message: OutboxMessage) { staged.append(message) }

    /// Runs `transaction` (a `withTransaction`); what it emitted counts once it returns, and
    /// nothing of it if it throws.
    public func collect<T>(_ transaction: () throws -> T) rethrows -> T {
        defer { staged.removeAll() }
        let value = try transaction()
        committed += staged
        return value
    }

    /// What committed transactions emitted since the last call, in order.
    public func takeCommitted() -> [OutboxMessage] {
        defer { committed.removeAll() }
        return committed
    }
}
