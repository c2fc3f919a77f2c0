import NIOPosix

/// A dedicated thread that owns a resource (e.g. a database connection) and runs jobs on it one
/// at a time, in order: the resource has exactly one owner thread, and its blocking calls stay off
/// Swift concurrency's cooperative threads. The thread is a one-thread `NIOThreadPool`.
public final class OwnerThread<Resource>: @unchecked Sendable {
    private let thread = NIOThreadPool(numberOfThreads: 1)
    /// Touched only by the thread's jobs (one at a time), never elsewhere.
    private var resource: Resource?

    /// Starts the thread; `makeResource` runs on it.
    public init(name: String, makeResource: @escaping @Sendable () -> Resource) {
        thread.start()
        thread.submit { [self] _ in resource = named(name, makeResource) }
    }

    /// Runs `job` on the owner thread and returns its result; once stopped (or when the calling
    /// task is cancelled before the job started) throws `CancellationError`.
    public func run<T: Sendable>(_ job: @escaping @Sendable (inout Resource) throws -> T) async throws -> T {
        try await thread.runIfActive { [self] in
            guard resource != nil else { throw CancellationError() }
            return try job(&resource!)
        }
    }

    /// Lets queued jobs finish, releases the resource on the thread, then ends it; returns once the
    /// thread has ended (a process must not exit while a thread still closes its connection).
    public func stop() async {
        _ = try? await thread.runIfActive { [self] in resource = nil }
        try? await thread.shutdownGracefully()
    }
}
