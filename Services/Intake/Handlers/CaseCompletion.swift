import FoundationEssentials
import HoushiContract
import HoushiRuntime
import HoushiStorage

/// Completes a case once every requested item has ended: the family's last SMS and
/// `case.completed`. It follows the handlers in their transaction (`MessageProcessor.FollowUp`):
/// the last outcomes of one case may be recorded at the same moment by different consumers, so
/// it locks the case first, and the second to take the lock sees every item ended; the update of
/// the still open case lets exactly one complete it. A withdrawn case is not completed: once every
/// item is reversed, it is marked so and the family told.
enum CaseCompletion {
    static func completeEnded(_ messages: [HandlerContext]) throws {
        let contexts = messages.lastByCase
        guard let db = contexts.values.first?.db else { return }
        for ended in try OutcomeStore.completeEnded(Array(contexts.keys), on: db) {
            guard let context = contexts[ended.caseId], let outcomes = outcomes(of: ended.items)
            else { continue }
            let completed = CaseCompleted(completedAt: .now(), items: outcomes)
            try OutcomeStore.queueCaseSMS(
                ended, text: FamilyTexts.message(deceased: ended.deceased, FamilyTexts.completion(completed)), on: db)
            try context.emit(.caseCompleted, completed)
            context.logger.info("case completed")
        }
        // Only a reversal can end a withdrawn case's last item.
        let reversals = messages.filter { $0.received?.type.name.hasSuffix(".reversed") ?? false }.lastByCase
        guard !reversals.isEmpty else { return }
        for reversed in try OutcomeStore.markReversed(Array(reversals.keys), on: db) {
            try OutcomeStore.queueCaseSMS(
                reversed, text: FamilyTexts.message(deceased: reversed.deceased, FamilyTexts.reversalsEnded),
                cause: "reversed", on: db)
            contexts[reversed.caseId]?.logger.info("withdrawn case reversed in every department")
        }
    }

    /// Every item's outcome when all of them have ended (done or rejected); nil while one is open.
    static func outcomes(of items: [ItemState]) -> [ItemOutcome]? {
        var outcomes: [ItemOutcome] = []
        for state in items {
            guard let item = Item(rawValue: state.item) else { return nil }
            switch ItemStatus(rawValue: state.status) {
            case .done: outcomes.append(ItemOutcome(item: item, outcome: .done, summary: "办结"))
            case .rejected: outcomes.append(ItemOutcome(item: item, outcome: .rejected, summary: state.reason ?? "转线下办理"))
            default: return nil
            }
        }
        return outcomes
    }
}
