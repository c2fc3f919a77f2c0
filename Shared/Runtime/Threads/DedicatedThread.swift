#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Runs `body` on a new thread of its own and returns its result, so long blocking loops
/// (a consumer waiting on the broker, the outbox publisher waiting for confirms) never occupy Swift
/// concurrency's cooperative threads.
public func onDedicatedThread<T: Sendable>(name: String, _ body: @escaping @Sendable () -> T) async -> T {
    await withCheckedContinuation { continuation in
        startThread(name: name) { continuation.resume(returning: body()) }
    }
}

/// A one-way signal from the async world to blocking loops: set once at shutdown.
public final class StopSignal: Sendable {
    private let condition = ConditionBox()

    public init() {}

    public var isSet: Bool { condition.withLock { $0 } }

    public func set() {
        condition.withLock { $0 = true }
        condition.broadcast()
    }

    /// Sleeps up to `duration`, waking early when stopped. Returns whether the signal is set.
    @discardableResult
    public func wait(_ duration: Duration) -> Bool {
        condition.wait(until: ThreadCondition.deadline(after: duration))
    }
}

/// A Bool guarded by a condition.
private final class ConditionBox: @unchecked Sendable {
    private let condition = ThreadCondition()
    private var value = false

    func withLock<T>(_ body: (inout Bool) -> T) -> T {
        condition.lock()
        defer { condition.unlock() }
        return body(&value)
    }

    func broadcast() {
        condition.lock()
        condition.broadcast()
        condition.unlock()
    }

    func wait(until deadline: timespec) -> Bool {
        condition.lock()
        defer { condition.unlock() }
        while !value, condition.wait(until: deadline) {}
        return value
    }
}

extension Duration {
    /// The duration in seconds, as a floating-point number.
    public var seconds: Double {
        Double(components.seconds) + Double(components.attoseconds) / 1e18
    }
}
