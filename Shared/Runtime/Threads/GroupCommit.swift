import Synchronization

/// Group commit: requests that arrive together are written together, one batch at a time. A
/// caller that finds no batch being written writes its own request with those queued meanwhile
/// (up to `limit`); one that arrives while a batch is written waits, and is then handed either its
/// response or the turn to write the next batch. Nobody waits for a timer: under light load each
/// batch is a single request, under heavy load batches grow with the time one takes to write.
public final class GroupCommit<Request: Sendable, Response: Sendable>: Sendable {
    /// Writes a batch; returns one result per request, in order.
    public typealias Write = @Sendable ([Request]) async -> [Result<Response, any Error>]

    private enum Turn: Sendable {
        case write
        case done(Result<Response, any Error>)
    }

    private struct Waiting: Sendable {
        let request: Request
        let continuation: CheckedContinuation<Turn, Never>
    }

    private struct State: Sendable {
        var writing = false
        var queue: [Waiting] = []
    }

    private let state = Mutex(State())
    private let limit: Int
    private let write: Write

    /// `limit`: the most requests in one batch.
    public init(limit: Int, write: @escaping Write) {
        self.limit = max(limit, 1)
        self.write = write
    }

    /// Submits `request`; returns its response (or throws its error) once its batch is written.
    public func submit(_ request: Request) async throws -> Response {
        let turn = await withCheckedContinuation { (continuation: CheckedContinuation<Turn, Never>) in
            let writes = state.withLock { state in
                guard state.writing else {
                    state.writing = true
                    return true
                }
                state.queue.append(Waiting(request: request, continuation: continuation))
                return false
            }
            if writes { continuation.resume(returning: .write) }
        }
        switch turn {
        case .done(let result):
            return try result.get()
        case .write:
            let others = state.withLock { state in
                let taken = Array(state.queue.prefix(limit - 1))
                state.queue.removeFirst(taken.count)
                return taken
            }
            let results = await write([request] + others.map(\.request))
            precondition(results.count == others.count + 1, "a batch's write returned \(results.count) results")
            for (waiting, result) in zip(others, results.dropFirst()) {
                waiting.continuation.resume(returning: .done(result))
            }
            let next = state.withLock { state -> Waiting? in
                guard !state.queue.isEmpty else {
                    state.writing = false
                    return nil
                }
                return state.queue.removeFirst()
            }
            next?.continuation.resume(returning: .write)
            return try results[0].get()
        }
    }
}
