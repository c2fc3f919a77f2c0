import HoushiContract

/// What social security undoes for a withdrawn case's item, decided from what its records hold:
/// the pension resumed (the months held back due again), a settlement cancelled, a closed or
/// frozen medical account reopened, and whatever was paid out recorded as amounts to recover.
struct BenefitReversal: Sendable, Equatable {
    /// An amount paid out for the case that must be recovered, in fen.
    struct Recovery: Sendable, Equatable {
        /// e.g. `funeral-grant`.
        let kind: String
        let amountFen: Int64
    }

    var resumePension = false
    var cancelSettlement = false
    var reopenMedicalAccount = false
    var recoveries: [Recovery] = []
    /// For the family and the clerk, in Chinese.
    var detail: String

    /// The pension item. `status` is the claim's in the ledger; `settlement` its figures, if
    /// settled; `monthsDue` the payment runs' months the pension was held back in.
    static func pension(status: String, settlement: PensionSettled?, paidOut: Bool, monthsDue: [YearMonth],
                        monthlyPensionFen: Int64) -> BenefitReversal {
        guard status != "rejected" else { return BenefitReversal(detail: "未办理养老保险待遇，无需撤销") }
        var reversal = BenefitReversal(resumePension: true, detail: "养老金恢复发放")
        if let first = monthsDue.first, let last = monthsDue.last {
            let span = first == last ? "\(first)" : "\(first)至\(last)"
            reversal.detail += "，暂停期间\(monthsDue.count)个月（\(span)）共\(yuan(Int64(monthsDue.count) * monthlyPensionFen))补发"
        }
        guard let settlement else { return reversal }
        reversal.cancelSettlement = true
        guard paidOut, settlement.netPayableFen > 0, !settlement.benefitsByOldProcess else {
            reversal.detail += "；待遇核定已撤销，未支付"
            return reversal
        }
        reversal.recoveries = [
            Recovery(kind: "pension-arrears", amountFen: settlement.arrearsToPayFen),
            Recovery(kind: "funeral-grant", amountFen: settlement.funeralGrantFen),
            Recovery(kind: "survivor-benefit", amountFen: settlement.survivorBenefitFen),
            Recovery(kind: "pension-account-balance", amountFen: settlement.personalAccountBalanceFen),
            Recovery(kind: "overpayment-deducted", amountFen: -settlement.overpaymentToRecoverFen),
        ].filter { $0.amountFen != 0 }
        reversal.detail += "；已支付的待遇共\(yuan(settlement.netPayableFen))列为待追回"
        return reversal
    }

    /// The medical account item: `status` is the request's in the ledger; `settlement` its
    /// figures, if settled (the balance is paid out when the account closes).
    static func medicalAccount(status: String, settlement: MedicalAccountSettled?) -> BenefitReversal {
        switch (status, settlement) {
        case ("rejected", _):
            return BenefitReversal(detail: "未办理医保个人帐户清算，无需撤销")
        case (_, let settled?):
            var reversal = BenefitReversal(cancelSettlement: true, reopenMedicalAccount: true, detail: "医保个人帐户已恢复")
            if settled.balancePaidFen > 0 {
                reversal.recoveries = [Recovery(kind: "medical-account-balance", amountFen: settled.balancePaidFen)]
                reversal.detail += "；已支付的余额\(yuan(settled.balancePaidFen))列为待追回"
            }
            return reversal
        default:
            return BenefitReversal(reopenMedicalAccount: true, detail: "医保个人帐户已解冻")
        }
    }
}
