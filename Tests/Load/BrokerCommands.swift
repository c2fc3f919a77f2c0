import ArgumentParser
import Foundation
import HoushiContract
import HoushiMessaging
import HoushiRuntime
import NIOPosix

/// The broker administrator's URL (default: HOUSHI_AMQP_ADMIN_URL).
struct BrokerEndpoint: ParsableArguments {
    @Option(help: "The broker administrator's AMQP URL, or a comma-separated list of a cluster's nodes (default: HOUSHI_AMQP_ADMIN_URL).")
    var amqpURL: String?

    /// Runs `body` on NIO's blocking-work pool with a confirm-mode connection as the
    /// administrator. (Not a thread of its own: a detached thread still ending when this short
    /// command exits can crash in the exit's teardown, and once did, ending the command with 139.)
    func withConnection<T: Sendable>(_ body: @escaping @Sendable (AMQPConnection) throws -> T) async throws -> T {
        guard let text = amqpURL ?? ProcessInfo.processInfo.environment["HOUSHI_AMQP_ADMIN_URL"], let broker = BrokerAddresses(text) else {
            throw ValidationError("give --amqp-url or set HOUSHI_AMQP_ADMIN_URL to an AMQP URL or a list of them")
        }
        return try await NIOThreadPool.singleton.runIfActive {
            let connection = try broker.connect(name: "houshi-load")
            defer { connection.close() }
            try connection.enableConfirms()
            return try body(connection)
        }
    }
}

/// `houshi-load poison`: three messages no service can handle, put straight onto every service's
/// queue: bytes that are not JSON, an envelope of an unknown type, and a known type in a version
/// nobody speaks. Each must end in the queue's dead-letter queue with its reason.
struct PoisonCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "poison",
                                                    abstract: "Put undeliverable messages on every service's queue.")

    @OptionGroup var broker: BrokerEndpoint

    /// The poisoned messages for `department`'s queue.
    static func messages(for department: Department) -> [Data] {
        let known = Topology.subscriptions(of: department)[0]
        func envelope(type: String, version: Int) -> Data {
            let fields: [String: Any] = [
                "id": UUID().lowercased, "type": type, "version": version,
                "caseId": UUID().lowercased, "occurredAt": Timestamp.now().rfc3339,
                "producer": Department.intake.rawValue, "payload": [String: Any](),
            ]
            return try! JSONSerialization.data(withJSONObject: fields)
        }
        return [Data("{\"id\": poisoned on purpose".utf8), envelope(type: "chaos.poisoned", version: 1),
                envelope(type: known.name, version: known.version + 98)]
    }

    func run() async throws {
        let published = try await broker.withConnection { amqp in
            var count = 0
            for department in Department.allCases {
                for body in Self.messages(for: department) {
                    try amqp.publish(exchange: "", routingKey: Topology.queue(of: department), body: body,
                                     properties: MessageProperties(contentType: "application/json",
                                                                   messageId: UUID().lowercased))
                    count += 1
                }
            }
            guard try amqp.waitForConfirms().isEmpty else { throw AMQPError("the broker refused a poisoned message") }
            return count
        }
        print("\(published) poisoned messages published, \(published / Department.allCases.count) to each service queue")
    }
}

/// `houshi-load publish-rate`: the broker's raw rate of persistent, confirmed publishes to a
/// quorum queue (like the services' own queues), in batches confirmed together as the outbox
/// publisher does: the yardstick the end-to-end figures are read against.
struct PublishRateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "publish-rate",
                                                    abstract: "Measure confirmed publishes per second.")

    @OptionGroup var broker: BrokerEndpoint
    @Option(help: "How many messages.") var messages = 20_000
    @Option(help: "Message size in bytes.") var size = 1_024
    @Option(help: "Publishes per confirm wait.") var batch = 100
    @Option(help: "Also write the figures as JSON to this file.") var json: String?

    func run() async throws {
        let (messages, size, batch) = (messages, max(1, size), max(1, batch))
        let queue = "houshi-load.publish-rate"
        let seconds = try await broker.withConnection { amqp in
            try amqp.declareQueue(queue, arguments: ["x-queue-type": .string("quorum")])
            defer { _ = try? amqp.deleteQueue(queue) }
            let body = Data(repeating: UInt8(ascii: "x"), count: size)
            let start = ContinuousClock.now
            var sent = 0
            while sent < messages {
                for _ in 0..<min(batch, messages - sent) {
                    try amqp.publish(exchange: "", routingKey: queue, body: body, properties: MessageProperties())
                    sent += 1
                }
                guard try amqp.waitForConfirms().isEmpty else { throw AMQPError("the broker refused a message") }
            }
            return (ContinuousClock.now - start).seconds
        }
        let rate = Double(messages) / seconds
        print(String(format: "publish-rate %d confirmed publishes of %d bytes (batches of %d) in %.2f s: %.0f messages/s",
                     messages, size, batch, seconds, rate))
        try writeFigures(["messages": messages, "bytes": size, "batch": batch, "seconds": seconds,
                          "messagesPerSecond": rate], to: json)
    }
}
