import HoushiContract
import HoushiRuntime
import HoushiStorage

/// `cremation.completed`: the cremation item's outcome, as every outcome, and the public
/// `cremation.recorded` for the subscribers outside (数据共享): when and where, under the
/// deceased's ID number. A withdrawn case shares nothing more.
struct CremationCompletedHandler: MessageHandler {
    let messageType = MessageType.cremationCompleted
    private let outcome = ItemOutcomeHandler(.cremationCompleted, item: .cremation, status: .done, as: CremationCompleted.self)

    func handle(_ message: Envelope<CremationCompleted>, context: HandlerContext) throws {
        try outcome.handle(message, context: context)
        guard let idNumber = try context.db.execute(
            "SELECT deceased_id_number FROM cases WHERE case_id = $1 AND status <> 'withdrawn'", [message.caseId]
        ).first?["deceased_id_number"] else { return }
        try context.emit(PublicFacts.cremationRecorded, CremationRecorded(
            idNumber: idNumber, crematedAt: message.payload.crematedAt, funeralHome: message.payload.funeralHome.name))
    }
}
