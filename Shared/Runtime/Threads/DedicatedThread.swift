import CThreads
import NIOConcurrencyHelpers
import NIOPosix

/// Runs `body` on a thread of its own and returns its result, so long blocking loops (a consumer
/// waiting on the broker, the outbox publisher waiting for confirms) never occupy Swift
/// concurrency's cooperative threads. The thread is a one-thread `NIOThreadPool`, named `name`
/// (its first 15 bytes, shown by `top -H`), and joined before this returns: no thread outlives
/// its work (a detached one could still be ending while a short command's process exits).
public func onDedicatedThread<T: Sendable>(name: String, _ body: @escaping @Sendable () -> T) async -> T {
    let thread = NIOThreadPool(numberOfThreads: 1)
    thread.start()
    // `submit`, not `runIfActive`, which drops work whose task is cancelled before it starts: the
    // body runs whatever happens to the caller (a loop ends by its own stop signal), and the pool
    // is shut down only after it.
    let result = await withCheckedContinuation { continuation in
        thread.submit { _ in continuation.resume(returning: named(name, body)) }
    }
    try? await thread.shutdownGracefully()
    return result
}

/// Names the calling thread `name`, then runs `body` on it.
func named<T>(_ name: String, _ body: () throws -> T) rethrows -> T {
    _ = houshi_name_current_thread(name)
    return try body()
}

/// A one-way signal from the async world to blocking loops: set once at shutdown.
public final class StopSignal: Sendable {
    private let condition = ConditionLock(value: false)

    public init() {}

    public var isSet: Bool { condition.value }

    public func set() {
        condition.lock()
        condition.unlock(withValue: true)
    }

    /// Sleeps up to `duration`, waking early when stopped. Returns whether the signal is set.
    @discardableResult
    public func wait(_ duration: Duration) -> Bool {
        guard condition.lock(whenValue: true, timeoutSeconds: max(duration.seconds, 0)) else { return false }
        condition.unlock()
        return true
    }
}

extension Duration {
    /// The duration in seconds, as a floating-point number.
    public var seconds: Double {
        Double(components.seconds) + Double(components.attoseconds) / 1e18
    }
}
