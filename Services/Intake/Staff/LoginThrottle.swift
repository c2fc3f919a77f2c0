/// How many failed logins are allowed before a login waits: per account (guessing one
/// password) and per address (trying many accounts), in a sliding window.
struct LoginThrottle: Sendable, Equatable {
    var window: Duration = .seconds(15 * 60)
    var perAccount = 5
    var perAddress = 20

    /// Whether another attempt may be checked, given the failures already in the window.
    func allows(accountFailures: Int, addressFailures: Int) -> Bool {
        accountFailures < perAccount && addressFailures < perAddress
    }

    var windowSeconds: Int { Int(window.components.seconds) }
}
