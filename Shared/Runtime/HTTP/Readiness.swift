import Synchronization

/// Which parts of a service are up (each consumer, the outbox publisher, the database); the
/// service is ready when every registered part is.
public final class Readiness: Sendable {
    private let parts = Mutex<[String: Bool]>([:])

    public init() {}

    /// Registers `part` as expected, not ready until it says so.
    public func expect(_ part: String) {
        parts.withLock { parts in parts[part] = parts[part] ?? false }
    }

    public func set(_ part: String, ready: Bool) {
        parts.withLock { $0[part] = ready }
    }

    public var isReady: Bool { parts.withLock { !$0.isEmpty && $0.values.allSatisfy { $0 } } }

    /// Every part and whether it is ready, sorted by name.
    public var snapshot: [(part: String, ready: Bool)] {
        parts.withLock { $0.sorted { $0.key < $1.key }.map { ($0.key, $0.value) } }
    }
}
