import ArgumentParser
import FoundationEssentials
import HoushiContract
import HoushiMessaging

/// `SERVICE dead-letters list|show|replay`: the operator's view of the service's dead-letter
/// queue. Listing and showing leave every message where it is; replay puts the chosen ones back
/// on the service's own queue (safe: handlers are idempotent) and removes them from the
/// dead-letter queue only once the broker has confirmed the copy.
public struct DeadLettersCommand<S: ServiceDefinition>: AsyncParsableCommand {
    public static var configuration: CommandConfiguration {
        CommandConfiguration(commandName: "dead-letters", abstract: "List, show and replay the service's dead letters.",
                             subcommands: [List.self, Show.self, Replay.self])
    }

    public init() {}

    public struct List: AsyncParsableCommand {
        public static var configuration: CommandConfiguration {
            CommandConfiguration(abstract: "How many dead letters wait, then one line each: position, message id, routing key, when, why.")
        }

        public init() {}

        public func run() async throws {
            let letters = try await DeadLetterQueue<S>.browse()
            let queue = S.identity.deadLetterQueue
            print("\(letters.count) dead letter\(letters.count == 1 ? "" : "s") in \(queue)")
            guard !letters.isEmpty else { return }
            print("#\tmessage id\trouting key\tdead-lettered at\treason")
            for (position, letter) in letters.enumerated() {
                print("\(position + 1)\t\(letter.messageId)\t\(letter.header(DeadLetter.originalRoutingKeyHeader))\t"
                      + "\(letter.header(DeadLetter.deadLetteredAtHeader))\t\(letter.header(DeadLetter.reasonHeader))")
            }
        }
    }

    public struct Show: AsyncParsableCommand {
        public static var configuration: CommandConfiguration {
            CommandConfiguration(abstract: "A dead letter's headers and body, by position or message id.")
        }

        @Argument(help: "The position `list` printed, or the message id.") var which: String

        public init() {}

        public func run() async throws {
            let letters = try await DeadLetterQueue<S>.browse()
            guard let letter = DeadLetterQueue<S>.pick(which, from: letters) else {
                throw ValidationError("no dead letter \(which)")
            }
            for (name, value) in letter.properties.headers.sorted(by: { $0.key < $1.key }) { print("\(name): \(value)") }
            print()
            print(String(decoding: letter.body, as: UTF8.self))
        }
    }

    public struct Replay: AsyncParsableCommand {
        public static var configuration: CommandConfiguration {
            CommandConfiguration(abstract: "Put dead letters back on the service's queue: all of them, or one.")
        }

        @Argument(help: "The position `list` printed, or the message id; omit with --all.") var which: String?
        @Flag(help: "Replay every dead letter.") var all = false

        public init() {}

        public func validate() throws {
            guard all != (which != nil) else { throw ValidationError("name one dead letter, or give --all") }
        }

        public func run() async throws {
            let (which, all) = (which, all)
            let replayed = try await DeadLetterQueue<S>.replay { letters in
                all ? Set(letters.indices) : Set(which.flatMap { DeadLetterQueue<S>.index(of: $0, in: letters) }.map { [$0] } ?? [])
            }
            print("\(replayed) dead letters replayed to \(S.identity.queue)")
        }
    }
}

/// The broker side of the dead-letter commands, on dedicated threads.
enum DeadLetterQueue<S: ServiceDefinition> {
    /// Every message in the queue, left in place (they are returned when the connection closes).
    static func browse() async throws -> [Delivery] {
        try await withConnections { consumer, _ in try takeAll(from: consumer) }
    }

    /// Republishes the chosen messages to the service's queue, confirmed, then acknowledges them;
    /// the rest go back to the dead-letter queue. Returns how many were replayed.
    static func replay(choose: @escaping @Sendable ([Delivery]) -> Set<Int>) async throws -> Int {
        try await withConnections { consumer, publisher in
            let letters = try takeAll(from: consumer)
            let chosen = choose(letters)
            guard !chosen.isEmpty else { return 0 }
            for index in chosen.sorted() {
                let properties = replayProperties(of: letters[index], by: publisher.user)
                try publisher.publish(exchange: Topology.deadLetterExchange, routingKey: S.identity.replayRoutingKey,
                                      body: letters[index].body, properties: properties)
            }
            guard try publisher.waitForConfirms().isEmpty else { throw AMQPError("the broker refused a replayed message") }
            for index in chosen { try consumer.ack(letters[index].deliveryTag) }
            return chosen.count
        }
    }

    /// A dead letter's properties as replayed by broker user `user`: the original message id and
    /// type back in place (the dead letter itself went out under an id of its own), its headers
    /// kept and the time of the replay added. The routing key stays the replay's, which reaches
    /// only this service's queue; the consumer finds the handler from the envelope, and accepts
    /// the service's own user as the publisher only on that routing key.
    static func replayProperties(of letter: Delivery, by user: String) -> MessageProperties {
        var properties = letter.properties
        properties.userId = user
        properties.messageId = letter.properties.headers[DeadLetter.originalMessageIdHeader]?.description ?? properties.messageId
        properties.type = letter.properties.headers[DeadLetter.originalRoutingKeyHeader]?.description ?? properties.type
        properties.headers["x-houshi-replayed-at"] = .string(Timestamp.now().rfc3339)
        return properties
    }

    static func pick(_ which: String, from letters: [Delivery]) -> Delivery? {
        index(of: which, in: letters).map { letters[$0] }
    }

    static func index(of which: String, in letters: [Delivery]) -> Int? {
        if let position = Int(which), letters.indices.contains(position - 1) { return position - 1 }
        return letters.firstIndex { $0.messageId == which.lowercased() }
    }

    private static func takeAll(from consumer: AMQPConnection) throws -> [Delivery] {
        var letters: [Delivery] = []
        while let letter = try consumer.get(queue: S.identity.deadLetterQueue, acknowledge: false) {
            letters.append(letter)
        }
        return letters
    }

    /// Runs `body` with a consuming and a confirming connection as the service's own broker user.
    private static func withConnections<T: Sendable>(
        _ body: @escaping @Sendable (AMQPConnection, AMQPConnection) throws -> T
    ) async throws -> T {
        let broker = try ServiceConfiguration(identity: S.identity).broker
        return try await onDedicatedThread(name: "dead-letters") {
            Result {
                let consumer = try broker.connect(name: "\(S.identity.name) dead-letters")
                defer { consumer.close() }
                let publisher = try broker.connect(name: "\(S.identity.name) dead-letters replay")
                defer { publisher.close() }
                try publisher.enableConfirms()
                return try body(consumer, publisher)
            }
        }.get()
    }
}

extension Delivery {
    /// The dead letter's own message id (the original's, kept in a header), lowercase.
    var messageId: String {
        (properties.headers[DeadLetter.originalMessageIdHeader]?.description ?? properties.messageId ?? "-").lowercased()
    }

    func header(_ name: String) -> String { properties.headers[name]?.description ?? "-" }
}
