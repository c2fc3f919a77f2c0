import Foundation
import HoushiContract
import Testing

@Suite("Envelope and value coding")
struct EnvelopeTests {
    private let codec = MessageCodec()
    private let caseId = UUID(uuidString: "7C1E4B2A-9D3F-4E6A-8B5C-2F0A1D3E5B71")!

    @Test("writes the header beside the payload, UUIDs in lowercase, no causationId when there is none")
    func envelopeFields() throws {
        let id = UUID(uuidString: "D532E5BA-EEBC-5B97-AE82-C050F464C01D")!
        let time = try #require(Timestamp(rfc3339: "2026-11-28T10:30:00+08:00"))
        let envelope = Envelope(id: id, type: .rejected(.hukou), caseId: caseId, occurredAt: time,
                                producer: .publicSecurity, payload: ItemRejected(reasonCode: "hukou-not-local", reason: "户籍不在本市"))
        let json = try JSONValue(data: codec.encode(envelope))
        #expect(json == .object([
            "id": .string("d532e5ba-eebc-5b97-ae82-c050f464c01d"), "type": .string("hukou.rejected"), "version": .integer(1),
            "caseId": .string("7c1e4b2a-9d3f-4e6a-8b5c-2f0a1d3e5b71"), "occurredAt": .string("2026-11-28T10:30:00+08:00"),
            "producer": .string("public-security"),
            "payload": .object(["reasonCode": .string("hukou-not-local"), "reason": .string("户籍不在本市")]),
        ]))
        let decoded = try codec.decode(json.data(), as: ItemRejected.self)
        #expect(decoded == envelope)
        #expect(decoded.messageType == .rejected(.hukou))
        #expect(try codec.decodeHeader(json.data()) == envelope.header)
    }

    @Test("a body at the funeral home and one to pick up", arguments: [
        (BodyLocation.atFuneralHome(funeralHome: "抚远市殡仪馆"), #"{"atFuneralHome":true,"funeralHome":"抚远市殡仪馆"}"#),
        (BodyLocation.pickup(address: "抚远市人民医院住院部", at: Timestamp(rfc3339: "2026-11-28T14:00:00+08:00")!),
         #"{"atFuneralHome":false,"pickupAddress":"抚远市人民医院住院部","pickupAt":"2026-11-28T14:00:00+08:00"}"#),
    ])
    func bodyLocation(_ body: BodyLocation, _ json: String) throws {
        #expect(String(decoding: try codec.encodeValue(body), as: UTF8.self) == json)
        #expect(try JSONDecoder().decode(BodyLocation.self, from: Data(json.utf8)) == body)
    }
}
