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
        guard try CaseLedger.recordRequest(item: .pension, context: context)
        else {
            context.logger.info("case already has a pension claim")
            return
        }
        guard let person = try InsuranceRegister.person(message.payload.deceased.idNumber, on: context.db),
              person.insuredHere
        else {
            try CaseLedger.setStatus("rejected", item: .pension, caseId: message.caseId, on: context.db)
            try context.emit(.rejected(.pension), ItemRejected(
                reasonCode: "not-locally-insured",
                reason: "未在本市参保，不适用一站式联办，请到参保地社保经办机构办理 (not insured in this city)"))
            return
        }
        try InsuranceRegister.setPension("suspended", idNumber: person.idNumber, on: context.db)
        context.logger.info("pension suspended")
    }
}

/// Settling a pension: the figures by the rules in force on the date of death, recorded once,
/// the pension stopped, `pension.settled` (or `pension.held`) published. It follows the commit
/// of consumed messages (`MessageProcessor.AfterCommit`), so that the claim and `hukou.cancelled`
/// of one case, handled at the same moment by different consumers, never wait for each other:
/// the follow-up that starts after both have committed sees both, and the locked claim, still
/// `received`, lets exactly one follow-up settle it.
struct PensionSettlement {
    let rules: BenefitRules

    /// Settles the pension of every case of `messages` whose claim waits for nothing more.
    func settleReady(_ messages: [HandlerContext]) throws {
        guard let db = messages.first?.db else { return }
        let contexts = messages.lastPerCase
        let ready = try CaseLedger.cases(among: contexts.map(\.caseId), withRequest: .pension, status: "received",
                                         once: .hukouCancelled, on: db)
        for context in contexts where ready.contains(context.caseId) {
            try settleIfReady(context)
        }
    }

    private func settleIfReady(_ context: HandlerContext) throws {
        let (db, caseId) = (context.db, context.caseId)
        guard let claim = try CaseLedger.request(item: .pension, caseId: caseId, as: PensionClaimRequested.self,
                                                 status: "received", once: .hukouCancelled, on: db),
              let person = try InsuranceRegister.person(claim.deceased.idNumber, on: db), person.insuredHere
        else { return }
        let ledger = try InsuranceRegister.ledger(of: person.idNumber, on: db)
        let input = SettlementInput(
            dateOfDeath: claim.diedAt.localDate, monthlyPensionFen: person.retired ? person.monthlyPensionFen : 0,
            retired: person.retired, pensionStart: person.retired ? person.pensionStart : nil, ledger: ledger,
            personalAccountBalanceFen: person.personalAccountBalanceFen, employerType: person.employerType,
            beneficiaryRelation: claim.beneficiary.relation)
        switch try settle(input, rules: rules) {
        case .settled(let figures):
            let payee = Payee(name: claim.beneficiary.name, relation: claim.beneficiary.relation,
                              bankAccountLast4: String(claim.beneficiary.bankAccount.suffix(4)))
            let settled = figures.pensionSettled(payee: payee)
            guard try InsuranceRegister.recordSettlement(settled, caseId: caseId, item: .pension, idNumber: person.idNumber,
                                                         ruleVersion: figures.ruleVersion, on: db)
            else { return }
            try InsuranceRegister.setPension("stopped", idNumber: person.idNumber, on: db)
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
        guard try CaseLedger.recordRequest(item: .medicalAccount, context: context)
        else { return }
        let closedAt = Timestamp.now()
        guard let person = try InsuranceRegister.person(request.deceased.idNumber, locked: false, on: db),
              person.insuredHere,
              let balance = try InsuranceRegister.closeMedicalAccount(person.idNumber, caseId: message.caseId,
                                                                      at: closedAt, on: db)
        else {
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
        _ = try InsuranceRegister.recordSettlement(settled, caseId: message.caseId, item: .medicalAccount,
                                                   idNumber: person.idNumber, ruleVersion: nil, on: db)
        try CaseLedger.setStatus("settled", item: .medicalAccount, caseId: message.caseId, on: db)
        try context.emit(.medicalAccountSettled, settled)
        context.logger.info("medical account settled", metadata: ["balance_paid_fen": "\(balance)"])
    }
}
