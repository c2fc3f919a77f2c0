import HoushiRuntime
import Testing

/// The pool's bounded wait: callers beyond the free resources wait in order, but only so many
/// and only so long.
@Suite struct LeasesTests {
    @Test func freeResourcesAreLentAtOnceAndReturnedOnesGoToTheLongestWaiting() async throws {
        let leases = Leases(count: 2, waitLimit: 10, waitTimeout: .seconds(30))
        let first = try await leases.acquire()
        let second = try await leases.acquire()
        #expect(Set([first, second]) == [0, 1])
        let early = Task { try await leases.acquire() }
        try await waitUntil { leases.waiting == 1 }
        let late = Task { try await leases.acquire() }
        try await waitUntil { leases.waiting == 2 }
        leases.release(second)
        #expect(try await early.value == second)
        leases.release(first)
        #expect(try await late.value == first)
        #expect(leases.waiting == 0)
    }

    @Test func beyondTheWaitLimitCallersAreTurnedAwayAtOnce() async throws {
        let leases = Leases(count: 1, waitLimit: 1, waitTimeout: .seconds(30))
        let held = try await leases.acquire()
        let waiting = Task { try await leases.acquire() }
        try await waitUntil { leases.waiting == 1 }
        await #expect(throws: PoolBusy(reason: .full)) { try await leases.acquire() }
        leases.release(held)
        #expect(try await waiting.value == held)
    }

    @Test func aWaitEndsAfterTheTimeout() async throws {
        let leases = Leases(count: 1, waitLimit: 5, waitTimeout: .milliseconds(100))
        let held = try await leases.acquire()
        let start = ContinuousClock.now
        await #expect(throws: PoolBusy(reason: .timedOut)) { try await leases.acquire() }
        #expect(ContinuousClock.now - start >= .milliseconds(100))
        #expect(leases.waiting == 0)
        // The resource still works as before.
        leases.release(held)
        #expect(try await leases.acquire() == held)
    }

    private func waitUntil(_ condition: () -> Bool) async throws {
        for _ in 0..<1_000 where !condition() { try await Task.sleep(for: .milliseconds(1)) }
        #expect(condition())
    }
}
