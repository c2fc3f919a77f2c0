import Foundation
import HoushiContract
import HoushiRuntime
import Testing

/// A consumer waits `HOUSHI_CONSUMER_LINGER_MS` after a delivery for more to handle in the same
/// transaction: at a steady trickle of messages that is what keeps transactions (and their
/// commits, confirms and acknowledgements) fewer than messages.
@Suite(.serialized)
final class ConsumerLingerTests {
    @Test("deliveries arriving within the linger are handled in one transaction, a later one in its own")
    func deliveriesWithinTheLingerShareATransaction() async throws {
        let houshi = try await Houshi.start(overrides: [
            .publicSecurity: ["HOUSHI_CONSUMERS": "1", "HOUSHI_CONSUMER_LINGER_MS": "1000"],
        ])
        let fixture = try Data(contentsOf: TestEnvironment.repository
            .appendingPathComponent("Tests/ContractTests/Fixtures/hukou.cancellation-requested.v1.json"))
        let template = try MessageCodec().decode(fixture, as: HukouCancellationRequested.self)
        func publishFreshRequest() async throws -> String {
            var envelope = template
            envelope.id = UUID()
            envelope.caseId = UUID()
            try await houshi.infrastructure.publish(routingKey: envelope.messageType.routingKey,
                                                    body: try MessageCodec().encode(envelope))
            return envelope.id.lowercased
        }
        func transactions(of messageIds: [String]) async throws -> Int {
            try await houshi.infrastructure.count(
                "SELECT count(DISTINCT xmin::text) AS count FROM public_security.inbox WHERE message_id = ANY($1::uuid[])",
                ["{" + messageIds.joined(separator: ",") + "}"])
        }

        let first = try await publishFreshRequest()
        try await Task.sleep(for: .milliseconds(150))
        let second = try await publishFreshRequest()
        try await houshi.waitUntilHandled(messageId: second, by: .publicSecurity)
        let third = try await publishFreshRequest()
        try await houshi.waitUntilHandled(messageId: third, by: .publicSecurity)

        #expect(try await transactions(of: [first, second]) == 1)
        #expect(try await transactions(of: [first, second, third]) == 2)
    }
}
