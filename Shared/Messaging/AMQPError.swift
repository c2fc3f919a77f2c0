/// A failure of the broker connection or a refusal by the broker. After any `AMQPError` the
/// connection is unusable: close it and connect again.
public struct AMQPError: Error, Sendable, CustomStringConvertible {
    /// The broker's reply code (e.g. 404 not found, 403 access refused), when it sent one.
    public let replyCode: Int?
    public let message: String

    public init(replyCode: Int? = nil, _ message: String) {
        self.replyCode = replyCode
        self.message = message
    }

    public var description: String {
        replyCode.map { "\(message) (reply code \($0))" } ?? message
    }
}
