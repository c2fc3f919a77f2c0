/// A department outside Houshi that takes the public facts (`PublicFacts`) from a queue of its
/// own: added by the operator (`deploy/local/subscribers add NAME`), no code of the four
/// services changed. Its broker user and its queue have one name, `subscriber.<name>`.
public struct Subscriber: Hashable, Sendable, CustomStringConvertible {
    /// Lowercase letters, digits and inner hyphens, starting with a letter, at most 40.
    public let name: String

    /// Throws `InvalidName` unless `name` is lowercase letters, digits and inner hyphens,
    /// starts with a letter and is at most 40 long.
    public init(_ name: String) throws(InvalidName) {
        let bytes = Array(name.utf8)
        guard (1...40).contains(bytes.count), let first = bytes.first, (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(first),
              bytes.last != UInt8(ascii: "-"),
              bytes.allSatisfy({ (UInt8(ascii: "a")...UInt8(ascii: "z")).contains($0)
                                 || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) || $0 == UInt8(ascii: "-") })
        else { throw InvalidName(name: name) }
        self.name = name
    }

    public struct InvalidName: Error, CustomStringConvertible {
        public let name: String
        public var description: String {
            "subscriber name \"\(name)\": lowercase letters, digits and hyphens, starting with a letter, at most 40 (e.g. housing-fund)"
        }
    }

    /// What every subscriber's broker user (and queue) is named with.
    public static let userPrefix = "subscriber."

    /// Its broker user and its quorum queue.
    public var queue: String { Self.userPrefix + name }
    /// Where its queue dead-letters a message it rejects or that failed too often.
    public var deadLetterQueue: String { Topology.deadLetterQueue(forQueue: queue) }
    /// The routing key on `Topology.deadLetterExchange` that puts a dead letter back on its queue.
    public var replayRoutingKey: String { Topology.replayRoutingKey(forQueue: queue) }

    public var description: String { queue }
}
