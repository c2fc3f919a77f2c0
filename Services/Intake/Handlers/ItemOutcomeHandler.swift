import HoushiContract
import HoushiRuntime
import HoushiStorage

/// Where an outcome moves its item.
enum ItemStatus: String, Sendable {
    case requested, held, done, rejected, reversed
}

/// Leaves a department's outcome to the transaction's follow-up, `IntakeHandlers.followUp`, which
/// records every outcome of the transaction on its case in one statement (the timeline, the
/// item's status and result, the family's SMS) and then completes the cases whose every requested
/// item has ended. Outcomes may arrive in any order and more than once.
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
        context.followUp.add(ItemOutcomeRecord(
            header: message.header, json: context.receivedJSON, item: item, status: status,
            sms: message.payload.familyText(item: item).map(FamilyTexts.message(around:)), logger: context.logger))
    }
}

/// Intake's handlers: one per department outcome it consumes.
enum IntakeHandlers {
    /// Follows the handlers in their transaction: records the outcomes they left, then completes
    /// the cases whose every item has ended. An outcome for a case intake does not know cannot be
    /// handled.
    static func followUp(_ messages: [HandlerContext]) throws {
        guard let first = messages.first else { return }
        try OutcomeStore.record(first.followUp.items(of: ItemOutcomeRecord.self), on: first.db) { outcome, recorded in
            guard let recorded else { throw UnprocessableMessage("intake has no case \(outcome.header.caseId.lowercased)") }
            guard recorded else { return }
            outcome.logger.info("item outcome recorded",
                                metadata: ["item": "\(outcome.item.rawValue)", "status": "\(outcome.status.rawValue)"])
        }
        try CaseCompletion.completeEnded(messages)
    }

    static func all() -> [RegisteredHandler] {
        var handlers = [
            RegisteredHandler(ItemOutcomeHandler(.hukouCancelled, item: .hukou, status: .done, as: HukouCancelled.self)),
            RegisteredHandler(ItemOutcomeHandler(.cremationCertified, item: .cremation, status: .done,
                                                 as: CremationCertified.self)),
            RegisteredHandler(CremationCompletedHandler()),
            RegisteredHandler(SubscriberOutcomeHandler()),
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
