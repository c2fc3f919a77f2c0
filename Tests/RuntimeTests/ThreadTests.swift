@testable import HoushiRuntime
import Synchronization
import Testing

/// The threads that own blocking resources: jobs in order on one thread, stop signals that wake
/// sleepers, timed waits that end.
@Suite struct ThreadTests {
    @Test func anOwnerThreadRunsJobsInOrderOnOneResourceAndStopsAfterThem() async throws {
        let owner = OwnerThread<[Int]>(name: "test-owner") { [] }
        for number in 1...20 {
            _ = try await owner.run { log in log.append(number) }
        }
        let log = try await owner.run { log in log }
        #expect(log == Array(1...20))
        await owner.stop()
        await #expect(throws: CancellationError.self) { try await owner.run { _ in 0 } }
    }

    @Test func aTimedWaitEndsAfterItsDurationWhenNothingIsSet() {
        let signal = StopSignal()
        let start = ContinuousClock.now
        #expect(signal.wait(.milliseconds(150)) == false)
        #expect(ContinuousClock.now - start >= .milliseconds(150))
    }

    @Test func settingTheSignalWakesAWaitingThreadAtOnce() async {
        let signal = StopSignal()
        let waited = Mutex<Duration?>(nil)
        async let woken: Bool = onDedicatedThread(name: "test-waiter") {
            let start = ContinuousClock.now
            let result = signal.wait(.seconds(30))
            waited.withLock { $0 = ContinuousClock.now - start }
            return result
        }
        try? await Task.sleep(for: .milliseconds(100))
        signal.set()
        #expect(await woken)
        #expect(waited.withLock { $0 ?? .seconds(30) } < .seconds(5))
        #expect(signal.isSet)
        #expect(signal.wait(.seconds(30)))
    }

    @Test func aHandOffQueueGivesEverythingQueuedAtOnceAndRefusesWhatPassesItsCapacity() {
        let queue = HandOffQueue<Int>(capacity: 5)
        #expect(queue.append([1, 2, 3]))
        #expect(queue.append([4, 5, 6]) == false)
        #expect(queue.append([4]))
        let taken = queue.take(waitingUpTo: .seconds(30))
        #expect(taken.elements == [1, 2, 3, 4])
        #expect(taken.closed == false)
        let start = ContinuousClock.now
        #expect(queue.take(waitingUpTo: .milliseconds(100)).elements.isEmpty)
        #expect(ContinuousClock.now - start >= .milliseconds(100))
    }

    @Test func handingOverWakesTheWaitingThreadAndClosingEndsItsWait() async {
        let queue = HandOffQueue<Int>(capacity: 10)
        async let received: [[Int]] = onDedicatedThread(name: "test-taker") {
            var received: [[Int]] = []
            while true {
                let (elements, closed) = queue.take(waitingUpTo: nil)
                if !elements.isEmpty { received.append(elements) }
                if closed { return received }
            }
        }
        try? await Task.sleep(for: .milliseconds(100))
        #expect(queue.append([7, 8]))
        try? await Task.sleep(for: .milliseconds(100))
        #expect(queue.append([9]))
        queue.close()
        #expect(await received.flatMap { $0 } == [7, 8, 9])
    }
}
