import FoundationEssentials
import HoushiContract
@testable import Intake
import Logging
import Testing

@Suite struct OutcomeRoundsTests {
    private func outcome(_ caseId: UUID, _ item: Item, _ status: ItemStatus) -> ItemOutcomeRecord {
        let envelope = Envelope(type: .held(item), caseId: caseId, causationId: nil, producer: item.department,
                                payload: ItemHeld(reasonCode: "r", reason: "r", deadline: .now()))
        return ItemOutcomeRecord(header: envelope.header, json: "{}", item: item, status: status, sms: nil,
                                 logger: Logger(label: "test"))
    }

    @Test func eachRoundHoldsAnItemOfACaseOnceInTheOrderGiven() {
        let (a, b) = (UUID(), UUID())
        let outcomes = [outcome(a, .hukou, .held), outcome(b, .hukou, .done), outcome(a, .hukou, .done),
                        outcome(a, .cremation, .done), outcome(a, .hukou, .reversed), outcome(b, .pension, .done)]
        let rounds = OutcomeStore.rounds(outcomes).map { $0.map(\.header.id) }
        let ids = outcomes.map(\.header.id)
        #expect(rounds == [[ids[0], ids[1], ids[3], ids[5]], [ids[2]], [ids[4]]])
    }

    @Test func outcomesOfDifferentItemsShareOneRound() {
        let caseId = UUID()
        let outcomes = Item.allCases.map { outcome(caseId, $0, .done) }
        #expect(OutcomeStore.rounds(outcomes).map { $0.map(\.header.id) } == [outcomes.map(\.header.id)])
        #expect(OutcomeStore.rounds([]).isEmpty)
    }
}
