import Foundation
import HoushiContract
import Testing

/// The decoder must refuse what the contract does not allow, or the fixture tests prove nothing.
@Suite("Decoding rejects invalid messages")
struct DecodingRejectionTests {
    @Test("the unchanged fixture decodes")
    func unchangedDecodes() throws {
        _ = try decode(Fixture.of(.deathNotified).json(), as: DeathNotified.self)
    }

    @Test("a payload missing a required field")
    func missingField() throws {
        let json = try Fixture.of(.deathNotified).json().setting(["payload", "deceased", "idNumber"], to: nil)
        let error = try #require(throws: DecodingError.self) { try decode(json, as: DeathNotified.self) }
        guard case .keyNotFound(let key, _) = error else {
            Issue.record("expected keyNotFound, got \(error)")
            return
        }
        #expect(key.stringValue == "idNumber")
    }

    @Test("an id that is not a UUID", arguments: ["id", "caseId", "causationId"])
    func malformedUUID(_ field: String) throws {
        let json = try Fixture.of(.deathNotified).json().setting([field], to: .string("d532e5ba-eebc-5b97-ae82"))
        let error = try #require(throws: DecodingError.self) { try decode(json, as: DeathNotified.self) }
        guard case .dataCorrupted(let context) = error else {
            Issue.record("expected dataCorrupted, got \(error)")
            return
        }
        #expect(context.codingPath.last?.stringValue == field)
        #expect(context.debugDescription.contains("must be a UUID"))
    }

    @Test("a wrong enum value", arguments: [["deceased", "sex"], ["mannerOfDeath"], ["certificate", "form"]])
    func wrongEnumValue(_ path: [String]) throws {
        let json = try Fixture.of(.deathNotified).json().setting(["payload"] + path, to: .string("unknown"))
        let error = try #require(throws: DecodingError.self) { try decode(json, as: DeathNotified.self) }
        guard case .dataCorrupted = error else {
            Issue.record("expected dataCorrupted, got \(error)")
            return
        }
    }

    @Test("an unknown requested item")
    func unknownItem() throws {
        let json = try Fixture.of(.deathNotified).json()
            .setting(["payload", "requestedItems"], to: .array([.string("cremation"), .string("passport")]))
        #expect(throws: DecodingError.self) { try decode(json, as: DeathNotified.self) }
    }

    @Test("a body to pick up without a pickup time")
    func bodyWithoutPickupTime() throws {
        let json = try Fixture.of(.cremationRequested).json().setting(["payload", "body", "pickupAt"], to: nil)
        #expect(throws: DecodingError.self) { try decode(json, as: CremationRequested.self) }
    }

    @Test("malformed times, dates and months", arguments: [
        (["diedAt"], "2026-11-28 06:15:00"),
        (["certificate", "issuedAt"], "2026-11-28T09:40:00"),
        (["deceased", "birthDate"], "1941-02-29"),
    ])
    func malformedValue(_ path: [String], _ text: String) throws {
        let json = try Fixture.of(.deathNotified).json().setting(["payload"] + path, to: .string(text))
        #expect(throws: DecodingError.self) { try decode(json, as: DeathNotified.self) }
    }

    @Test("a stop month that does not exist")
    func badYearMonth() throws {
        let json = try Fixture.of(.pensionSettled).json().setting(["payload", "stopFrom"], to: .string("2026-13"))
        #expect(throws: DecodingError.self) { try decode(json, as: PensionSettled.self) }
    }

    @Test("an envelope without a case id")
    func missingCaseId() throws {
        let json = try Fixture.of(.hukouCancelled).json().setting(["caseId"], to: nil)
        #expect(throws: DecodingError.self) { try MessageCodec().decodeHeader(json.data()) }
    }

    private func decode<Payload: Codable & Sendable>(_ json: JSONValue, as _: Payload.Type) throws -> Envelope<Payload> {
        try MessageCodec().decode(json.data(), as: Payload.self)
    }
}
