import HoushiContract
import HoushiMessaging

/// Who may send a consumer a message: the type's owner (`Topology.mayBePublished`: the catalog's
/// producer, intake for the public facts, any subscriber for a subscriber's outcome), named by
/// the AMQP `user_id` the broker validated against the publishing connection; or the consumer
/// itself, replaying one of its own dead letters through its replay routing key.
public enum PublisherCheck {
    /// Why a message of `type` that broker user `publisher` sent with `routingKey` must not be
    /// handled by `consumer`; nil when its publisher may send it.
    public static func refusal(of type: MessageType, publishedBy publisher: String?, routingKey: String,
                               consumer: ServiceIdentity) -> String? {
        let owner = Topology.publisher(of: type)
        guard let publisher else {
            return "\(type.routingKey) carries no user_id; only \(owner) may publish it"
        }
        if Topology.mayBePublished(type, by: publisher) { return nil }
        if publisher == consumer.brokerUser && routingKey == consumer.replayRoutingKey { return nil }
        return "\(type.routingKey) was published by \(publisher); only \(owner) may publish it"
    }

    /// Why `delivery`, holding a message of `type`, must not be handled by `consumer`.
    static func refusal(of type: MessageType, in delivery: Delivery, consumer: ServiceIdentity) -> String? {
        refusal(of: type, publishedBy: delivery.properties.userId, routingKey: delivery.routingKey, consumer: consumer)
    }
}
