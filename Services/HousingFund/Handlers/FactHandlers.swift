import HoushiContract
import HoushiRuntime
import HoushiStorage

/// `death.recorded`: freezes the deceased's account and opens a withdrawal for the heirs with
/// its balance (`FundDecision`), and tells the case what was done.
struct DeathRecordedHandler: MessageHandler {
    let messageType = PublicFacts.deathRecorded

    func handle(_ message: Envelope<DeathRecorded>, context: HandlerContext) throws {
        let standing = try FundLedger.recordDeath(caseId: message.caseId, message.payload, factsAt: message.occurredAt,
                                                  on: context.db)
        let decision = FundDecision.onDeathRecorded(standing, account: try FundLedger.account(idNumber: message.payload.idNumber,
                                                                                              on: context.db))
        var caseNumber: String?
        if case .openWithdrawal(let account, let balance) = decision {
            caseNumber = try FundLedger.openWithdrawal(caseId: message.caseId, account: account, balanceFen: balance,
                                                       on: context.db)
        }
        try report(decision, caseNumber: caseNumber, context: context)
    }
}

/// `death.withdrawn`: unfreezes the account and cancels the withdrawal the death opened.
struct DeathWithdrawnHandler: MessageHandler {
    let messageType = PublicFacts.deathWithdrawn

    func handle(_ message: Envelope<DeathWithdrawn>, context: HandlerContext) throws {
        let decision = FundDecision.onDeathWithdrawn(try FundLedger.recordWithdrawal(caseId: message.caseId, message.payload,
                                                                                     on: context.db))
        let caseNumber = decision == .reverse ? try FundLedger.reverseWithdrawal(caseId: message.caseId, on: context.db) : nil
        try report(decision, caseNumber: caseNumber, context: context)
    }
}

/// `cremation.recorded`: its time goes with the case's facts (the heirs need not bring the
/// cremation certificate).
struct CremationRecordedHandler: MessageHandler {
    let messageType = PublicFacts.cremationRecorded

    func handle(_ message: Envelope<CremationRecorded>, context: HandlerContext) throws {
        try FundLedger.recordCremation(caseId: message.caseId, message.payload, on: context.db)
    }
}

/// Logs the decision and emits its outcome for the case's view, if it has one.
private func report(_ decision: FundDecision, caseNumber: String?, context: HandlerContext) throws {
    context.logger.info("death fact handled", metadata: ["decision": "\(decision.logName)",
                                                         "withdrawal": "\(caseNumber ?? "")"])
    if let outcome = decision.outcome(caseNumber: caseNumber) {
        try context.emit(PublicFacts.subscriberOutcome, outcome)
    }
}

extension FundDecision {
    /// Its name in logs, without the account number.
    var logName: String {
        switch self {
        case .openWithdrawal: "open-withdrawal"
        case .noAccount: "no-account"
        case .accountClosed: "account-closed"
        case .updateFacts: "update-facts"
        case .reverse: "reverse"
        case .ignore: "ignore"
        }
    }
}
