import Foundation
import HoushiContract
import Testing

/// The public facts for subscribers outside: their own document, fixtures and exchange, and
/// what a subscriber's broker user may do.
@Suite("Public facts and subscribers")
struct PublicFactsTests {
    @Test("every fixture validates against public-facts.asyncapi.yaml, which has a channel for each type")
    func fixturesValidate() throws {
        let run = try FixtureValidator.run(["--document", "public-facts"])
        #expect(run.status == 0, "validate_fixtures.py exited \(run.status):\n\(run.output)")
        #expect(run.output.contains("\(PublicFacts.contractTypes.count) fixtures valid"), "\(run.output)")
    }

    @Test("the document's channels are the public fact types, sent by intake and received by subscribers, and the subscribers' outcome")
    func documentMatchesTypes() throws {
        let run = try FixtureValidator.run(["--document", "public-facts", "--describe"])
        try #require(run.status == 0, "\(run.output)")
        struct Route: Decodable {
            let send: [String]
            let receive: [String]
        }
        struct Description: Decodable {
            let routes: [String: Route]
            let enums: [String: [String]]
        }
        let description = try JSONDecoder().decode(Description.self, from: Data(run.output.utf8))
        #expect(Set(description.routes.keys) == Set(PublicFacts.contractTypes.keys.map(\.routingKey)))
        for type in PublicFacts.types {
            #expect(description.routes[type.routingKey]?.send == ["intake"])
            #expect(description.routes[type.routingKey]?.receive == ["subscriber"])
        }
        #expect(description.routes[PublicFacts.subscriberOutcome.routingKey]?.send == ["subscriber"])
        #expect(description.routes[PublicFacts.subscriberOutcome.routingKey]?.receive == ["intake"])
        #expect(Topology.subscriptions(of: .intake).contains(PublicFacts.subscriberOutcome))
        #expect(description.enums["Sex"] == Sex.allCases.map(\.rawValue))
        #expect(description.enums["OutcomeStatus"] == SubscriberOutcome.Status.allCases.map(\.rawValue))
    }

    @Test("each fixture decodes as its payload type and re-encodes to the same JSON",
          arguments: try Fixture.publicFacts())
    func roundTrip(_ fixture: Fixture) throws {
        let header = try MessageCodec().decodeHeader(fixture.data)
        #expect(header.messageType.routingKey == fixture.routingKey, "the file is named after its type")
        let payload = try #require(PublicFacts.contractTypes[header.messageType], "\(header.messageType) is no public type")
        #expect(header.producer == (header.messageType == PublicFacts.subscriberOutcome ? "subscriber.housing-fund" : "intake"))
        #expect(try JSONValue(data: fixture.reencoded(as: payload)) == fixture.json())
    }

    @Test("a fact's payload carries the death's facts and nothing of the family")
    func payloadsAreMinimal() throws {
        let allowed: [String: Set<String>] = [
            "death.recorded.v1": ["idNumber", "name", "sex", "diedAt", "certificateNumber"],
            "cremation.recorded.v1": ["idNumber", "crematedAt", "funeralHome"],
            "death.withdrawn.v1": ["idNumber", "withdrawnAt"],
            "subscriber.outcome.v1": ["department", "status", "summary", "reference"],
        ]
        for fixture in try Fixture.publicFacts() {
            guard case .object(let envelope) = try fixture.json(), case .object(let payload)? = envelope["payload"] else {
                Issue.record("\(fixture.routingKey) has no payload object")
                continue
            }
            #expect(Set(payload.keys) == allowed[fixture.routingKey], "\(fixture.routingKey)")
        }
    }

    @Test("public facts travel on their own exchange, which only intake may publish to")
    func exchangeAndPublishers() {
        for type in PublicFacts.types {
            #expect(Topology.exchange(of: type) == PublicFacts.exchange)
            for department in Department.allCases {
                #expect(Topology.mayPublish(department, exchange: PublicFacts.exchange, routingKey: type.routingKey)
                        == (department == .intake), "\(department) publishing \(type)")
                #expect(!Topology.mayPublish(department, exchange: Topology.eventsExchange, routingKey: type.routingKey))
            }
        }
        #expect(Topology.exchange(of: .deathNotified) == Topology.eventsExchange)
        #expect(!Topology.mayPublish(.intake, exchange: PublicFacts.exchange, routingKey: MessageType.deathNotified.routingKey))
        #expect(!Topology.mayPublish(.intake, exchange: PublicFacts.exchange, routingKey: "#"))
        let intakeOnFacts = Topology.topicPermissions(of: .intake).first { $0.exchange == PublicFacts.exchange }
        #expect(intakeOnFacts?.write == #"^(cremation\.recorded\.v1|death\.recorded\.v1|death\.withdrawn\.v1)$"#)
        #expect(intakeOnFacts?.read == "^$")
        for department in Department.allCases where department != .intake {
            let onFacts = Topology.topicPermissions(of: department).first { $0.exchange == PublicFacts.exchange }
            #expect(onFacts?.write == "^$" && onFacts?.read == "^$", "\(department)")
        }
    }

    @Test("a subscriber's name is letters, digits and inner hyphens", arguments: [
        ("housing-fund", true), ("dibao2", true), ("a", true), (String(repeating: "a", count: 40), true),
        ("", false), ("Housing", false), ("2fund", false), ("fund-", false), ("-fund", false), ("housing.fund", false),
        ("housing_fund", false), ("住房公积金", false), ("#", false), (String(repeating: "a", count: 41), false),
    ])
    func subscriberNames(_ name: String, valid: Bool) {
        #expect(((try? Subscriber(name)) != nil) == valid, "\(name)")
    }

    @Test("a subscriber reads only its own queues, configures nothing, dead-letters only under its own name and publishes outcomes")
    func subscriberPermissions() throws {
        let subscriber = try Subscriber("housing-fund")
        #expect(subscriber.queue == "subscriber.housing-fund")
        #expect(subscriber.deadLetterQueue == "subscriber.housing-fund.dead-letter")
        let access = Topology.permissions(of: subscriber)
        #expect(access.configure == "^$")
        #expect(access.write == #"^(houshi\.dead-letters|houshi\.outcomes)$"#)
        #expect(access.read == #"^(subscriber\.housing-fund|subscriber\.housing-fund\.dead-letter)$"#)
        let topics = Dictionary(uniqueKeysWithValues: Topology.topicPermissions(of: subscriber).map { ($0.exchange, $0) })
        #expect(Set(topics.keys) == [Topology.eventsExchange, Topology.deadLetterExchange, PublicFacts.exchange,
                                     PublicFacts.outcomesExchange])
        #expect(topics[PublicFacts.outcomesExchange]?.write == #"^(subscriber\.outcome\.v1)$"#)
        #expect(topics[Topology.deadLetterExchange]?.write == #"^(subscriber\.housing-fund|subscriber\.housing-fund\.replay)$"#)
        #expect(topics.values.allSatisfy { $0.read == "^$" })
        #expect(topics[Topology.eventsExchange]?.write == "^$" && topics[PublicFacts.exchange]?.write == "^$")
    }
}
