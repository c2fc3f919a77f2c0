import Foundation
import HoushiContract
import HoushiMessaging
import HoushiRuntime
import Testing

/// The foundation proven end to end: the four real executables over a real RabbitMQ and a real
/// PostgreSQL, started by `deploy/local/test`. Serialized: some tests stop the broker or kill services.
@Suite(.serialized)
final class FoundationTests {
    let houshi: Houshi

    init() async throws {
        houshi = try await Houshi.start()
    }

    @Test("intake stores the example notice and writes death.notified and every request in one transaction")
    func exampleNoticeIsStoredWithItsMessages() async throws {
        let (body, idNumber) = try TestNotices.fresh()
        let reply = try await houshi.postNotice(body)
        #expect(reply.status == 201)
        let caseId = try #require((reply.json?["caseId"] as? String).flatMap { UUID(uuidString: $0) })
        #expect(reply.headers["location"] == "/v1/cases/\(caseId.lowercased)")
        let routingKeys = try await houshi.infrastructure.database.withConnection { db in
            try db.execute("""
                SELECT routing_key FROM intake.outbox WHERE case_id = $1 AND routing_key <> 'case.completed.v1' ORDER BY seq
                """, [caseId])
                .rows.map { try $0.string("routing_key") }
        }
        #expect(routingKeys == ["death.notified.v1", "cremation.requested.v1", "hukou.cancellation-requested.v1",
                                "pension.claim-requested.v1", "medical-account.settlement-requested.v1",
                                "death.recorded.v1"])
        // One transaction: created_at defaults to now(), the transaction's start, identical for its rows.
        let transactions = try await houshi.infrastructure.count("""
            SELECT count(DISTINCT created_at) AS count FROM intake.outbox
            WHERE case_id = $1::uuid AND routing_key <> 'case.completed.v1'
            """, [caseId.lowercased])
        #expect(transactions == 1)
        // The shared death fact carries no phone number, bank account or address.
        let notified = try await houshi.infrastructure.database.withConnection { db in
            try db.execute("SELECT convert_from(body, 'UTF8') AS body FROM intake.outbox WHERE case_id = $1 AND routing_key = 'death.notified.v1'",
                           [caseId]).first.map { try $0.string("body") } ?? ""
        }
        #expect(notified.contains(idNumber))
        for secret in ["13904561234", "6217000130001234567", "通江路"] { #expect(!notified.contains(secret)) }

        // A hospital retry: the same case, nothing new published.
        let retry = try await houshi.postNotice(body)
        #expect(retry.status == 200)
        #expect(retry.json?["caseId"] as? String == caseId.lowercased)
        let rows = try await houshi.infrastructure.count("""
            SELECT count(*) AS count FROM intake.outbox WHERE case_id = $1::uuid AND routing_key <> 'case.completed.v1'
            """, [caseId.lowercased])
        #expect(rows == 6)

        // Different facts for the same deceased: a conflict naming the existing case.
        var changed = try JSONSerialization.jsonObject(with: body) as! [String: Any]
        changed["applicantSignedAt"] = "2026-11-28T10:30:00+08:00"
        let conflict = try await houshi.postNotice(try JSONSerialization.data(withJSONObject: changed))
        #expect(conflict.status == 409)
        #expect((conflict.json?["message"] as? String)?.contains(caseId.lowercased) == true)
    }

    @Test("every department records its request exactly once")
    func departmentsRecordTheirRequests() async throws {
        let caseId = try await houshi.postFreshNotice()
        try await houshi.waitForRequests(caseId: caseId)
        for (schema, items) in [("public_security", 1), ("civil_affairs", 1), ("social_security", 2)] {
            let recorded = try await houshi.infrastructure.count(
                "SELECT count(*) AS count FROM \(schema).item_requests WHERE case_id = $1::uuid", [caseId.lowercased])
            #expect(recorded == items, "\(schema)")
        }
        // The publisher marks what it published a moment later, many rows at once.
        try await eventually("intake to mark its six messages sent") {
            try await houshi.infrastructure.count("""
                SELECT count(*) AS count FROM intake.outbox
                WHERE case_id = $1::uuid AND sent_at IS NOT NULL AND routing_key <> 'case.completed.v1'
                """, [caseId.lowercased]) == 6
        }
    }

    @Test("a department killed with SIGKILL processes the request after a restart")
    func killedDepartmentCatchesUp() async throws {
        await houshi.services[.publicSecurity]?.kill()
        let caseId = try await houshi.postFreshNotice()
        try await eventually("the request to be published") {
            try await houshi.infrastructure.count(
                "SELECT count(*) AS count FROM intake.outbox WHERE case_id = $1::uuid AND sent_at IS NOT NULL",
                [caseId.lowercased]) == 6
        }
        let whileDown = try await houshi.infrastructure.count(
            "SELECT count(*) AS count FROM public_security.item_requests WHERE case_id = $1::uuid", [caseId.lowercased])
        #expect(whileDown == 0)
        try await houshi.start(.publicSecurity)
        try await eventually("public security to record the request") {
            try await houshi.infrastructure.count(
                "SELECT count(*) AS count FROM public_security.item_requests WHERE case_id = $1::uuid",
                [caseId.lowercased]) == 1
        }
    }

    @Test("intake publishes a notice's messages itself once they commit, not the relay after their claim")
    func noticeMessagesArePublishedByTheirWriter() async throws {
        let caseId = try await houshi.postFreshNotice()
        try await eventually("intake to mark the notice's messages sent") {
            try await houshi.infrastructure.count(
                "SELECT count(*) AS count FROM intake.outbox WHERE case_id = $1::uuid AND sent_at IS NOT NULL",
                [caseId.lowercased]) >= 6
        }
        let publishedByWriter = try await houshi.infrastructure.count("""
            SELECT count(*) AS count FROM intake.outbox
            WHERE case_id = $1::uuid AND routing_key <> 'case.completed.v1' AND sent_at < claimed_until
            """, [caseId.lowercased])
        #expect(publishedByWriter == 6)
    }

    @Test("a consumer publishes what it emitted; a claim left unsent goes out with the relay once it ends")
    func claimedOutboxRowsAreLeftToTheirWriter() async throws {
        let caseId = try await houshi.postFreshNotice()
        try await eventually("public security to publish its answer itself") {
            try await houshi.infrastructure.count("""
                SELECT count(*) AS count FROM public_security.outbox
                WHERE case_id = $1::uuid AND claimed_until IS NOT NULL AND sent_at IS NOT NULL
                """, [caseId.lowercased]) == 1
        }
        // Rows whose writer died before publishing them: the relays leave them alone until the claim
        // ends, then publish the one the broker lets public security send (a dead letter under its
        // own name) and set aside the one it would refuse (another department's type), with why.
        let abandoned = UUID().lowercased
        let foreign = UUID().lowercased
        _ = try await houshi.infrastructure.database.withConnection { db in
            try db.execute("""
                INSERT INTO public_security.outbox (message_id, exchange, routing_key, headers, body, claimed_until)
                VALUES ($1::uuid, $2, $3, jsonb_build_object($6::text, $1), '\\x7b7d', now() + interval '2 seconds'),
                       ($4::uuid, $5, 'cremation.certified.v1', '{}', '\\x7b7d', now() + interval '2 seconds')
                """, [abandoned, Topology.deadLetterExchange, Topology.queue(of: .publicSecurity), foreign, Topology.eventsExchange,
                      DeadLetter.originalMessageIdHeader])
        }
        try await eventually("the relay to publish the abandoned claim and set the foreign one aside") {
            let published = try await houshi.infrastructure.count("""
                SELECT count(*) AS count FROM public_security.outbox WHERE message_id = $1::uuid AND sent_at IS NOT NULL
                """, [abandoned])
            let refused = try await houshi.infrastructure.count("""
                SELECT count(*) AS count FROM public_security.outbox_refused WHERE message_id = $1::uuid
                  AND reason = 'public-security may not publish cremation.certified.v1 on houshi.events'
                """, [foreign])
            return published == 1 && refused == 1
        }
        let beforeItEnded = try await houshi.infrastructure.count(
            "SELECT count(*) AS count FROM public_security.outbox WHERE message_id = $1::uuid AND sent_at < claimed_until",
            [abandoned])
        #expect(beforeItEnded == 0)
        let refusedEarly = try await houshi.infrastructure.count("""
            SELECT count(*) AS count FROM public_security.outbox_refused
            WHERE message_id = $1::uuid AND refused_at < created_at + interval '2 seconds'
            """, [foreign])
        #expect(refusedEarly == 0)
        #expect(try await houshi.infrastructure.count(
            "SELECT count(*) AS count FROM public_security.outbox WHERE message_id = $1::uuid", [foreign]) == 0)
        _ = try await houshi.deadLetters(of: .publicSecurity, ids: [abandoned])
    }

    @Test("a message delivered twice changes nothing the second time")
    func duplicateDeliveryIsIgnored() async throws {
        let fixture = try Data(contentsOf: TestEnvironment.repository
            .appendingPathComponent("Tests/ContractTests/Fixtures/hukou.cancellation-requested.v1.json"))
        var envelope = try MessageCodec().decode(fixture, as: HukouCancellationRequested.self)
        envelope.id = UUID()
        envelope.caseId = UUID()
        let body = try MessageCodec().encode(envelope)
        for _ in 1...2 {
            try await houshi.infrastructure.publish(routingKey: envelope.messageType.routingKey, body: body)
        }
        // A later message on the same queue, to know both copies were consumed.
        var marker = envelope
        marker.id = UUID()
        marker.caseId = UUID()
        try await houshi.infrastructure.publish(routingKey: marker.messageType.routingKey, body: try MessageCodec().encode(marker))
        try await houshi.waitUntilHandled(messageId: marker.id.lowercased, by: .publicSecurity)
        try await eventually("the second copy to be found a duplicate") {
            (houshi.services[.publicSecurity]?.log ?? "").split(separator: "\n").contains {
                $0.contains(envelope.id.lowercased) && $0.contains("\"duplicate ignored\"")
            }
        }
        let requests = try await houshi.infrastructure.count(
            "SELECT count(*) AS count FROM public_security.item_requests WHERE case_id = $1::uuid", [envelope.caseId.lowercased])
        let inbox = try await houshi.infrastructure.count(
            "SELECT count(*) AS count FROM public_security.inbox WHERE message_id = $1::uuid", [envelope.id.lowercased])
        #expect(requests == 1)
        #expect(inbox == 1)
    }

    @Test("an undecodable message is dead-lettered with its reason and the consumer keeps consuming")
    func undecodableMessageIsDeadLettered() async throws {
        let deadLetterQueue = Topology.deadLetterQueue(of: .civilAffairs)
        _ = try await houshi.infrastructure.drain(queue: deadLetterQueue)
        let garbage = Data("{not json at all".utf8)
        try await houshi.infrastructure.publish(routingKey: MessageType.cremationRequested.routingKey, body: garbage)
        var deadLetters: [Delivery] = []
        try await eventually("the message in \(deadLetterQueue)") {
            deadLetters += try await houshi.infrastructure.drain(queue: deadLetterQueue)
            return !deadLetters.isEmpty
        }
        let letter = try #require(deadLetters.first)
        #expect(letter.body == garbage)
        let reason = letter.properties.headers[DeadLetter.reasonHeader]?.description ?? ""
        #expect(reason.contains("undecodable"), "reason: \(reason)")
        #expect(letter.properties.headers[DeadLetter.originalRoutingKeyHeader] == .string("cremation.requested.v1"))

        let caseId = try await houshi.postFreshNotice()
        try await eventually("civil affairs to go on consuming") {
            try await houshi.infrastructure.count(
                "SELECT count(*) AS count FROM civil_affairs.item_requests WHERE case_id = $1::uuid", [caseId.lowercased]) == 1
        }
    }

    @Test("department outcomes drive a case to case.completed, in any order")
    func outcomesCompleteTheCase() async throws {
        // The departments are stopped, so that their own answers do not race the published outcomes.
        for department in [Department.publicSecurity, .civilAffairs, .socialSecurity] {
            await houshi.services[department]?.terminate()
        }
        let caseId = try await houshi.postFreshNotice(try TestNotices.fresh(items: ["cremation", "pension", "medical-account"]))
        for routingKey in ["medical-account.settled.v1", "pension.settled.v1", "cremation.certified.v1"] {
            try await houshi.infrastructure.publish(routingKey: routingKey, body: try houshi.fixture(routingKey, caseId: caseId))
        }
        try await eventually("intake to complete the case") {
            try await houshi.infrastructure.count(
                "SELECT count(*) AS count FROM intake.cases WHERE case_id = $1::uuid AND status = 'completed'",
                [caseId.lowercased]) == 1
        }
        let completions = try await houshi.infrastructure.count(
            "SELECT count(*) AS count FROM intake.outbox WHERE case_id = $1::uuid AND routing_key = 'case.completed.v1'",
            [caseId.lowercased])
        #expect(completions == 1)
        let view = try await HTTP.get("\(try houshi.address(of: .intake))/v1/cases/\(caseId.lowercased)",
                                      headers: ["Authorization": "Bearer \(houshi.token)"])
        let items = try #require(view.json?["items"] as? [[String: Any]])
        #expect(items.compactMap { $0["status"] as? String } == ["done", "done", "done"])
        // The notice, the three outcomes and the completion, which the view also dates.
        let timeline = try #require(view.json?["timeline"] as? [[String: Any]])
        #expect(timeline.count == 5)
        #expect(timeline.last?["type"] as? String == "case.completed.v1")
        #expect(((timeline.last?["payload"] as? [String: Any])?["items"] as? [Any])?.count == 3)
        #expect(view.json?["completedAt"] is String)
        // The hospital sees how each item ended, not the departments' figures (HospitalDisclosure).
        let text = String(decoding: view.body, as: UTF8.self)
        for figure in ["netPayableFen", "funeralGrantFen", "monthlyPensionFen", "balancePaidFen", "payee", "bankAccount",
                       "ruleVersion"] {
            #expect(!text.contains(figure), "the hospital's case view shows \(figure)")
        }
        let results = Dictionary(uniqueKeysWithValues: items.map { ($0["item"] as? String ?? "", $0["result"] as? [String: Any]) })
        #expect(results["cremation"]??["certificateNumber"] is String)
        #expect(results["pension"]??["stopFrom"] is String)
        #expect(results["medical-account"]??["closedAt"] is String)
    }

    @Test("an outcome for a case intake does not know is dead-lettered with the reason")
    func outcomeForUnknownCaseIsDeadLettered() async throws {
        let deadLetterQueue = Topology.deadLetterQueue(of: .intake)
        _ = try await houshi.infrastructure.drain(queue: deadLetterQueue)
        let unknown = UUID()
        try await houshi.infrastructure.publish(routingKey: "hukou.cancelled.v1", body: try houshi.fixture("hukou.cancelled.v1", caseId: unknown))
        var deadLetters: [Delivery] = []
        try await eventually("the outcome in \(deadLetterQueue)") {
            deadLetters += try await houshi.infrastructure.drain(queue: deadLetterQueue)
            return !deadLetters.isEmpty
        }
        let reason = deadLetters.first?.properties.headers[DeadLetter.reasonHeader]?.description ?? ""
        #expect(reason == "intake has no case \(unknown.lowercased)")
    }

    @Test("operators list, show and replay dead letters; a replayed message is handled again")
    func deadLettersCanBeListedShownAndReplayed() async throws {
        let deadLetterQueue = Topology.deadLetterQueue(of: .intake)
        _ = try await houshi.infrastructure.drain(queue: deadLetterQueue)
        let unknown = UUID()
        let body = try houshi.fixture("hukou.cancelled.v1", caseId: unknown)
        let messageId = (try JSONSerialization.jsonObject(with: body) as! [String: Any])["id"] as! String
        try await houshi.infrastructure.publish(routingKey: "hukou.cancelled.v1", body: body,
                                                properties: MessageProperties(contentType: "application/json", messageId: messageId))
        try await eventually("the dead letter to be listed") {
            try await houshi.admin(.intake, ["dead-letters", "list"]).contains(messageId)
        }
        let listed = try await houshi.admin(.intake, ["dead-letters", "list"])
        #expect(listed.contains("hukou.cancelled.v1") && listed.contains("intake has no case \(unknown.lowercased)"))
        let shown = try await houshi.admin(.intake, ["dead-letters", "show", messageId])
        #expect(shown.contains("x-houshi-reason: intake has no case"))
        #expect(shown.contains(unknown.lowercased))

        let replayed = try await houshi.admin(.intake, ["dead-letters", "replay", messageId])
        #expect(replayed.contains("1 dead letters replayed to intake"))
        // Handled again by intake (the case is still unknown), so it is dead-lettered anew, once.
        try await eventually("the replayed message to be handled again") {
            (houshi.services[.intake]?.log ?? "").components(separatedBy: "intake has no case \(unknown.lowercased)").count - 1 >= 2
        }
        let again = try await houshi.infrastructure.drain(queue: deadLetterQueue)
        #expect(again.count == 1)
        #expect(again.first?.body == body)
        // The second dead letter still names the message as it first came, not the replay.
        #expect(again.first?.properties.headers[DeadLetter.originalMessageIdHeader]?.description == messageId)
        #expect(again.first?.properties.headers[DeadLetter.originalRoutingKeyHeader]?.description == "hukou.cancelled.v1")
        let error = await #expect(throws: CommandFailed.self) { try await self.houshi.admin(.intake, ["dead-letters", "replay"]) }
        #expect(error?.output.contains("--all") == true)
    }

    @Test("services reconnect by themselves after the broker restarts")
    func brokerRestartIsSurvived() async throws {
        try await houshi.infrastructure.infra("stop-broker")
        try await Task.sleep(for: .seconds(1))
        try await houshi.infrastructure.infra("start-broker")
        for service in houshi.services.values { try await service.waitUntilReady(timeout: .seconds(90)) }
        let caseId = try await houshi.postFreshNotice()
        try await houshi.waitForRequests(caseId: caseId)
        for service in houshi.services.values { #expect(service.isRunning) }
        #expect(houshi.services[.publicSecurity]?.log.contains("reconnecting") == true)
    }

    @Test("SIGTERM stops every service cleanly")
    func gracefulShutdown() async throws {
        for (department, service) in houshi.services {
            let status = await service.terminate()
            #expect(status == 0, "\(department.rawValue) exited with \(status)")
            #expect(service.log.contains("\"stopped\""), "\(department.rawValue) logged no clean stop")
        }
    }
}
