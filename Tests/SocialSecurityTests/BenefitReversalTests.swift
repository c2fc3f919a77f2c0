import HoushiContract
import Testing
@testable import SocialSecurity

/// What a withdrawal undoes in social security, decided without the database.
@Suite struct BenefitReversalTests {
    static let settled = PensionSettled(
        stopFrom: YearMonth("2026-12")!, monthlyPensionFen: 300_000, overpaymentToRecoverFen: 300_000, arrearsToPayFen: 0,
        funeralGrantFen: 650_000, survivorBenefitFen: 2_925_000, personalAccountBalanceFen: 120_000,
        netPayableFen: 3_395_000, benefitsByOldProcess: false, ruleVersion: "test")
    static let months = [YearMonth("2027-01")!, YearMonth("2027-02")!]

    struct PensionRow: Sendable, CustomTestStringConvertible {
        let status: String
        let settlement: PensionSettled?
        let paidOut: Bool
        let resumes: Bool
        let cancels: Bool
        let recoveredFen: Int64
        let detailHas: String
        var testDescription: String { "\(status), \(settlement == nil ? "unsettled" : paidOut ? "paid" : "unpaid")" }
    }

    @Test("the pension item", arguments: [
        PensionRow(status: "rejected", settlement: nil, paidOut: false, resumes: false, cancels: false, recoveredFen: 0,
                   detailHas: "无需撤销"),
        PensionRow(status: "received", settlement: nil, paidOut: false, resumes: true, cancels: false, recoveredFen: 0,
                   detailHas: "暂停期间2个月（2027-01至2027-02）共6000.00元补发"),
        PensionRow(status: "held", settlement: nil, paidOut: false, resumes: true, cancels: false, recoveredFen: 0,
                   detailHas: "养老金恢复发放"),
        PensionRow(status: "settled", settlement: settled, paidOut: false, resumes: true, cancels: true, recoveredFen: 0,
                   detailHas: "待遇核定已撤销，未支付"),
        PensionRow(status: "settled", settlement: settled, paidOut: true, resumes: true, cancels: true,
                   recoveredFen: 3_395_000, detailHas: "已支付的待遇共33950.00元列为待追回"),
    ])
    func pension(_ row: PensionRow) {
        let reversal = BenefitReversal.pension(status: row.status, settlement: row.settlement, paidOut: row.paidOut,
                                               monthsDue: Self.months, monthlyPensionFen: 300_000)
        #expect(reversal.resumePension == row.resumes)
        #expect(reversal.cancelSettlement == row.cancels)
        #expect(!reversal.reopenMedicalAccount)
        #expect(reversal.recoveries.reduce(0) { $0 + $1.amountFen } == row.recoveredFen)
        #expect(reversal.detail.contains(row.detailHas), "\(reversal.detail)")
    }

    @Test("what was paid is recovered item by item, the deducted overpayment netted, nothing for the old process")
    func pensionRecoveries() {
        let paid = BenefitReversal.pension(status: "settled", settlement: Self.settled, paidOut: true, monthsDue: [],
                                           monthlyPensionFen: 300_000)
        #expect(paid.recoveries.map(\.kind) == ["funeral-grant", "survivor-benefit", "pension-account-balance",
                                                "overpayment-deducted"])
        #expect(paid.detail == "养老金恢复发放；已支付的待遇共33950.00元列为待追回")
        var oldProcess = Self.settled
        oldProcess.benefitsByOldProcess = true
        #expect(BenefitReversal.pension(status: "settled", settlement: oldProcess, paidOut: true, monthsDue: [],
                                        monthlyPensionFen: 300_000).recoveries.isEmpty)
        var familyOwed = Self.settled
        familyOwed.netPayableFen = -100
        #expect(BenefitReversal.pension(status: "settled", settlement: familyOwed, paidOut: true, monthsDue: [],
                                        monthlyPensionFen: 300_000).recoveries.isEmpty)
    }

    @Test("the medical account: rejected untouched, frozen reopened, settled reopened with its balance to recover")
    func medicalAccount() {
        #expect(BenefitReversal.medicalAccount(status: "rejected", settlement: nil)
                == BenefitReversal(detail: "未办理医保个人帐户清算，无需撤销"))
        #expect(BenefitReversal.medicalAccount(status: "held", settlement: nil)
                == BenefitReversal(reopenMedicalAccount: true, detail: "医保个人帐户已解冻"))
        let settled = MedicalAccountSettled(balancePaidFen: 50_000, closedAt: Timestamp(rfc3339: "2026-11-29T08:00:00+08:00")!,
                                            payee: Payee(name: "李建国", relation: .child, bankAccountLast4: "4567"),
                                            reminder: "")
        #expect(BenefitReversal.medicalAccount(status: "settled", settlement: settled) == BenefitReversal(
            cancelSettlement: true, reopenMedicalAccount: true,
            recoveries: [.init(kind: "medical-account-balance", amountFen: 50_000)],
            detail: "医保个人帐户已恢复；已支付的余额500.00元列为待追回"))
    }
}
