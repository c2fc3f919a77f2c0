import FoundationEssentials

/// The nodes of one broker, a cluster's members or a single node: `HOUSHI_AMQP_URL` as one
/// AMQP URL or several separated by commas (a comma inside a password is written `%2C`). Every
/// node is reached as the same user on the same vhost: they are one broker.
public struct BrokerAddresses: Sendable, Equatable, CustomStringConvertible {
    /// The nodes in the order given; never empty.
    public let nodes: [AMQPURL]

    public init?(_ text: String) {
        var nodes: [AMQPURL] = []
        for var part in text.split(separator: ",", omittingEmptySubsequences: false) {
            while part.first?.isWhitespace == true { part.removeFirst() }
            while part.last?.isWhitespace == true { part.removeLast() }
            guard let url = AMQPURL(String(part)) else { return nil }
            nodes.append(url)
        }
        self.init(nodes: nodes)
    }

    /// Nil when `nodes` is empty or its nodes differ in user, password or vhost.
    public init?(nodes: [AMQPURL]) {
        guard let first = nodes.first,
              nodes.allSatisfy({ $0.user == first.user && $0.password == first.password && $0.vhost == first.vhost })
        else { return nil }
        self.nodes = nodes
    }

    /// The user every node is reached as: the `user_id` the service's messages carry.
    public var user: String { nodes[0].user }

    /// The nodes to try, beginning at `first` (modulo their count) and going round once.
    public func attemptOrder(startingAt first: Int) -> [AMQPURL] {
        let start = ((first % nodes.count) + nodes.count) % nodes.count
        return Array(nodes[start...] + nodes[..<start])
    }

    /// Connects to the first node that answers in `attemptOrder(startingAt:)`; by default it
    /// begins at a random node, so that a service's connections and replicas spread over the
    /// cluster. Throws a `BrokerUnreachable` naming each node's failure when none answers.
    public func connect(name: String, heartbeat: Int = 30, timeout: Duration = .seconds(10),
                        startingAt first: Int = Int.random(in: 0..<Int.max)) throws -> AMQPConnection {
        try firstAnswering(startingAt: first) { url in
            try AMQPConnection(url: url, name: name, heartbeat: heartbeat, timeout: timeout)
        }
    }

    /// `open` applied to each node in `attemptOrder(startingAt:)` until one succeeds.
    public func firstAnswering<Connection>(startingAt first: Int,
                                           _ open: (AMQPURL) throws -> Connection) throws -> Connection {
        var failures: [String] = []
        for url in attemptOrder(startingAt: first) {
            do {
                return try open(url)
            } catch {
                failures.append("\(error)")
            }
        }
        throw BrokerUnreachable(failures: failures)
    }

    /// The nodes without their passwords, for logs.
    public var description: String { nodes.map(\.description).joined(separator: ",") }
}

/// No node of the broker answered; one failure per node, in the order they were tried.
public struct BrokerUnreachable: Error, CustomStringConvertible {
    public let failures: [String]

    public var description: String {
        failures.count == 1 ? failures[0] : "no broker node answered: " + failures.joined(separator: "; ")
    }
}
