import FoundationEssentials
import HoushiContract
import HoushiRuntime
import HoushiStorage

/// `pension.claim-requested`: suspend the pension at once (no payment run pays a dead person) and
/// reject a claim for someone not insured here; `PensionSettlement` settles once `hukou.cancelled`
/// is there too.
struct PensionClaimHandler: MessageHandler {
    var messageType: MessageType { .pensionClaimRequested }

    func handle(_ message: Envelope<PensionClaimRequested>, context: HandlerContext) throws {
        guard let insuredHere = try CaseLedger.recordRequest(item: .pension, context: context, along: {
            try InsuranceRegister.lockIfInsuredHere(message.payload.deceased.idNumber, on: context.db)
        }) else {
            context.logger.info("case already has a pension claim")
            return
        }
        guard insuredHere else {
            try CaseLedger.setStatus("rejected", item: .pension, caseId: message.caseId, on: context.db)
            try context.emit(.rejected(.pension), ItemRejected(
                reasonCode: "not-locally-insured",
                reason: "未在本市参保，不适用一站式联办，请到参保地社保经办机构办理 (not insured in this city)"))
            return
        }
        try InsuranceRegister.setPension("suspended", idNumber: message.payload.deceased.idNumber, on: context.db)
        context.logger.info("pension suspended")
    }
}

/// Settling a pension: the figures by the rules in force on the date of death, recorded once,
/// the pension stopped, `pension.settled` (or `pension.held`) published. It follows the handlers
/// in their transaction (`MessageProcessor.FollowUp`): the claim and `hukou.cancelled` of one
/// case may be recorded at the same moment by different consumers, so it locks the case first,
/// and the second to take the lock finds both; the locked claim, still `received`, lets exactly
/// one settle it.
struct PensionSettlement {
    let rules: BenefitRules

    /// Settles the pension of every case of `messages` whose claim waits for nothing more: only a
    /// claim or `hukou.cancelled` can make one ready.
    func settleReady(_ messages: [HandlerContext]) throws {
        let contexts = messages.filter { [.pensionClaimRequested, .hukouCancelled].contains($0.received?.type) }.lastByCase
        guard let db = contexts.values.first?.db else { return }
        for ready in try PensionClaims.readyToSettle(among: contexts.keys.sorted(), on: db) {
            if let context = contexts[ready.caseId] { try record(ready, context: context) }
        }
    }

    /// Settles a ready claim, or holds it when its figures cannot be settled.
    private func record(_ ready: ReadyClaim, context: HandlerContext) throws {
        let (db, caseId, claim) = (context.db, context.caseId, ready.claim)
        switch try settle(ready.settlementInput, rules: rules) {
        case .settled(let figures):
            let payee = Payee(name: claim.beneficiary.name, relation: claim.beneficiary.relation,
                              bankAccountLast4: String(claim.beneficiary.bankAccount.suffix(4)))
            let settled = figures.pensionSettled(payee: payee)
            // The claim, locked and still `received`, has no settlement yet: one found means
            // the ledger and the settlements disagree, and nothing of this transaction commits.
            try InsuranceRegister.recordSettlement(settled, caseId: caseId, item: .pension, idNumber: ready.idNumber,
                                                   ruleVersion: figures.ruleVersion, on: db) { recorded in
                guard recorded else { throw SettledBefore(caseId: caseId) }
            }
            try InsuranceRegister.setPension("stopped", idNumber: ready.idNumber, on: db)
            try CaseLedger.setStatus("settled", item: .pension, caseId: caseId, on: db)
            try context.emit(.pensionSettled, settled)
            context.logger.info("pension settled", metadata: ["rule_version": "\(figures.ruleVersion)",
                                                              "net_payable_fen": "\(figures.netPayableFen)"])
        case .held(let code, let reason):
            let receivedAt = Timestamp.now()
            let deadline = Timestamp(receivedAt.date.addingTimeInterval(3 * 24 * 3600))
            try HeldItems.hold(caseId: caseId, item: .pension, reasonCode: code, reason: reason, receivedAt: receivedAt,
                               deadline: deadline, on: db)
            try CaseLedger.setStatus("held", item: .pension, caseId: caseId, on: db)
            try context.emit(.held(.pension), ItemHeld(reasonCode: code, reason: reason, deadline: deadline))
        }
    }
}

/// `medical-account.settlement-requested`: pay the medical account's balance to the beneficiary,
/// close the account, and remind the family to finish pending reimbursements first.
struct MedicalAccountHandler: MessageHandler {
    static let reminder = "请先结清尚未完成的医疗费用报销，再办理医保个人帐户余额领取。继承相关事宜请于30日内办理。"
    var messageType: MessageType { .medicalAccountSettlementRequested }

    func handle(_ message: Envelope<MedicalAccountSettlementRequested>, context: HandlerContext) throws {
        let request = message.payload
        let db = context.db
        let closedAt = Timestamp.now()
        // The account closes only if this request is recorded now.
        guard let closed = try CaseLedger.recordRequest(item: .medicalAccount, context: context, along: {
            try InsuranceRegister.closeMedicalAccount(request.deceased.idNumber, caseId: message.caseId,
                                                      requestId: context.receivedMessageId, at: closedAt, on: db)
        }) else { return }
        guard let balance = closed else {
            try CaseLedger.setStatus("rejected", item: .medicalAccount, caseId: message.caseId, on: db)
            try context.emit(.rejected(.medicalAccount), ItemRejected(
                reasonCode: "not-locally-insured",
                reason: "本市无医保个人帐户，请到参保地医保经办机构办理 (no medical account in this city)"))
            return
        }
        let settled = MedicalAccountSettled(
            balancePaidFen: balance, closedAt: closedAt,
            payee: Payee(name: request.beneficiary.name, relation: request.beneficiary.relation,
                         bankAccountLast4: String(request.beneficiary.bankAccount.suffix(4))),
            reminder: Self.reminder)
        try InsuranceRegister.recordSettlement(settled, caseId: message.caseId, item: .medicalAccount,
                                               idNumber: request.deceased.idNumber, ruleVersion: nil, on: db)
        try CaseLedger.setStatus("settled", item: .medicalAccount, caseId: message.caseId, on: db)
        try context.emit(.medicalAccountSettled, settled)
        context.logger.info("medical account settled", metadata: ["balance_paid_fen": "\(balance)"])
    }
}

/// A pension claim still waiting to settle whose case has a settlement: the ledger and the
/// settlements disagree.
struct SettledBefore: Error, CustomStringConvertible {
    let caseId: UUID
    var description: String { "case \(caseId.lowercased) has a pension settlement already" }
}
