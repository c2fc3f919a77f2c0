import Foundation
import HoushiContract
import Testing

/// The broker's topic permissions that provisioning loads must be the contract's: each service
/// publishes only the types it owns, binds only to its subscriptions, and on the dead-letter
/// exchange uses only its own names.
@Suite struct TopicPermissionTests {
    static let file = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("../../deploy/broker/topic-permissions.json").standardized

    /// The file's content as the contract makes it.
    static var expected: [[String: String]] {
        Department.allCases.flatMap { department in
            Topology.topicPermissions(of: department).map { permission in
                ["user": department.rawValue, "vhost": "/", "exchange": permission.exchange,
                 "write": permission.write, "read": permission.read]
            }
        }
    }

    @Test func theProvisionedFileIsTheContracts() throws {
        let stored = try JSONSerialization.jsonObject(with: Data(contentsOf: Self.file)) as? [[String: String]]
        if stored != Self.expected {
            let fresh = try JSONSerialization.data(withJSONObject: Self.expected, options: [.prettyPrinted, .sortedKeys])
            let path = FileManager.default.temporaryDirectory.appendingPathComponent("topic-permissions.json")
            try fresh.write(to: path)
            Issue.record("deploy/broker/topic-permissions.json is stale; the contract's version is in \(path.path)")
        }
    }

    @Test("the broker's patterns and the services' own check agree", arguments: [
        (Department.intake, Topology.eventsExchange, "death.notified.v1", true),
        (.intake, Topology.eventsExchange, "hukou.cancelled.v1", false),
        (.publicSecurity, Topology.eventsExchange, "hukou.cancelled.v1", true),
        (.publicSecurity, Topology.eventsExchange, "hukou.cancelledxv1", false),
        (.civilAffairs, Topology.eventsExchange, "cremation.certified.v1", true),
        (.civilAffairs, Topology.eventsExchange, "pension.settled.v1", false),
        (.socialSecurity, Topology.eventsExchange, "medical-account.settled.v1", true),
        (.socialSecurity, Topology.eventsExchange, "death.notified.v1", false),
        (.civilAffairs, Topology.deadLetterExchange, "civil-affairs", true),
        (.civilAffairs, Topology.deadLetterExchange, "civil-affairs.replay", true),
        (.civilAffairs, Topology.deadLetterExchange, "social-security", false),
        (.civilAffairs, Topology.deadLetterExchange, "social-security.replay", false),
        (.civilAffairs, Topology.deadLetterExchange, "civil-affairsxreplay", false),
    ])
    func publishing(department: Department, exchange: String, routingKey: String, allowed: Bool) throws {
        let permission = try #require(Topology.topicPermissions(of: department).first { $0.exchange == exchange })
        #expect((routingKey.firstMatch(of: try Regex(permission.write)) != nil) == allowed)
        #expect(Topology.mayPublish(department, exchange: exchange, routingKey: routingKey) == allowed)
    }

    @Test func nothingMayBePublishedElsewhere() {
        #expect(!Topology.mayPublish(.intake, exchange: "", routingKey: "intake"))
        #expect(!Topology.mayPublish(.intake, exchange: "amq.topic", routingKey: "death.notified.v1"))
    }

    @Test func aServiceMayBindOnlyToItsSubscriptions() throws {
        let civilAffairs = try #require(Topology.topicPermissions(of: .civilAffairs).first { $0.exchange == Topology.eventsExchange })
        let pattern = try Regex(civilAffairs.read)
        #expect("cremation.requested.v1".firstMatch(of: pattern) != nil)
        #expect("pension.claim-requested.v1".firstMatch(of: pattern) == nil)
        #expect("pension.#".firstMatch(of: pattern) == nil)
    }
}
