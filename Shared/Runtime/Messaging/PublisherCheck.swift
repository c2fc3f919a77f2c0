import HoushiContract
import HoushiMessaging

/// Who may send a consumer a message: the type's owner (`Topology.mayBePublished`: the catalog's
/// producer, intake for the public facts, any subscriber for a subscriber's outcome), named by
/// the AMQP `user_id` the broker validated against the publishing connection; or the consumer
/// itself, replaying one of its own dead letters through its replay routing key. A replay is
/// judged by who published the message first, as its dead letter recorded
/// (`DeadLetter.originalUserIdHeader`): only the consumer's own user can reach its replay key, so
/// that header was written by the consumer when it dead-lettered the message.
public enum PublisherCheck {
    /// Whether a consumer handles a message, and as whose.
    public enum Verdict: Sendable, Equatable {
        /// It may be handled; `publisher` is the broker user it comes from (for a replay, the
        /// original publisher's, when the dead letter recorded it).
        case accepted(publisher: String)
        /// It must not be handled, for this reason.
        case refused(String)
    }

    /// The verdict on a message of `type` that broker user `publisher` sent with `routingKey` to
    /// `consumer`; `originalPublisher` is the user a replayed dead letter first came from.
    public static func verdict(on type: MessageType, publishedBy publisher: String?, routingKey: String,
                               originalPublisher: String?, consumer: ServiceIdentity) -> Verdict {
        let owner = Topology.publisher(of: type)
        guard var publisher else {
            return .refused("\(type.routingKey) carries no user_id; only \(owner) may publish it")
        }
        if publisher == consumer.brokerUser && routingKey == consumer.replayRoutingKey {
            // A dead letter kept from before the header existed is trusted as its replayer's.
            guard let originalPublisher else { return .accepted(publisher: publisher) }
            publisher = originalPublisher
        }
        if Topology.mayBePublished(type, by: publisher) { return .accepted(publisher: publisher) }
        return .refused("\(type.routingKey) was published by \(publisher); only \(owner) may publish it")
    }

    /// The verdict on `delivery`, holding a message of `type`, for `consumer`.
    static func verdict(on type: MessageType, in delivery: Delivery, consumer: ServiceIdentity) -> Verdict {
        verdict(on: type, publishedBy: delivery.properties.userId, routingKey: delivery.routingKey,
                originalPublisher: delivery.properties.headers[DeadLetter.originalUserIdHeader]?.description,
                consumer: consumer)
    }
}
