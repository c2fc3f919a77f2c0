import FoundationEssentials
import HoushiContract
import HoushiMessaging
import HoushiStorage

extension AMQPConnection {
    /// Publishes outbox messages on a channel with confirms enabled and waits for the broker's
    /// answers; returns the positions in `messages` of those it confirmed, in order. Each carries
    /// the connection's user as `user_id`, which the broker checks and consumers trust.
    func publishConfirmed(_ messages: [OutboxMessage], appId: String) throws -> [Int] {
        let tags = try messages.map { message in
            try publish(exchange: message.exchange, routingKey: message.routingKey, body: message.body,
                        properties: message.properties(appId: appId, userId: user))
        }
        let refused = try waitForConfirms()
        return tags.indices.filter { !refused.contains(tags[$0]) }
    }
}

extension OutboxMessage {
    /// Whether the broker lets `identity`'s user publish it (`ServiceIdentity.mayPublish`).
    func isPublishable(by identity: ServiceIdentity) -> Bool {
        identity.mayPublish(exchange: exchange, routingKey: routingKey)
    }

    /// Why `identity`'s user cannot publish it.
    func refusal(for identity: ServiceIdentity) -> String {
        "\(identity.brokerUser) may not publish \(routingKey) on \(exchange)"
    }

    /// The AMQP properties it is published with.
    func properties(appId: String, userId: String) -> MessageProperties {
        MessageProperties(
            contentType: "application/json", messageId: messageId.lowercased, correlationId: caseId?.lowercased,
            type: routingKey, appId: appId, userId: userId, timestamp: Date(), persistent: true,
            headers: headers.mapValues { .string($0) })
    }
}
