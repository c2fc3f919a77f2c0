import Foundation
import HoushiContract
import HoushiMessaging
import HoushiRuntime
import Testing

/// Poisoned messages put straight on every service's queue (default exchange, routing key = the
/// queue) end in that service's dead-letter queue with their reason, and the consumer goes on.
@Suite(.serialized)
final class PoisonMessageTests {
    let houshi: Houshi

    init() async throws {
        houshi = try await Houshi.start()
    }

    @Test("malformed bytes, an unknown type and a known type of an unknown version are dead-lettered with their reason")
    func poisonedMessagesAreDeadLettered() async throws {
        for department in Department.allCases { _ = try await houshi.infrastructure.drain(queue: Topology.deadLetterQueue(of: department)) }
        let caseId = try await houshi.postFreshNotice()
        var poisons: [Department: [Poison]] = [:]
        for department in Department.allCases {
            let known = try #require(Topology.subscriptions(of: department).first)
            poisons[department] = [
                Poison(body: Data([0xFF, 0xFE, 0x00, 0x7B, 0x22]), reason: "undecodable envelope"),
                Poison(body: try envelope(known, caseId: caseId) { $0["type"] = "funeral.fireworks-requested" },
                       reason: "\(department.rawValue) has no handler for funeral.fireworks-requested.v1"),
                Poison(body: try envelope(known, caseId: caseId) { $0["version"] = 2 },
                       reason: "\(department.rawValue) has no handler for \(known.name).v2"),
            ]
            for poison in poisons[department] ?? [] { try await publish(poison.body, id: poison.id, to: department) }
        }

        for department in Department.allCases {
            let expected = poisons[department] ?? []
            // Only this test's letters: another test's message for a case this one never saw can
            // reach the queue late (e.g. an outcome published straight to intake).
            let letters = try await houshi.deadLetters(of: department, ids: Set(expected.map(\.id)))
            #expect(letters.count == expected.count, "\(department.rawValue): \(letters.count) of this test's dead letters")
            for poison in expected {
                let letter = letters.first { $0.properties.headers[DeadLetter.originalMessageIdHeader] == .string(poison.id) }
                let reason = letter?.properties.headers[DeadLetter.reasonHeader]?.description ?? "no dead letter"
                #expect(reason.hasPrefix(poison.reason), "\(department.rawValue): \(reason)")
                #expect(letter?.body == poison.body)
                #expect(letter?.properties.headers[DeadLetter.originalRoutingKeyHeader] == .string(Topology.queue(of: department)))
            }
        }

        // Each consumer goes on: a valid message of the case, published by its type's owner, is handled.
        for department in Department.allCases {
            let known = try #require(Topology.subscriptions(of: department).first)
            let valid = try envelope(known, caseId: caseId) { _ in }
            let id = try #require((try JSONSerialization.jsonObject(with: valid) as? [String: Any])?["id"] as? String)
            try await houshi.infrastructure.publish(routingKey: known.routingKey, body: valid,
                                                    properties: MessageProperties(contentType: "application/json", messageId: id))
            try await houshi.waitUntilHandled(messageId: id, by: department)
        }
    }

    /// A golden fixture of `type` as a new message of the case, changed by `edit`.
    private func envelope(_ type: MessageType, caseId: UUID, _ edit: (inout [String: Any]) -> Void) throws -> Data {
        var envelope = try JSONSerialization.jsonObject(with: try houshi.fixture(type.routingKey, caseId: caseId)) as! [String: Any]
        edit(&envelope)
        return try JSONSerialization.data(withJSONObject: envelope)
    }

    /// Puts a message on the service's queue through the default exchange.
    private func publish(_ body: Data, id: String, to department: Department) async throws {
        try await houshi.infrastructure.publish(exchange: "", routingKey: Topology.queue(of: department), body: body,
                                                properties: MessageProperties(contentType: "application/json", messageId: id))
    }
}

/// A message no handler can take, and the start of the reason it must be dead-lettered with.
private struct Poison {
    let id = UUID().lowercased
    let body: Data
    let reason: String
}
