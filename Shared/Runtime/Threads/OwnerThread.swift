/// A dedicated thread that owns a resource (e.g. a database connection) and runs jobs on it one
/// at a time: the resource has exactly one owner thread, and its blocking calls stay off Swift
/// concurrency's cooperative threads.
public final class OwnerThread<Resource>: @unchecked Sendable {
    // All mutable state is guarded by `condition`; the resource itself is touched only by the thread.
    private let condition = ThreadCondition()
    private var jobs: [(inout Resource) -> Void] = []
    private var stopping = false
    private var finished = false
    private var finishWaiters: [CheckedContinuation<Void, Never>] = []

    /// Starts the thread; `makeResource` runs on it.
    public init(name: String, makeResource: @escaping @Sendable () -> Resource) {
        startThread(name: name) { [self] in
            runJobs(makeResource)
            markFinished()
        }
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

    /// Lets queued jobs finish, then ends the thread; returns once the resource is released
    /// (a process must not exit while a thread still closes its connection).
    public func stop() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            condition.lock()
            defer { condition.unlock() }
            stopping = true
            condition.signal()
            if finished { continuation.resume() } else { finishWaiters.append(continuation) }
        }
    }

    /// Makes the resource and runs jobs on it until stopped; the resource is released on return.
    private func runJobs(_ makeResource: () -> Resource) {
        var resource = makeResource()
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

    private func markFinished() {
        condition.lock()
        finished = true
        let waiters = finishWaiters
        finishWaiters = []
        condition.unlock()
        waiters.forEach { $0.resume() }
    }
}
