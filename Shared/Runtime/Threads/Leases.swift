import Synchronization

/// Lends numbered resources (a pool's connections) to async callers, one each. A caller finding
/// none free waits its turn, but the wait is bounded: at most `waitLimit` callers wait, each for
/// at most `waitTimeout`, so that a flood of requests is turned away at once (`PoolBusy`) instead
/// of queueing without end.
public final class Leases: Sendable {
    private struct Waiter {
        let id: UInt64
        let continuation: CheckedContinuation<Int, any Error>
        /// Ends the wait at the timeout; cancelled once the waiter is served, so that it does not
        /// linger for the rest of the timeout.
        var timeout: Task<Void, Never>?
    }

    private struct State {
        var free: [Int]
        var waiters: [Waiter] = []
        var nextWaiter: UInt64 = 0
    }

    private let state: Mutex<State>
    private let waitLimit: Int
    private let waitTimeout: Duration

    public init(count: Int, waitLimit: Int, waitTimeout: Duration) {
        state = Mutex(State(free: Array((0..<count).reversed())))
        self.waitLimit = waitLimit
        self.waitTimeout = waitTimeout
    }

    /// A free resource's number, waiting for one when none is free; throws `PoolBusy` when
    /// `waitLimit` callers wait already, or when `waitTimeout` passes first.
    public func acquire() async throws -> Int {
        if let index = state.withLock({ $0.free.popLast() }) { return index }
        let id = state.withLock { state in
            defer { state.nextWaiter += 1 }
            return state.nextWaiter
        }
        return try await withCheckedThrowingContinuation { continuation in
            let outcome: Result<Int, PoolBusy>? = state.withLock { state in
                if let index = state.free.popLast() { return .success(index) }
                guard state.waiters.count < waitLimit else { return .failure(PoolBusy(reason: .full)) }
                state.waiters.append(Waiter(id: id, continuation: continuation, timeout: nil))
                return nil
            }
            if let outcome { return continuation.resume(with: outcome) }
            let wait = waitTimeout
            let timeout = Task { [weak self] in
                guard (try? await Task.sleep(for: wait)) != nil else { return }
                self?.abandon(waiter: id)
            }
            let served = state.withLock { state in
                guard let index = state.waiters.firstIndex(where: { $0.id == id }) else { return true }
                state.waiters[index].timeout = timeout
                return false
            }
            if served { timeout.cancel() }
        }
    }

    /// Gives a resource back: to the longest waiting caller, else to the free ones.
    public func release(_ index: Int) {
        let waiter: Waiter? = state.withLock { state in
            if state.waiters.isEmpty {
                state.free.append(index)
                return nil
            }
            return state.waiters.removeFirst()
        }
        waiter?.timeout?.cancel()
        waiter?.continuation.resume(returning: index)
    }

    /// How many callers wait now.
    public var waiting: Int { state.withLock { $0.waiters.count } }

    private func abandon(waiter id: UInt64) {
        let waiter: Waiter? = state.withLock { state in
            state.waiters.firstIndex { $0.id == id }.map { state.waiters.remove(at: $0) }
        }
        waiter?.continuation.resume(throwing: PoolBusy(reason: .timedOut))
    }
}

/// No resource could be lent: too many callers waited already, or the wait took too long.
public struct PoolBusy: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Reason: Sendable, Equatable {
        case full
        case timedOut
    }

    public let reason: Reason

    public init(reason: Reason) {
        self.reason = reason
    }

    public var description: String {
        switch reason {
        case .full: "every database connection is in use and too many requests wait for one"
        case .timedOut: "no database connection came free in time"
        }
    }
}
