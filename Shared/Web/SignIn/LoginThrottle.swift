/// How many failed logins are allowed before a login waits: per account (guessing one
/// password) and per address (trying many accounts), in a sliding window.
public struct LoginThrottle: Sendable, Equatable {
    public var window: Duration = .seconds(15 * 60)
    public var perAccount = 5
    public var perAddress = 20

    public init() {}

    /// Whether another attempt may be checked, given the failures already in the window.
    public func allows(accountFailures: Int, addressFailures: Int) -> Bool {
        accountFailures < perAccount && addressFailures < perAddress
    }

    public var windowSeconds: Int { Int(window.components.seconds) }
}
