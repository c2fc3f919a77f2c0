import Foundation
import HoushiContract
import HoushiRuntime
import Testing

/// Personal data stays out of the logs: cases run through the whole flow (and through the
/// paths that log problems), then every service's log is searched for each full ID number,
/// phone number and bank account used. Masked forms (`230883********0243`) are fine.
@Suite(.serialized)
final class PersonalDataLogTests {
    @Test("no service log shows a full ID number, phone number or bank account", arguments: ["json", "text"])
    func logsHoldNoPersonalNumbers(format: String) async throws {
        let houshi = try await Houshi.start(overrides: Dictionary(uniqueKeysWithValues: Department.allCases.map {
            ($0, ["HOUSHI_LOG_FORMAT": format, "HOUSHI_LOG_LEVEL": "debug"])
        }))
        var used: [TestNotices.PersonalNumbers] = []
        var cases: [UUID] = []
        for _ in 1...3 {
            let (body, numbers) = try TestNotices.freshPersonal()
            try await houshi.registerForWholeFlow(idNumber: numbers.deceasedIDNumber)
            cases.append(try await houshi.postFreshNotice((body, numbers.deceasedIDNumber)))
            used.append(numbers)

            // The paths that log a problem: a conflicting notice for the same deceased, a refused one.
            let changed = try TestNotices.changing(body, ["applicantSignedAt"], to: "2026-11-28T10:30:00+08:00")
            #expect(try await houshi.postNotice(changed).status == 409)
            let badPhone = try TestNotices.changing(changed, ["applicant", "phone"], to: "0\(numbers.applicantPhone)")
            #expect(try await houshi.postNotice(badPhone).status == 422)
        }
        let deadLettered = try await publishRequestWithIDNumberInTheWrongField(houshi)
        used.append(deadLettered)

        for caseId in cases {
            try await eventually(timeout: .seconds(60), "case \(caseId.lowercased) to be completed") {
                try await houshi.infrastructure.count(
                    "SELECT count(*) AS count FROM intake.cases WHERE case_id = $1::uuid AND status = 'completed'",
                    [caseId.lowercased]) == 1
            }
        }
        // Only this test's cases: an earlier suite's intake may have stopped while holding a lease on its own SMS.
        let caseIds = "{" + cases.map(\.lowercased).joined(separator: ",") + "}"
        try await eventually("the SMS of every case to be sent") {
            try await houshi.infrastructure.count("""
                SELECT count(*) AS count FROM intake.sms_messages WHERE sent_at IS NULL AND case_id = ANY($1::uuid[])
                """, [caseIds]) == 0
        }

        // The family's SMS went through the log gateway, which shows the phone masked.
        let intakeLog = houshi.services[.intake]?.log ?? ""
        for numbers in used.prefix(cases.count) {
            #expect(intakeLog.contains(Redact.phone(numbers.applicantPhone)), "no SMS logged to \(Redact.phone(numbers.applicantPhone))")
        }
        for service in houshi.services.values {
            let log = service.log
            let name = service.name
            for number in used.flatMap(\.all) {
                #expect(!log.contains(number), "\(name)'s \(format) log shows \(number) in full (\(service.logFile.path))")
            }
        }
    }

    /// A hukou request whose sex field holds the deceased's ID number (a form filled in the
    /// wrong boxes): it cannot be decoded, so it is dead-lettered, and its reason is logged.
    private func publishRequestWithIDNumberInTheWrongField(_ houshi: Houshi) async throws -> TestNotices.PersonalNumbers {
        let idNumber = TestNotices.freshIDNumber(like: "230883194103150243")
        let caseId = UUID()
        var envelope = try JSONSerialization.jsonObject(
            with: try houshi.fixture(MessageType.hukouCancellationRequested.routingKey, caseId: caseId)) as! [String: Any]
        var payload = envelope["payload"] as! [String: Any]
        var deceased = payload["deceased"] as! [String: Any]
        deceased["idNumber"] = idNumber
        deceased["sex"] = idNumber
        payload["deceased"] = deceased
        envelope["payload"] = payload
        let deadLetterQueue = Topology.deadLetterQueue(of: .publicSecurity)
        _ = try await houshi.infrastructure.drain(queue: deadLetterQueue)
        try await houshi.infrastructure.publish(routingKey: MessageType.hukouCancellationRequested.routingKey,
                                                body: try JSONSerialization.data(withJSONObject: envelope))
        let letters = try await houshi.deadLetters(of: .publicSecurity, count: 1)
        let reason = letters.first?.properties.headers[DeadLetter.reasonHeader]?.description ?? ""
        #expect(reason.contains("payload.deceased.sex"), "reason: \(reason)")
        return TestNotices.PersonalNumbers(deceasedIDNumber: idNumber, applicantPhone: "13904561234",
                                           applicantIDNumber: "230883196608020312",
                                           beneficiaryIDNumber: "230883196608020312", bankAccount: "6217000130001234567")
    }
}
