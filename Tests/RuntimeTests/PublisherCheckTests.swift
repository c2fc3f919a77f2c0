import HoushiContract
import HoushiRuntime
import Testing

/// A consumer handles a message only when the broker user that published it owns its type, or
/// is the consumer itself replaying a dead letter through its own replay key; a replay is judged
/// as, and handled as from, the user its dead letter says first published it.
@Suite struct PublisherCheckTests {
    @Test("who may send what", arguments: [
        ("public-security", "hukou.cancelled.v1", nil, .accepted(publisher: "public-security")),
        ("civil-affairs", "hukou.cancelled.v1", nil,
         .refused("hukou.cancelled.v1 was published by civil-affairs; only public-security may publish it")),
        ("houshi-admin", "hukou.cancelled.v1", nil,
         .refused("hukou.cancelled.v1 was published by houshi-admin; only public-security may publish it")),
        (nil, "hukou.cancelled.v1", nil,
         .refused("hukou.cancelled.v1 carries no user_id; only public-security may publish it")),
        ("social-security", "social-security.replay", "public-security", .accepted(publisher: "public-security")),
        ("social-security", "social-security.replay", nil, .accepted(publisher: "social-security")),
        ("social-security", "social-security.replay", "civil-affairs",
         .refused("hukou.cancelled.v1 was published by civil-affairs; only public-security may publish it")),
        ("social-security", "civil-affairs.replay", "public-security",
         .refused("hukou.cancelled.v1 was published by social-security; only public-security may publish it")),
        ("public-security", "hukou.cancelled.v1", "civil-affairs", .accepted(publisher: "public-security")),
    ] as [(String?, String, String?, PublisherCheck.Verdict)])
    func verdict(publisher: String?, routingKey: String, original: String?, expected: PublisherCheck.Verdict) {
        #expect(PublisherCheck.verdict(on: .hukouCancelled, publishedBy: publisher, routingKey: routingKey,
                                       originalPublisher: original, consumer: Department.socialSecurity.identity) == expected)
    }

    @Test("public facts only from intake, an outcome from any subscriber, a replay as its first publisher's", arguments: [
        ("death.recorded.v1", "intake", "death.recorded.v1", nil, .accepted(publisher: "intake")),
        ("death.recorded.v1", "subscriber.dibao", "death.recorded.v1", nil,
         .refused("death.recorded.v1 was published by subscriber.dibao; only intake may publish it")),
        ("death.recorded.v1", "subscriber.housing-fund", "subscriber.housing-fund.replay", "intake",
         .accepted(publisher: "intake")),
        ("death.recorded.v1", "subscriber.dibao", "subscriber.housing-fund.replay", "intake",
         .refused("death.recorded.v1 was published by subscriber.dibao; only intake may publish it")),
        ("subscriber.outcome.v1", "subscriber.dibao", "subscriber.outcome.v1", nil, .accepted(publisher: "subscriber.dibao")),
        ("subscriber.outcome.v1", "intake", "intake.replay", "subscriber.dibao", .accepted(publisher: "subscriber.dibao")),
        ("subscriber.outcome.v1", "public-security", "subscriber.outcome.v1", nil,
         .refused("subscriber.outcome.v1 was published by public-security; only a subscriber (subscriber.<name>) may publish it")),
        ("subscriber.outcome.v1", nil, "subscriber.outcome.v1", nil,
         .refused("subscriber.outcome.v1 carries no user_id; only a subscriber (subscriber.<name>) may publish it")),
    ] as [(String, String?, String, String?, PublisherCheck.Verdict)])
    func publicVerdict(type: String, publisher: String?, routingKey: String, original: String?,
                       expected: PublisherCheck.Verdict) throws {
        let housingFund = ServiceIdentity(try Subscriber("housing-fund"))
        let consumer = type == "subscriber.outcome.v1" ? Department.intake.identity : housingFund
        #expect(PublisherCheck.verdict(on: try #require(MessageType(routingKey: type)), publishedBy: publisher,
                                       routingKey: routingKey, originalPublisher: original, consumer: consumer) == expected)
    }
}
