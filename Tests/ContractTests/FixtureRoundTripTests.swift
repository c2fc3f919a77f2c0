import Foundation
import HoushiContract
import Testing

@Suite("Golden fixtures")
struct FixtureRoundTripTests {
    @Test("decodes with its catalog payload type and re-encodes to the same JSON", arguments: try Fixture.all())
    func roundTrip(_ fixture: Fixture) throws {
        let header = try MessageCodec().decodeHeader(fixture.data)
        #expect(header.messageType.routingKey == fixture.routingKey, "the file is named after its type")
        let payload = try #require(ContractCatalog.payloadTypes[header.messageType], "\(header.messageType) is not in the catalog")
        #expect(header.producer == ContractCatalog.producers[header.messageType]?.rawValue)

        let reencoded = try JSONValue(data: fixture.reencoded(as: payload))
        let original = try fixture.json()
        #expect(reencoded == original)
    }
}
