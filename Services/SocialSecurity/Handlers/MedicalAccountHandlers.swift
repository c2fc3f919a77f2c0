import FoundationEssentials
import HoushiContract
import HoushiRuntime
import HoushiStorage
import Logging
import ServiceLifecycle

/// `medical-account.settlement-requested`: an account with no reimbursement open is settled at
/// once (balance paid to the beneficiary, account closed); one with open claims is frozen and held
/// until they are settled or the waiting period ends (`MedicalAccountSweeper`).
struct MedicalAccountHandler: MessageHandler {
    let waitingDays: Int
    var messageType: MessageType { .medicalAccountSettlementRequested }

    func handle(_ message: Envelope<MedicalAccountSettlementRequested>, context: HandlerContext) throws {
        let idNumber = message.payload.deceased.idNumber
        // The account is frozen only if this request is recorded now.
        let account: FrozenMedicalAccount?
        switch try CaseLedger.recordRequest(item: .medicalAccount, context: context, along: {
            try InsuranceRegister.freezeMedicalAccount(idNumber, requestId: context.receivedMessageId, on: context.db)
        }) {
        case .new(let frozen):
            account = frozen
        case .corrected(let status):
            // The balance is paid when the account closes: a later change of beneficiary is kept
            // for the officers (an adjustment), as the money went to the one named before.
            if status == "settled", let correction = message.payload.correction,
               correction.changedFields.contains(where: { $0.hasPrefix("beneficiary.") }) {
                try SettlementAdjustments.record(caseId: message.caseId, item: .medicalAccount, correction: correction,
                                                 note: "余额已支付给原受益人，更正后的受益人需人工处理", on: context.db)
                context.logger.warning("beneficiary corrected after the medical account was paid out")
            }
            return
        case .nothing:
            return
        }
        guard let account else {
            try context.reject(.medicalAccount, reasonCode: "not-locally-insured",
                               reason: "本市无医保个人帐户，请到参保地医保经办机构办理")
            return
        }
        switch MedicalAccountDecision.onRequest(open: account.openReimbursements, waitingDays: waitingDays) {
        case .settle(let reminder):
            try MedicalAccountSettlement.settle(message.payload, reminder: reminder, context: context)
        case .hold(let code, let reason):
            try context.hold(.medicalAccount, reasonCode: code, reason: reason, for: TimeInterval(waitingDays) * 24 * 3600)
        }
    }
}

/// Paying out a medical account: the account closed, the settlement recorded once, the ledger's
/// status, `medical-account.settled`; in the caller's transaction.
enum MedicalAccountSettlement {
    static func settle(_ request: MedicalAccountSettlementRequested, reminder: String, context: HandlerContext) throws {
        let (db, caseId) = (context.db, context.caseId)
        let closedAt = Timestamp.now()
        guard let balance = try InsuranceRegister.closeMedicalAccount(request.deceased.idNumber, caseId: caseId,
                                                                      at: closedAt, on: db)
        else { throw MedicalAccountNotOpen(caseId: caseId) }
        let settled = MedicalAccountSettled(
            balancePaidFen: balance, closedAt: closedAt,
            payee: Payee(name: request.beneficiary.name, relation: request.beneficiary.relation,
                         bankAccountLast4: String(request.beneficiary.bankAccount.suffix(4))),
            reminder: reminder)
        try InsuranceRegister.recordSettlement(settled, caseId: caseId, item: .medicalAccount,
                                               idNumber: request.deceased.idNumber, ruleVersion: nil, on: db)
        try CaseLedger.setStatus("settled", item: .medicalAccount, caseId: caseId, on: db)
        try context.emit(.medicalAccountSettled, settled)
        context.logger.info("medical account settled", metadata: ["balance_paid_fen": "\(balance)"])
    }
}

/// The account of a case is not frozen or open any more: it was settled by something else.
struct MedicalAccountNotOpen: Error, CustomStringConvertible {
    let caseId: UUID
    var description: String { "case \(caseId.lowercased): the medical account is not open or frozen" }
}

/// Settles held medical accounts once their reimbursements are settled or the waiting period is
/// over, every `interval`; each in a transaction of its own, published by the outbox publisher.
struct MedicalAccountSweeper: Service {
    let context: ServiceContext
    let interval: Duration

    func run() async throws {
        try? await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                do {
                    try await sweep()
                } catch {
                    context.logger.warning("held medical accounts not checked", metadata: ["error": "\(error)"])
                }
                try await Task.sleep(for: interval)
            }
        }
    }

    /// One pass over the held accounts; returns how many were settled.
    @discardableResult
    func sweep() async throws -> Int {
        let held = try await context.withDatabase { db in try HeldItems.open(items: [.medicalAccount], on: db) }
        var settled = 0
        for item in held {
            guard let caseId = UUID(text: item.caseId) else { continue }
            var caseLogger = context.logger
            caseLogger[metadataKey: "case"] = "\(item.caseId)"
            let (logger, context) = (caseLogger, context)
            let done = try await context.inTransaction { tx, emitted in
                try Self.settleIfDue(caseId: caseId, logger: logger, context: context, on: tx, emitted: emitted)
            }
            if done { settled += 1 }
        }
        return settled
    }

    /// Settles the held account of `caseId` if `MedicalAccountDecision.whileHeld` says so.
    private static func settleIfDue(caseId: UUID, logger: Logger, context: ServiceContext,
                                    on tx: PostgresConnection, emitted: EmittedMessages) throws -> Bool {
        guard let (request, messageId) = try CaseLedger.request(item: .medicalAccount, caseId: caseId,
                                                                as: MedicalAccountSettlementRequested.self, on: tx),
              let waitingOver = try HeldItems.deadlinePassed(caseId: caseId, item: .medicalAccount, on: tx)
        else { return false }
        let claims = try InsuranceRegister.openReimbursements(request.deceased.idNumber, on: tx)
        guard case .settle(let reminder)? = MedicalAccountDecision.whileHeld(open: claims, waitingOver: waitingOver)
        else { return false }
        let reason = claims.isEmpty ? "医疗费用报销已结清" : "等待期已满"
        guard try HeldItems.decide(caseId: caseId, item: .medicalAccount, approved: true, by: "system", reason: reason,
                                   on: tx) == .request
        else { return false }
        let handling = HandlerContext(db: tx, logger: logger, department: .socialSecurity, caseId: caseId,
                                      causationId: messageId, trace: .start(), emitted: emitted)
        try MedicalAccountSettlement.settle(request, reminder: reminder, context: handling)
        return true
    }
}
