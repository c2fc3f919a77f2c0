import FoundationEssentials
import HoushiContract
import HoushiRuntime
import HoushiStorage

/// `pension.claim-requested`: suspend the pension at once (no payment run pays a dead person) and
/// reject a claim for someone not insured here; `PensionSettlement` settles it when it is ready.
struct PensionClaimHandler: MessageHandler {
    let rules: BenefitRules
    var messageType: MessageType { .pensionClaimRequested }

    func handle(_ message: Envelope<PensionClaimRequested>, context: HandlerContext) throws {
        let insuredHere: Bool
        switch try CaseLedger.recordRequest(item: .pension, context: context, along: {
            try InsuranceRegister.lockIfInsuredHere(message.payload.deceased.idNumber, on: context.db)
        }) {
        case .new(let found):
            insuredHere = found
        case .corrected(let status):
            // An unsettled claim settles from the corrected request when it is ready.
            if status == "settled", let correction = message.payload.correction {
                try PensionSettlement(rules: rules).resettle(caseId: message.caseId, correction: correction, context: context)
            }
            return
        case .nothing:
            context.logger.info("case already has a pension claim")
            return
        }
        guard insuredHere else {
            try context.reject(.pension, reasonCode: "not-locally-insured", reason: "未在本市参保，请到参保地社保经办机构办理")
            return
        }
        try InsuranceRegister.setPension("suspended", idNumber: message.payload.deceased.idNumber, on: context.db)
        context.logger.info("pension suspended")
    }
}

/// Settling a pension: the figures by the rules in force on the date of death, recorded once,
/// the pension stopped, `pension.settled` (or `pension.held`) published. It follows the handlers
/// in their transaction (`MessageProcessor.FollowUp`): the claim and public security's answer of
/// one case may be recorded at the same moment by different consumers, so it locks the case
/// first, and the second to take the lock finds both; the locked claim, still `received`, lets
/// exactly one settle it.
struct PensionSettlement {
    /// The messages that can make a claim ready: the claim itself and public security's answers.
    static let triggers: Set<MessageType> = [.pensionClaimRequested, .hukouCancelled, .rejected(.hukou)]
    /// How long a social security officer has for a held claim.
    static let reviewTime: TimeInterval = 3 * 24 * 3600

    let rules: BenefitRules

    /// Settles or holds the pension of every case of `messages` whose claim `PensionReadiness`
    /// lets go on; one that waits for public security is left as it is.
    func settleReady(_ messages: [HandlerContext]) throws {
        let contexts = messages.filter { $0.received.map { Self.triggers.contains($0.type) } ?? false }.lastByCase
        guard let db = contexts.values.first?.db else { return }
        for pending in try PensionClaims.pending(among: contexts.keys.sorted(), on: db) {
            guard let context = contexts[pending.caseId] else { continue }
            switch pending.readiness {
            case .settle:
                try settle(pending, context: context)
            case .hold(let code, let reason):
                try context.hold(.pension, reasonCode: code, reason: reason, for: Self.reviewTime)
            case .waitForPublicSecurity:
                context.logger.info("pension claim waits for public security's answer")
            }
        }
    }

    /// Settles a claim, or holds it when its figures cannot be worked out.
    func settle(_ pending: PendingClaim, context: HandlerContext) throws {
        switch try SocialSecurity.settle(pending.settlementInput, rules: rules) {
        case .settled(let figures):
            try record(figures, of: pending, context: context)
        case .held(let code, let reason):
            try context.hold(.pension, reasonCode: code, reason: reason, for: Self.reviewTime)
        }
    }

    /// Records settled figures: the settlement once, the pension stopped, the ledger's status and
    /// `pension.settled` published.
    func record(_ figures: SettlementFigures, of pending: PendingClaim, context: HandlerContext) throws {
        let (db, caseId, claim) = (context.db, context.caseId, pending.claim)
        let payee = Payee(name: claim.beneficiary.name, relation: claim.beneficiary.relation,
                          bankAccountLast4: String(claim.beneficiary.bankAccount.suffix(4)))
        let settled = figures.pensionSettled(payee: payee)
        // The claim, locked and not settled yet, has no settlement: one found means the ledger
        // and the settlements disagree, and nothing of this transaction commits.
        try InsuranceRegister.recordSettlement(settled, caseId: caseId, item: .pension, idNumber: pending.idNumber,
                                               ruleVersion: figures.ruleVersion, on: db) { recorded in
            guard recorded else { throw SettledBefore(caseId: caseId) }
        }
        try InsuranceRegister.setPension("stopped", idNumber: pending.idNumber, on: db)
        try CaseLedger.setStatus("settled", item: .pension, caseId: caseId, on: db)
        try context.emit(.pensionSettled, settled)
        context.logger.info("pension settled", metadata: ["rule_version": "\(figures.ruleVersion)",
                                                          "net_payable_fen": "\(figures.netPayableFen)"])
    }
}

extension PensionSettlement {
    /// Settles a corrected claim again, when what it changed counts for the figures (the time of
    /// death, the beneficiary): the new figures replace the settlement, an adjustment keeps what
    /// they were (and, once paid out, the difference to pay or recover), `pension.settled` is
    /// published again.
    func resettle(caseId: UUID, correction: RequestCorrection, context: HandlerContext) throws {
        guard correction.changedFields.contains(where: { $0 == "deceased.diedAt" || $0.hasPrefix("beneficiary.") }) else {
            context.logger.info("correction changes no settlement figure")
            return
        }
        guard let pending = try PensionClaims.pending(among: [caseId], status: "settled", on: context.db).first else { return }
        guard case .settled(let figures) = try SocialSecurity.settle(pending.settlementInput, rules: rules) else {
            throw UnprocessableMessage("the corrected claim of case \(caseId.lowercased) cannot be settled again")
        }
        let claim = pending.claim
        let settled = figures.pensionSettled(payee: Payee(name: claim.beneficiary.name, relation: claim.beneficiary.relation,
                                                          bankAccountLast4: String(claim.beneficiary.bankAccount.suffix(4))))
        let difference = try SettlementAdjustments.replace(caseId: caseId, item: .pension, with: settled,
                                                           netPayableFen: settled.netPayableFen, ruleVersion: figures.ruleVersion,
                                                           correction: correction, on: context.db)
        try context.emit(.pensionSettled, settled)
        context.logger.info("pension settled again after a correction",
                            metadata: ["net_payable_fen": "\(settled.netPayableFen)", "to_pay_fen": "\(difference ?? 0)"])
    }
}

extension HandlerContext {
    /// Holds `item` for a social security officer, due `duration` from now.
    func hold(_ item: Item, reasonCode: String, reason: String, for duration: TimeInterval) throws {
        let receivedAt = Timestamp.now()
        let deadline = Timestamp(receivedAt.date.addingTimeInterval(duration))
        try hold(item, reasonCode: reasonCode, reason: reason, receivedAt: receivedAt, deadline: deadline)
        logger.info("held for an officer", metadata: ["item": "\(item.rawValue)", "reason_code": "\(reasonCode)",
                                                      "deadline": "\(deadline)"])
    }
}

/// A pension claim still waiting to settle whose case has a settlement: the ledger and the
/// settlements disagree.
struct SettledBefore: Error, CustomStringConvertible {
    let caseId: UUID
    var description: String { "case \(caseId.lowercased) has a pension settlement already" }
}
