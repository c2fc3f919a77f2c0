import HoushiContract
import HoushiRuntime
import HoushiStorage

/// Where an outcome moves its item.
enum ItemStatus: String, Sendable {
    case requested, held, done, rejected, reversed
}

/// Records a department's outcome on the case (timeline, item status and result) and, when
/// every requested item has ended, completes the case and publishes `case.completed`.
/// Outcomes may arrive in any order and more than once.
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
        let db = context.db
        // Locking the case serialises the outcomes of one case, so exactly one sees it complete.
        guard let deceased = try db.execute("""
            SELECT notice->'deceased'->>'name' AS name FROM cases WHERE case_id = $1 FOR UPDATE
            """, [message.caseId]).first?["name"]
        else { throw UnprocessableMessage("intake has no case \(message.caseId.lowercased)") }
        guard try CaseStore.recordEvent(message, on: db) else { return }
        if let text = message.payload.familyText(item: item) {
            try SMSOutbox.enqueue(caseId: message.caseId, cause: message.id.lowercased,
                                  text: FamilyTexts.message(deceased: deceased, text), on: db)
        }
        let result = String(decoding: try MessageCodec().encodeValue(message.payload), as: UTF8.self)
        // A late `held` never reopens an item that has ended.
        try db.execute("""
            UPDATE case_items SET status = $3, result = coalesce(result, '{}'::jsonb) || $4::jsonb, updated_at = now()
            WHERE case_id = $1 AND item = $2 AND NOT ($3 = 'held' AND status IN ('done', 'rejected'))
            """, [message.caseId, item.rawValue, status.rawValue, result])
        context.logger.info("item outcome recorded", metadata: ["item": "\(item.rawValue)", "status": "\(status.rawValue)"])
        try completeIfEnded(message, deceased: deceased, context: context)
    }

    private func completeIfEnded(_ message: Envelope<Payload>, deceased: String, context: HandlerContext) throws {
        let items = try context.db.execute("""
            SELECT item, status, result->>'reason' AS reason FROM case_items WHERE case_id = $1 ORDER BY item
            """, [message.caseId]).rows
        let outcomes: [ItemOutcome] = try items.compactMap { row in
            guard let item = Item(rawValue: try row.string("item")) else { return nil }
            switch ItemStatus(rawValue: try row.string("status")) {
            case .done: return ItemOutcome(item: item, outcome: .done, summary: "办结")
            case .rejected: return ItemOutcome(item: item, outcome: .rejected, summary: row["reason"] ?? "转线下办理")
            default: return nil
            }
        }
        guard outcomes.count == items.count, try context.db.execute("""
            UPDATE cases SET status = 'completed', completed_at = now() WHERE case_id = $1 AND status = 'open'
            """, [message.caseId]).affectedRows == 1
        else { return }
        let completed = CaseCompleted(completedAt: .now(), items: outcomes)
        try context.emit(.caseCompleted, completed)
        try SMSOutbox.enqueue(caseId: message.caseId, cause: "completed:\(message.caseId.lowercased)",
                              text: FamilyTexts.message(deceased: deceased, FamilyTexts.completion(completed)), on: context.db)
        context.logger.info("case completed")
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
