import Foundation
import HoushiContract
import HoushiMessaging
import HoushiRuntime
import Testing

/// Subscribers of the public facts (数据共享), added by the operator with one command
/// (`deploy/local/subscribers`) while the services run: each gets its own broker user and quorum
/// queue, the few facts of each death, and nothing else. Over the real broker and services.
@Suite(.serialized)
final class SubscribersTests {
    let houshi: Houshi
    let funeralStaffToken: String

    init() async throws {
        houshi = try await Houshi.start()
        funeralStaffToken = try await houshi.operatorToken(.civilAffairs, name: "刘馆员")
    }

    @Test("a subscriber added with one command gets each death, its cremation and its withdrawal, and nothing of the family")
    func factsReachTheSubscriber() async throws {
        let subscriber = try Subscriber("test-fund-\(Int.random(in: 1_000...9_999))")
        let url = try await add(subscriber)
        #expect(try await add(subscriber).password == url.password, "adding again keeps the user and its password")

        let (body, idNumber) = try TestNotices.fresh()
        try await houshi.registerForWholeFlow(idNumber: idNumber)
        let cremated = try await houshi.postFreshNotice((body, idNumber))
        #expect(try await houshi.recordCremation(caseId: cremated, staffToken: funeralStaffToken).status == 201)
        let mistaken = try TestNotices.fresh()
        let withdrawn = try await houshi.postFreshNotice(mistaken)
        #expect(try await houshi.withdraw(withdrawn, reason: "逝者身份登记错误").status == 202)

        let facts = try await take(4, from: subscriber, as: url, of: [cremated, withdrawn])
        let keys = facts.map { "\($0.caseId == cremated ? "cremated" : "withdrawn") \($0.delivery.routingKey)" }
        #expect(Set(keys) == ["cremated death.recorded.v1", "cremated cremation.recorded.v1",
                              "withdrawn death.recorded.v1", "withdrawn death.withdrawn.v1"], "\(keys)")
        for fact in facts {
            #expect(fact.delivery.exchange == PublicFacts.exchange)
            #expect(fact.delivery.properties.userId == Department.intake.rawValue)
            #expect(fact.delivery.properties.correlationId == fact.caseId.lowercased)
        }

        let recorded = try #require(facts.first { $0.caseId == cremated && $0.delivery.routingKey == "death.recorded.v1" })
        let death = try MessageCodec().decode(recorded.delivery.body, as: DeathRecorded.self)
        #expect(death.payload == DeathRecorded(idNumber: idNumber, name: "王桂兰", sex: .female,
                                               diedAt: try #require(Timestamp(rfc3339: "2026-11-28T06:15:00+08:00")),
                                               certificateNumber: "H2308832026000123"))
        // Nothing more than the facts: no phone, address, applicant, beneficiary or account.
        for fact in facts {
            let text = String(decoding: fact.delivery.body, as: UTF8.self)
            for personal in ["13904561234", "phone", "applicant", "beneficiary", "bankAccount", "address", "通江路"] {
                #expect(!text.contains(personal), "\(fact.delivery.routingKey) carries \(personal)")
            }
        }
        let cremation = try #require(facts.first { $0.delivery.routingKey == "cremation.recorded.v1" })
        #expect(try MessageCodec().decode(cremation.delivery.body, as: CremationRecorded.self).payload
                == CremationRecorded(idNumber: idNumber, crematedAt: try #require(Timestamp(rfc3339: "2026-11-29T09:30:00+08:00")),
                                     funeralHome: "抚远市殡仪馆"))
        let withdrawal = try #require(facts.first { $0.delivery.routingKey == "death.withdrawn.v1" })
        #expect(try MessageCodec().decode(withdrawal.delivery.body, as: DeathWithdrawn.self).payload.idNumber == mistaken.idNumber)

        // What the subscriber reports shows with the case, under its broker user's name.
        let outcome = Envelope(type: PublicFacts.subscriberOutcome, caseId: cremated, causationId: recorded.delivery.properties.messageId.flatMap(UUID.init(text:)),
                               producer: ServiceIdentity(subscriber), payload: SubscriberOutcome(
                                   department: "测试公积金中心", status: .waiting, summary: "账户已封存，待继承人提取。",
                                   reference: "T-1"))
        let oversized = {
            var copy = outcome
            copy.id = UUID()
            copy.payload.summary = String(repeating: "长", count: 501)
            return copy
        }()
        let published = try await brokerReplyCode(as: url) { amqp in
            try amqp.enableConfirms()
            for message in [outcome, oversized] {
                _ = try amqp.publish(exchange: PublicFacts.outcomesExchange, routingKey: PublicFacts.subscriberOutcome.routingKey,
                                     body: try MessageCodec().encode(message),
                                     properties: MessageProperties(contentType: "application/json", messageId: message.id.lowercased,
                                                                   correlationId: cremated.lowercased, userId: subscriber.queue))
            }
            guard try amqp.waitForConfirms().isEmpty else { throw AMQPError("the broker refused the outcome") }
        }
        #expect(published == nil)
        // An outcome off the limits is dead-lettered with the reason, not shown; replayed, it is
        // judged again as the subscriber's (the replay's user is intake's), and refused for its text.
        let reason = "subscriber.outcome's summary must be 1 to 500 characters"
        try await eventually("the oversized outcome's dead letter") {
            try await self.houshi.admin(.intake, ["dead-letters", "list"]).contains(reason)
        }
        #expect(try await houshi.admin(.intake, ["dead-letters", "replay", oversized.id.lowercased])
            .contains("1 dead letters replayed"))
        let letters = try await houshi.deadLetters(of: .intake, ids: [oversized.id.lowercased])
        #expect(letters.count == 1)
        #expect(letters.first?.properties.headers[DeadLetter.reasonHeader]?.description == reason)
        #expect(letters.first?.properties.headers[DeadLetter.originalUserIdHeader]?.description == subscriber.queue)
        var shown: [[String: Any]] = []
        try await eventually("the outcome in the case view") {
            shown = try await self.houshi.caseView(cremated)["subscribers"] as? [[String: Any]] ?? []
            return !shown.isEmpty
        }
        #expect(shown.count == 1)
        #expect(shown.first?["subscriber"] as? String == subscriber.name && shown.first?["status"] as? String == "waiting"
                && shown.first?["summary"] as? String == "账户已封存，待继承人提取。" && shown.first?["reference"] as? String == "T-1")
        #expect(try await houshi.caseView(withdrawn)["subscribers"] as? [Any] != nil)

        try await houshi.infrastructure.subscribers(["remove", subscriber.name])
    }

    @Test("a corrected time of death comes again as death.recorded; a corrected phone sends no fact")
    func correctionsReachTheSubscriber() async throws {
        let subscriber = try Subscriber("test-aged-\(Int.random(in: 1_000...9_999))")
        let url = try await add(subscriber)
        let (body, idNumber) = try TestNotices.fresh(items: ["hukou"])
        let caseId = try await houshi.postFreshNotice((body, idNumber))
        let headers = ["Authorization": "Bearer \(houshi.token)", "Content-Type": "application/json"]
        func correct(_ changes: [String: Any]) async throws -> Int {
            try await HTTP.send("PATCH", "\(try houshi.address(of: .intake))/v1/cases/\(caseId.lowercased)", headers: headers,
                                body: try JSONSerialization.data(withJSONObject: ["reason": "登记有误", "changes": changes])).status
        }
        #expect(try await correct(["applicant": ["phone": "13900000001"]]) == 200)
        let age = try ResidentIDNumber(idNumber).age(on: try #require(CalendarDate(year: 2026, month: 10, day: 28)))
        #expect(try await correct(["deceased": ["diedAt": "2026-10-28T06:15:00+08:00", "age": age]]) == 200)

        let facts = try await take(2, from: subscriber, as: url, of: [caseId])
        let deaths = try facts.map { try MessageCodec().decode($0.delivery.body, as: DeathRecorded.self) }
            .sorted { $0.occurredAt < $1.occurredAt }
        #expect(deaths.map(\.payload.diedAt.rfc3339) == ["2026-11-28T06:15:00+08:00", "2026-10-28T06:15:00+08:00"])
        // The phone's correction sent nothing: no third fact came.
        try await Task.sleep(for: .seconds(1))
        #expect(try await takeAll(from: subscriber.queue, as: url).filter { $0.properties.correlationId == caseId.lowercased }.isEmpty)
        try await houshi.infrastructure.subscribers(["remove", subscriber.name])
    }

    @Test("a subscriber's user reads its own queues only, publishes no fact and binds nothing; removed, it is gone")
    func subscriberHasLeastPrivilege() async throws {
        let subscriber = try Subscriber("test-dibao-\(Int.random(in: 1_000...9_999))")
        let other = try Subscriber("test-other-\(Int.random(in: 1_000...9_999))")
        let url = try await add(subscriber)
        _ = try await add(other)

        for queue in [other.queue, other.deadLetterQueue] + Department.allCases.map(Topology.queue(of:)) {
            let code = try await brokerReplyCode(as: url) { try $0.consume(queue: queue) }
            #expect(code == 403, "consuming \(queue): \(code.map(String.init) ?? "allowed")")
        }
        for (exchange, key) in [(PublicFacts.exchange, "death.recorded.v1"), (Topology.eventsExchange, "death.notified.v1"),
                                (Topology.deadLetterExchange, other.queue), (Topology.deadLetterExchange, "intake")] {
            let code = try await brokerReplyCode(as: url) { amqp in
                try amqp.enableConfirms()
                _ = try amqp.publish(exchange: exchange, routingKey: key, body: Data("{}".utf8),
                                     properties: MessageProperties(contentType: "application/json", userId: subscriber.queue))
                _ = try amqp.waitForConfirms()
            }
            #expect(code == 403, "publishing \(key) on \(exchange): \(code.map(String.init) ?? "allowed")")
        }
        for (exchange, key) in [(Topology.eventsExchange, "#"), (Topology.eventsExchange, "death.notified.v1"),
                                (PublicFacts.exchange, "#")] {
            let code = try await brokerReplyCode(as: url) { try $0.bindQueue(subscriber.queue, exchange: exchange, routingKey: key) }
            #expect(code == 403, "binding to \(key) on \(exchange): \(code.map(String.init) ?? "allowed")")
        }
        let declared = try await brokerReplyCode(as: url) { _ = try $0.declareQueue("subscriber.intruder") }
        #expect(declared == 403, "declaring a queue: \(declared.map(String.init) ?? "allowed")")
        let deleted = try await brokerReplyCode(as: url) { _ = try $0.deleteQueue(subscriber.queue) }
        #expect(deleted == 403, "deleting its queue: \(deleted.map(String.init) ?? "allowed")")
        for queue in [subscriber.queue, subscriber.deadLetterQueue] {
            #expect(try await brokerReplyCode(as: url) { try $0.consume(queue: queue) } == nil, "consuming \(queue)")
        }

        // No service but intake publishes on the facts' exchange, and intake only the facts.
        for department in Department.allCases {
            let key = department == .intake ? MessageType.deathNotified.routingKey : PublicFacts.deathRecorded.routingKey
            let code = try await brokerReplyCode(as: try houshi.environment.amqpURL(of: department)) { amqp in
                try amqp.enableConfirms()
                _ = try amqp.publish(exchange: PublicFacts.exchange, routingKey: key, body: Data("{}".utf8),
                                     properties: MessageProperties(contentType: "application/json", userId: department.rawValue))
                _ = try amqp.waitForConfirms()
            }
            #expect(code == 403, "\(department.rawValue) publishing \(key) on the facts: \(code.map(String.init) ?? "allowed")")
        }

        // A fact it rejects goes to its dead-letter queue.
        let caseId = try await houshi.postFreshNotice()
        let fact = try #require(try await take(1, from: subscriber, as: url, of: [caseId], acknowledge: false).first)
        let rejected = try await brokerReplyCode(as: url) { amqp in
            while let delivery = try amqp.get(queue: subscriber.queue, acknowledge: false) {
                if delivery.properties.messageId == fact.delivery.properties.messageId {
                    try amqp.reject(delivery.deliveryTag, requeue: false)
                } else {
                    try amqp.ack(delivery.deliveryTag)
                }
            }
        }
        #expect(rejected == nil)
        try await eventually("the rejected fact in \(subscriber.deadLetterQueue)") {
            try await self.takeAll(from: subscriber.deadLetterQueue, as: url).contains {
                $0.properties.messageId == fact.delivery.properties.messageId
            }
        }

        try await houshi.infrastructure.subscribers(["remove", subscriber.name])
        #expect(try await houshi.infrastructure.subscribers(["list"]).contains(subscriber.queue) == false)
        do {
            let code = try await brokerReplyCode(as: url) { _ in }
            #expect(code != nil, "the removed subscriber's user still connects")
        } catch {
            // Refused at login: its user is gone.
        }
        try await houshi.infrastructure.subscribers(["remove", other.name])
    }

    /// Adds `subscriber` with `deploy/local/subscribers add`; the broker URL it was given.
    private func add(_ subscriber: Subscriber) async throws -> AMQPURL {
        try await houshi.infrastructure.subscribers(["add", subscriber.name])
        let file = houshi.environment.runDirectory.appendingPathComponent("subscribers/\(subscriber.name).env")
        let text = try #require(try TestEnvironment.readEnvFile(file)["HOUSHI_AMQP_URL"])
        return try #require(BrokerAddresses(text)?.nodes.first, "\(file.path): \(text)")
    }

    /// A fact taken from a subscriber's queue, with the case it is of.
    struct Fact: Sendable {
        let caseId: UUID
        let delivery: Delivery
    }

    /// Takes facts from the subscriber's queue as its own user until `count` of them are of
    /// `cases` (other tests' facts are dropped), acknowledged or, with `acknowledge` false,
    /// left in the queue.
    private func take(_ count: Int, from subscriber: Subscriber, as url: AMQPURL, of cases: Set<UUID>,
                      acknowledge: Bool = true) async throws -> [Fact] {
        var facts: [Fact] = []
        try await eventually("\(count) facts of \(cases.count) cases in \(subscriber.queue)") {
            let taken = try await self.takeAll(from: subscriber.queue, as: url, acknowledge: acknowledge)
            facts += taken.compactMap { delivery in
                guard let caseId = delivery.properties.correlationId.flatMap(UUID.init(text:)), cases.contains(caseId),
                      !facts.contains(where: { $0.delivery.properties.messageId == delivery.properties.messageId })
                else { return nil }
                return Fact(caseId: caseId, delivery: delivery)
            }
            return facts.count >= count
        }
        return facts
    }

    /// Every message now in `queue`, taken with basic.get as the user of `url`.
    private func takeAll(from queue: String, as url: AMQPURL, acknowledge: Bool = true) async throws -> [Delivery] {
        try await onDedicatedThread(name: "subscriber") { () -> Result<[Delivery], any Error> in
            Result {
                let amqp = try AMQPConnection(url: url, name: "integration tests as \(url.user)")
                defer { amqp.close() }
                var deliveries: [Delivery] = []
                while let delivery = try amqp.get(queue: queue, acknowledge: acknowledge) { deliveries.append(delivery) }
                return deliveries
            }
        }.get()
    }
}
