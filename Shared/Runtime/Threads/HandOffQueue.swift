import NIOConcurrencyHelpers

/// A queue from any thread to one consuming thread, bounded, closed once at shutdown.
final class HandOffQueue<Element: Sendable>: @unchecked Sendable {
    // `items` and `closed` are guarded by `ready`, whose value says whether `take` has something
    // to give (elements, or the news that the queue is closed).
    private let ready = ConditionLock(value: false)
    private var items: [Element] = []
    private var closed = false
    private let capacity: Int

    init(capacity: Int) {
        self.capacity = capacity
    }

    /// Adds `elements` unless that would pass the capacity; returns whether they were added.
    func append(_ elements: [Element]) -> Bool {
        ready.lock()
        guard items.count + elements.count <= capacity else {
            ready.unlock()
            return false
        }
        items += elements
        ready.unlock(withValue: true)
        return true
    }

    /// Takes everything queued, waiting for something (up to `timeout`, if given) while the queue
    /// is empty and open; also says whether it is closed.
    func take(waitingUpTo timeout: Duration?) -> (elements: [Element], closed: Bool) {
        if let timeout {
            guard ready.lock(whenValue: true, timeoutSeconds: max(timeout.seconds, 0)) else { return ([], false) }
        } else {
            ready.lock(whenValue: true)
        }
        let (taken, isClosed) = (items, closed)
        items = []
        ready.unlock(withValue: isClosed)
        return (taken, isClosed)
    }

    /// Wakes the consumer for good: `take` no longer waits.
    func close() {
        ready.lock()
        closed = true
        ready.unlock(withValue: true)
    }
}
