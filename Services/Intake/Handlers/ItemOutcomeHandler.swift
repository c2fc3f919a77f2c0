import HoushiContract
import HoushiRuntime
import HoushiStorage

/// Where an outcome moves its item.
enum ItemStatus: String, Sendable {
    case requested, held, done, rejected, reversed
}

/// Records a department's outcome on the case (timeline, item status and result, the family's
/// SMS); `CaseCompletion` then completes the case when every requested item has ended. Outcomes
/// may arrive in any order and more than once.
struct ItemOutcomeHandler<Payload: Codable & Sendable & FamilyNotice>: MessageHandler {
    let messageType: MessageType
    let item: Item
    let status: ItemStatus

    init(_ type: MessageType, item: Item, status: ItemStatus, as payload: Payload.Type) {
        messageType = type
        self.item = item
        self.status = status
    }

    func handle(_ message: Envelope<Payload>, context: HandlerContext) throws {
        let sms = message.payload.familyText(item: item).map(FamilyTexts.message(around:))
        let (item, status, logger) = (item, status, context.logger)
        try OutcomeStore.record(message, json: context.receivedJSON, item: item, status: status, sms: sms,
                                on: context.db) { recorded in
            guard let recorded else { throw UnprocessableMessage("intake has no case \(message.caseId.lowercased)") }
            guard recorded else { return }
            logger.info("item outcome recorded", metadata: ["item": "\(item.rawValue)", "status": "\(status.rawValue)"])
        }
    }
}

/// Intake's handlers: one per department outcome it consumes.
enum IntakeHandlers {
    static func all() -> [RegisteredHandler] {
        var handlers = [
            RegisteredHandler(ItemOutcomeHandler(.hukouCancelled, item: .hukou, status: .done, as: HukouCancelled.self)),
            RegisteredHandler(ItemOutcomeHandler(.cremationCertified, item: .cremation, status: .done,
                                                 as: CremationCertified.self)),
            RegisteredHandler(ItemOutcomeHandler(.cremationCompleted, item: .cremation, status: .done,
                                                 as: CremationCompleted.self)),
            RegisteredHandler(ItemOutcomeHandler(.pensionSettled, item: .pension, status: .done, as: PensionSettled.self)),
            RegisteredHandler(ItemOutcomeHandler(.medicalAccountSettled, item: .medicalAccount, status: .done,
                                                 as: MedicalAccountSettled.self)),
        ]
        for item in Item.allCases {
            handlers += [
                RegisteredHandler(ItemOutcomeHandler(.rejected(item), item: item, status: .rejected, as: ItemRejected.self)),
                RegisteredHandler(ItemOutcomeHandler(.held(item), item: item, status: .held, as: ItemHeld.self)),
                RegisteredHandler(ItemOutcomeHandler(.reversed(item), item: item, status: .reversed, as: ItemReversed.self)),
            ]
        }
        return handlers
    }
}
