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
                                       consumer: .socialSecurity) == expected)
    }
}
