/// A queue from any thread to one consuming thread, bounded, closed once at shutdown.
final class HandOffQueue<Element: Sendable>: @unchecked Sendable {
    // `items` and `closed` are guarded by `condition`.
    private let condition = ThreadCondition()
    private var items: [Element] = []
    private var closed = false
    private let capacity: Int

    init(capacity: Int) {
        self.capacity = capacity
    }

    /// Adds `elements` unless that would pass the capacity; returns whether they were added.
    func append(_ elements: [Element]) -> Bool {
        condition.lock()
        defer { condition.unlock() }
        guard items.count + elements.count <= capacity else { return false }
        items += elements
        condition.signal()
        return true
    }

    /// Takes everything queued, waiting for something (up to `timeout`, if given) while the queue
    /// is empty and open; also says whether it is closed.
    func take(waitingUpTo timeout: Duration?) -> (elements: [Element], closed: Bool) {
        condition.lock()
        defer { condition.unlock() }
        if let timeout {
            let deadline = ThreadCondition.deadline(after: max(timeout, .zero))
            while items.isEmpty, !closed, condition.wait(until: deadline) {}
        } else {
            while items.isEmpty, !closed { condition.wait() }
        }
        let taken = items
        items = []
        return (taken, closed)
    }

    /// Wakes the consumer for good: `take` no longer waits.
    func close() {
        condition.lock()
        closed = true
        condition.signal()
        condition.unlock()
    }
}
