import Foundation

/// A dedicated thread that owns a resource (e.g. a database connection) and runs jobs on it one
/// at a time: the resource has exactly one owner thread, and its blocking calls stay off Swift
/// concurrency's cooperative threads.
public final class OwnerThread<Resource>: @unchecked Sendable {
    // All mutable state is guarded by `condition`; the resource itself is touched only by the thread.
    private let condition = NSCondition()
    private var jobs: [(inout Resource) -> Void] = []
    private var stopping = false

    /// Starts the thread; `makeResource` runs on it.
    public init(name: String, makeResource: @escaping @Sendable () -> Resource) {
        let thread = Thread { [self] in loop(makeResource()) }
        thread.name = name
        thread.start()
    }

    /// Runs `job` on the owner thread and returns its result.
    public func run<T: Sendable>(_ job: @escaping @Sendable (inout Resource) throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<T, any Error>) in
            condition.lock()
            defer { condition.unlock() }
            guard !stopping else {
                continuation.resume(throwing: CancellationError())
                return
            }
            jobs.append { resource in continuation.resume(with: Result { try job(&resource) }) }
            condition.signal()
        }
    }

    /// Lets queued jobs finish, then ends the thread (the resource is released with it).
    public func stop() {
        condition.lock()
        stopping = true
        condition.signal()
        condition.unlock()
    }

    private func loop(_ initial: Resource) {
        var resource = initial
        while true {
            condition.lock()
            while jobs.isEmpty, !stopping { condition.wait() }
            if jobs.isEmpty {
                condition.unlock()
                return
            }
            let job = jobs.removeFirst()
            condition.unlock()
            job(&resource)
        }
    }
}
