import ArgumentParser
import Foundation
import HoushiContract
import HoushiMessaging
import HoushiRuntime

/// `intake subscribers definitions|declare|delete NAME`: a subscriber's broker user as
/// definitions for `rabbitmqctl import_definitions`, and its queues on the broker, with
/// HOUSHI_AMQP_URL's (administrator's) rights. `deploy/local/subscribers` (or
/// `deploy/compose/subscribers`) runs these and imports the definitions.
struct SubscribersCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "subscribers",
        abstract: "A subscriber of the public facts (数据共享): its broker user's definitions, its queues (as the broker administrator).",
        subcommands: [Definitions.self, Declare.self, Delete.self])

    struct Definitions: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print the broker definitions (user, permissions, topic permissions) of the subscriber's user, for rabbitmqctl import_definitions; the password is read from the first line of standard input.")

        @Argument(help: "The subscriber's name.") var name: String

        func validate() throws { _ = try subscriber(name) }

        func run() async throws {
            let subscriber = try subscriber(name)
            guard let password = readLine(strippingNewline: true), password.count >= 16 else {
                throw ValidationError("the password (one line on standard input, 16 characters or more) is missing (缺少密码)")
            }
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
            print(String(decoding: try encoder.encode(BrokerDefinitions(subscriber, password: password)), as: UTF8.self))
        }
    }

    struct Declare: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Declare the subscriber's quorum queue, bound to every public fact type, and its dead-letter queue (idempotent).")

        @Argument(help: "The subscriber's name, e.g. housing-fund.") var name: String

        func validate() throws { _ = try subscriber(name) }

        func run() async throws {
            let subscriber = try subscriber(name)
            try await SubscribersCommand.onBroker { amqp in try BrokerTopology.declareQueues(of: subscriber, on: amqp) }
            print("declared \(subscriber.queue) (bound to \(PublicFacts.types.map(\.routingKey).joined(separator: ", ")) on",
                  "\(PublicFacts.exchange)) and \(subscriber.deadLetterQueue)")
        }
    }

    struct Delete: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Delete the subscriber's queues, with the facts they still hold.")

        @Argument(help: "The subscriber's name.") var name: String

        func validate() throws { _ = try subscriber(name) }

        func run() async throws {
            let subscriber = try subscriber(name)
            let dropped = try await SubscribersCommand.onBroker { amqp in try BrokerTopology.deleteQueues(of: subscriber, on: amqp) }
            print("deleted \(subscriber.queue) (\(dropped.queue) messages) and \(subscriber.deadLetterQueue) (\(dropped.deadLetters))")
        }
    }

    /// Runs `work` on a broker connection of its own, off the cooperative threads.
    static func onBroker<T: Sendable>(_ work: @escaping @Sendable (AMQPConnection) throws -> T) async throws -> T {
        let broker = try ServiceConfiguration(department: .intake).broker
        let outcome: Result<T, any Error> = await onDedicatedThread(name: "subscribers") {
            Result {
                let amqp = try broker.connect(name: "houshi subscribers")
                defer { amqp.close() }
                return try work(amqp)
            }
        }
        return try outcome.get()
    }
}

/// RabbitMQ definitions of one subscriber's user (`rabbitmqctl import_definitions` adds them to
/// what the broker has), from `Topology`'s permissions of a subscriber.
private struct BrokerDefinitions: Encodable {
    struct User: Encodable {
        let name: String
        let password: String
        let tags: [String]
    }

    struct Permission: Encodable {
        let user: String
        let vhost: String
        let configure: String
        let write: String
        let read: String
    }

    struct TopicPermission: Encodable {
        let user: String
        let vhost: String
        let exchange: String
        let write: String
        let read: String
    }

    let users: [User]
    let permissions: [Permission]
    let topicPermissions: [TopicPermission]

    private enum CodingKeys: String, CodingKey {
        case users, permissions
        case topicPermissions = "topic_permissions"
    }

    init(_ subscriber: Subscriber, password: String) {
        let user = subscriber.queue
        let access = Topology.permissions(of: subscriber)
        users = [User(name: user, password: password, tags: [])]
        permissions = [Permission(user: user, vhost: "/", configure: access.configure, write: access.write, read: access.read)]
        topicPermissions = Topology.topicPermissions(of: subscriber).map {
            TopicPermission(user: user, vhost: "/", exchange: $0.exchange, write: $0.write, read: $0.read)
        }
    }
}

/// The subscriber named `name`, or a usage error saying what a name may be.
private func subscriber(_ name: String) throws -> Subscriber {
    do {
        return try Subscriber(name)
    } catch {
        throw ValidationError("\(error) (订阅方名称只能含小写字母、数字和-，以字母开头)")
    }
}
