import HoushiContract
import HoushiRuntime
import Testing

/// A consumer handles a message only when the broker user that published it owns its type, or
/// is the consumer itself replaying a dead letter through its own replay key.
@Suite struct PublisherCheckTests {
    @Test("who may send what", arguments: [
        ("public-security", "hukou.cancelled.v1", nil),
        ("civil-affairs", "hukou.cancelled.v1", "hukou.cancelled.v1 was published by civil-affairs; only public-security may publish it"),
        ("houshi-admin", "hukou.cancelled.v1", "hukou.cancelled.v1 was published by houshi-admin; only public-security may publish it"),
        (nil, "hukou.cancelled.v1", "hukou.cancelled.v1 carries no user_id; only public-security may publish it"),
        ("social-security", "social-security.replay", nil),
        ("social-security", "civil-affairs.replay", "hukou.cancelled.v1 was published by social-security; only public-security may publish it"),
    ] as [(String?, String, String?)])
    func refusal(publisher: String?, routingKey: String, expected: String?) {
        #expect(PublisherCheck.refusal(of: .hukouCancelled, publishedBy: publisher, routingKey: routingKey,
                                       consumer: Department.socialSecurity.identity) == expected)
    }

    @Test("public facts only from intake, an outcome from any subscriber, a subscriber's replay from itself", arguments: [
        ("death.recorded.v1", "intake", "death.recorded.v1", nil),
        ("death.recorded.v1", "subscriber.dibao", "death.recorded.v1",
         "death.recorded.v1 was published by subscriber.dibao; only intake may publish it"),
        ("death.recorded.v1", "subscriber.housing-fund", "subscriber.housing-fund.replay", nil),
        ("death.recorded.v1", "subscriber.dibao", "subscriber.housing-fund.replay",
         "death.recorded.v1 was published by subscriber.dibao; only intake may publish it"),
        ("subscriber.outcome.v1", "subscriber.dibao", "subscriber.outcome.v1", nil),
        ("subscriber.outcome.v1", "public-security", "subscriber.outcome.v1",
         "subscriber.outcome.v1 was published by public-security; only a subscriber (subscriber.<name>) may publish it"),
        ("subscriber.outcome.v1", nil, "subscriber.outcome.v1",
         "subscriber.outcome.v1 carries no user_id; only a subscriber (subscriber.<name>) may publish it"),
    ] as [(String, String?, String, String?)])
    func publicRefusal(type: String, publisher: String?, routingKey: String, expected: String?) throws {
        let housingFund = ServiceIdentity(try Subscriber("housing-fund"))
        let consumer = type == "subscriber.outcome.v1" ? Department.intake.identity : housingFund
        #expect(PublisherCheck.refusal(of: try #require(MessageType(routingKey: type)), publishedBy: publisher,
                                       routingKey: routingKey, consumer: consumer) == expected)
    }
}
