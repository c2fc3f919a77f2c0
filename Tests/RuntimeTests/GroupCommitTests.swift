import HoushiRuntime
import Synchronization
import Testing

/// Group commit: requests that arrive while a batch is written go together in the next one, up to
/// the limit, and each gets its own result.
@Suite struct GroupCommitTests {
    struct Refused: Error, Equatable {
        let request: Int
    }

    /// A writer that records its batches, holds the first one until `release` and refuses 13.
    final class Writer: Sendable {
        let batches = Mutex<[[Int]]>([])
        let released = Mutex(false)

        func write(_ batch: [Int]) async -> [Result<Int, any Error>] {
            let first = batches.withLock { batches in
                batches.append(batch)
                return batches.count == 1
            }
            while first, !released.withLock({ $0 }) { try? await Task.sleep(for: .milliseconds(5)) }
            return batch.map { $0 == 13 ? .failure(Refused(request: $0)) : .success($0 * 10) }
        }

        func release() { released.withLock { $0 = true } }
    }

    /// Submits `first`, then `others` while the first batch is held; returns each one's result.
    func submit(first: Int, others: [Int], limit: Int, to writer: Writer) async -> [Int: Result<Int, Refused>] {
        let commit = GroupCommit<Int, Int>(limit: limit) { await writer.write($0) }
        return await withTaskGroup(of: (Int, Result<Int, Refused>).self) { group in
            for request in [first] + others {
                group.addTask {
                    do {
                        return (request, .success(try await commit.submit(request)))
                    } catch {
                        return (request, .failure(error as! Refused))
                    }
                }
                if request == first {
                    while writer.batches.withLock({ $0.isEmpty }) { try? await Task.sleep(for: .milliseconds(5)) }
                }
            }
            try? await Task.sleep(for: .milliseconds(200))
            writer.release()
            var results: [Int: Result<Int, Refused>] = [:]
            for await (request, result) in group { results[request] = result }
            return results
        }
    }

    @Test func requestsArrivingDuringAWriteGoTogetherInTheNextWithTheirOwnResults() async {
        let writer = Writer()
        let results = await submit(first: 1, others: [2, 13, 4], limit: 32, to: writer)
        let batches = writer.batches.withLock { $0 }
        #expect(batches.count == 2)
        #expect(batches.first == [1])
        #expect(batches.last.map(Set.init) == [2, 13, 4])
        #expect(results[1] == .success(10))
        #expect(results[2] == .success(20))
        #expect(results[4] == .success(40))
        #expect(results[13] == .failure(Refused(request: 13)))
    }

    @Test func aBatchHoldsNoMoreThanTheLimit() async {
        let writer = Writer()
        let results = await submit(first: 0, others: Array(1...7), limit: 3, to: writer)
        let batches = writer.batches.withLock { $0 }
        #expect(batches.map(\.count) == [1, 3, 3, 1])
        #expect(batches.flatMap { $0 }.sorted() == Array(0...7))
        #expect(results.count == 8)
        #expect(results.allSatisfy { request, result in result == .success(request * 10) })
    }
}
