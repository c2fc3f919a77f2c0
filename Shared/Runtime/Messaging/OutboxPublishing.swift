import FoundationEssentials
import HoushiContract
import HoushiMessaging
import HoushiStorage

extension AMQPConnection {
    /// Publishes outbox messages on a channel with confirms enabled and waits for the broker's
    /// answers; returns the positions in `messages` of those it confirmed, in order.
    func publishConfirmed(_ messages: [OutboxMessage], appId: String) throws -> [Int] {
        let tags = try messages.map { message in
            try publish(exchange: message.exchange, routingKey: message.routingKey, body: message.body,
                        properties: message.properties(appId: appId))
        }
        let refused = try waitForConfirms()
        return tags.indices.filter { !refused.contains(tags[$0]) }
    }
}

extension OutboxMessage {
    /// The AMQP properties it is published with.
    func properties(appId: String) -> MessageProperties {
        MessageProperties(
            contentType: "application/json", messageId: messageId.lowercased, correlationId: caseId?.lowercased,
            type: routingKey, appId: appId, timestamp: Date(), persistent: true,
            headers: headers.mapValues { .string($0) })
    }
}
