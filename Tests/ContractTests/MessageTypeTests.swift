import HoushiContract
import Testing

@Suite("MessageType")
struct MessageTypeTests {
    @Test("routing keys are <name>.v<version>")
    func routingKeys() {
        #expect(MessageType.deathNotified.routingKey == "death.notified.v1")
        #expect(MessageType.rejected(.medicalAccount).routingKey == "medical-account.rejected.v1")
        #expect(MessageType.request(for: .hukou).routingKey == "hukou.cancellation-requested.v1")
        #expect(MessageType("hukou.cancelled", version: 2).routingKey == "hukou.cancelled.v2")
    }

    @Test("parses routing keys")
    func parses() {
        let type = MessageType(routingKey: "hukou.cancellation-requested.v12")
        #expect(type?.name == "hukou.cancellation-requested")
        #expect(type?.version == 12)
    }

    @Test("parses every catalog routing key back to its type")
    func catalogRoundTrip() {
        for type in ContractCatalog.payloadTypes.keys {
            #expect(MessageType(routingKey: type.routingKey) == type)
        }
    }

    @Test("rejects malformed routing keys", arguments: [
        "", "v1", ".v1", "death.notified", "death.notified.", "death.notified.v", "death.notified.v0",
        "death.notified.vx", "death.notified.v+1", "death.notified.v-1", "death.notified.v01", "death.notified.V1",
        "death.notified.v1 ",
    ])
    func rejects(_ routingKey: String) {
        #expect(MessageType(routingKey: routingKey) == nil)
    }
}
