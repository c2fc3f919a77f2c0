import HoushiContract

/// One month of the pension payment ledger (养老金发放台账).
struct LedgerEntry: Sendable, Equatable {
    /// The month the payment is for, not the day it was made.
    var month: YearMonth
    var amountFen: Int64
    /// False for a payment scheduled but not made.
    var paid: Bool
}

/// What social security knows about the deceased when it settles.
struct SettlementInput: Sendable, Equatable {
    var dateOfDeath: CalendarDate
    /// The monthly basic pension; 0 when not retired.
    var monthlyPensionFen: Int64
    var retired: Bool
    /// The first month the pension was due; nil when not retired.
    var pensionStart: YearMonth?
    /// Payments by month; a month with no paid entry was not paid.
    var ledger: [LedgerEntry]
    /// The personal pension account (养老保险个人账户) balance.
    var personalAccountBalanceFen: Int64
    var employerType: EmployerType
    /// The benefit recipient's relation; nil when no direct relative was named.
    var beneficiaryRelation: BeneficiaryRelation?
}

/// An input that cannot be settled, naming the problem.
struct SettlementInputError: Error, Equatable, Sendable, CustomStringConvertible {
    var problem: String

    var description: String { problem }
}

/// The settlement (停发退补) in fen, as `pension.settled` carries it.
struct SettlementFigures: Sendable, Equatable {
    /// The month after the month of death: the first month not due.
    var stopFrom: YearMonth
    var monthlyPensionFen: Int64
    /// Paid for months from `stopFrom` on, to be recovered (退).
    var overpaymentToRecoverFen: Int64
    /// Due up to the month of death and not paid, to be paid (补).
    var arrearsToPayFen: Int64
    /// 丧葬补助金; 0 under the old process.
    var funeralGrantFen: Int64
    /// 抚恤金; 0 under the old process.
    var survivorBenefitFen: Int64
    /// The personal account balance for the heir; 0 for a retired person.
    var personalAccountBalanceFen: Int64
    /// Arrears, grant, benefit and balance less the overpayment; negative when the family owes.
    var netPayableFen: Int64
    /// 机关事业单位: the grant and benefit keep the old process.
    var benefitsByOldProcess: Bool
    var ruleVersion: String
    /// For the family's SMS, in Chinese.
    var notes: [String]

    /// The `pension.settled` payload; it names the payee only when something is paid out.
    func pensionSettled(payee: Payee?) -> PensionSettled {
        PensionSettled(
            stopFrom: stopFrom, monthlyPensionFen: monthlyPensionFen, overpaymentToRecoverFen: overpaymentToRecoverFen,
            arrearsToPayFen: arrearsToPayFen, funeralGrantFen: funeralGrantFen, survivorBenefitFen: survivorBenefitFen,
            personalAccountBalanceFen: personalAccountBalanceFen, netPayableFen: netPayableFen,
            payee: netPayableFen > 0 ? payee : nil, benefitsByOldProcess: benefitsByOldProcess,
            ruleVersion: ruleVersion, notes: notes)
    }
}

/// What social security does with a claim.
enum SettlementDecision: Sendable, Equatable {
    case settled(SettlementFigures)
    /// Money is owed to the family but nobody may receive it: an officer reviews it.
    case held(reasonCode: String, reason: String)
}

/// Stops the pension from the month after death and settles both ways (退补), with the grant and
/// benefit of the rules in force on the date of death.
///
/// The month of death is due in full. The grant and benefit go to a direct relative; staff of
/// government and public institutions (机关事业单位) get them by the old process instead. The
/// personal account balance goes to the heir only when the person had not retired.
func settle(_ input: SettlementInput, rules: BenefitRules) throws -> SettlementDecision {
    let stopFrom = try input.checkedStopFrom()
    let rule = try rules.inForce(on: input.dateOfDeath)
    let oldProcess = input.employerType == .publicInstitution
    let benefitMonthFen = input.retired ? input.monthlyPensionFen : rule.nonRetiredMonthlyBaseFen
    let overpayment = input.ledger.filter { $0.paid && $0.month >= stopFrom }.map(\.amountFen).reduce(0, +)
    let arrears = input.arrears(before: stopFrom)
    let grant = oldProcess ? 0 : rule.funeralGrantFen
    let benefit = oldProcess ? 0 : Int64(rule.survivorBenefitMonths) * benefitMonthFen
    let balance = input.retired ? 0 : input.personalAccountBalanceFen
    let owed = arrears + grant + benefit + balance
    guard input.beneficiaryRelation != nil || owed == 0 else {
        return .held(reasonCode: "beneficiary-missing",
                     reason: "未指定直系亲属（配偶、子女、父母、孙子女、外孙子女）为抚恤金领取人，待人工审核 "
                         + "(no direct relative named to receive the benefits)")
    }
    var figures = SettlementFigures(
        stopFrom: stopFrom, monthlyPensionFen: input.monthlyPensionFen, overpaymentToRecoverFen: overpayment,
        arrearsToPayFen: arrears, funeralGrantFen: grant, survivorBenefitFen: benefit,
        personalAccountBalanceFen: balance, netPayableFen: owed - overpayment, benefitsByOldProcess: oldProcess,
        ruleVersion: rule.version, notes: [])
    figures.notes = figures.familyNotes()
    return .settled(figures)
}

extension SettlementInput {
    /// The month after the month of death, once amounts are 0 or more and `retired` agrees with
    /// `pensionStart` and `monthlyPensionFen`.
    fileprivate func checkedStopFrom() throws(SettlementInputError) -> YearMonth {
        func fail(_ problem: String) -> SettlementInputError { SettlementInputError(problem: problem) }
        let deathMonth = YearMonth(containing: dateOfDeath)
        guard let stopFrom = deathMonth.next else { throw fail("no month follows the month of death \(deathMonth)") }
        let amounts = [("monthlyPensionFen", monthlyPensionFen), ("personalAccountBalanceFen", personalAccountBalanceFen)]
        for (field, fen) in amounts where fen < 0 { throw fail("\(field) is \(fen), must be 0 or more") }
        if let entry = ledger.first(where: { $0.amountFen < 0 }) {
            throw fail("ledger \(entry.month) amountFen is \(entry.amountFen), must be 0 or more")
        }
        switch (retired, pensionStart) {
        case (true, nil):
            throw fail("retired but no pensionStart")
        case (true, let start?) where start > deathMonth:
            throw fail("pensionStart \(start) is after the month of death \(deathMonth)")
        case (false, let start?):
            throw fail("not retired but pensionStart is \(start)")
        case (false, nil) where monthlyPensionFen != 0:
            throw fail("not retired but monthlyPensionFen is \(monthlyPensionFen)")
        default:
            return stopFrom
        }
    }

    /// For each month from `pensionStart` until `stopFrom`: the pension less what was paid for it, if more.
    fileprivate func arrears(before stopFrom: YearMonth) -> Int64 {
        guard var month = pensionStart else { return 0 }
        let paid = Dictionary(ledger.filter(\.paid).map { ($0.month, $0.amountFen) }, uniquingKeysWith: +)
        var owed: Int64 = 0
        while month < stopFrom {
            owed += max(0, monthlyPensionFen - paid[month, default: 0])
            month = month.next!  // exists: `month` is before `stopFrom`
        }
        return owed
    }
}

extension SettlementFigures {
    /// What the family is told, in the order of the settlement, ending with the seed's reminder.
    fileprivate func familyNotes() -> [String] {
        var notes = ["养老金自\(stopFrom.chinese)起停发。"]
        if arrearsToPayFen > 0 { notes.append("补发截至死亡当月未发的养老金\(yuan(arrearsToPayFen))。") }
        if overpaymentToRecoverFen > 0 {
            notes.append("\(stopFrom.chinese)起已发放的养老金\(yuan(overpaymentToRecoverFen))需退回。")
        }
        if benefitsByOldProcess {
            notes.append("亡故人为机关事业单位人员，丧葬补助金和抚恤金按照原流程办理。")
        } else if funeralGrantFen + survivorBenefitFen > 0 {
            notes.append("丧葬补助金\(yuan(funeralGrantFen))、抚恤金\(yuan(survivorBenefitFen))发给抚恤金领取人。")
        }
        if personalAccountBalanceFen > 0 {
            notes.append("养老保险个人账户余额\(yuan(personalAccountBalanceFen))由继承人领取。")
        }
        if netPayableFen > 0 {
            notes.append("合计应发\(yuan(netPayableFen))。")
        } else if netPayableFen < 0 {
            notes.append("抵扣应发款项后，家属需退回\(yuan(netPayableFen))。")
        }
        notes.append("请亲属先办理参保人未完成的医疗费用报销手续，再办理丧葬费、抚恤金等待遇申领手续。")
        return notes
    }
}

extension YearMonth {
    /// E.g. `2026年12月`.
    fileprivate var chinese: String { "\(year)年\(month)月" }
}

/// The size of an amount in yuan, e.g. `3218.50元`, computed on integers only.
private func yuan(_ fen: Int64) -> String {
    let cents = fen.magnitude % 100
    return "\(fen.magnitude / 100).\(cents < 10 ? "0" : "")\(cents)元"
}
