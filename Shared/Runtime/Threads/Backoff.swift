/// Exponential back-off between reconnection or retry attempts: 100 ms doubling up to a cap.
public struct Backoff: Sendable {
    public let initial: Duration
    public let maximum: Duration
    private var attempt = 0

    public init(initial: Duration = .milliseconds(100), maximum: Duration = .seconds(5)) {
        self.initial = initial
        self.maximum = maximum
    }

    /// The delay before the next attempt; each call doubles it until the cap.
    public mutating func next() -> Duration {
        defer { attempt += 1 }
        return min(initial * (1 << min(attempt, 20)), maximum)
    }

    public mutating func reset() { attempt = 0 }
}
