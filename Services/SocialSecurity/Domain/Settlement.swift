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
    /// In Beijing time.
    var dateOfDeath: CalendarDate
    /// The monthly basic pension; 0 when not retired.
    var monthlyPensionFen: Int64
    var retired: Bool
    /// The first month the pension was due; nil when not retired.
    var pensionStart: YearMonth?
    /// Payments by month; a month with no paid entry was not paid.
    var ledger: [LedgerEntry]
    /// The personal pension account (养老保险个人账户) balance left, which the heirs receive.
    var personalAccountBalanceFen: Int64
    var employerType: EmployerType
    /// Contribution months, actual plus deemed (含视同缴费); for a retiree, at retirement.
    var contributionMonths: Int
    /// What the person paid in themselves; needed when they contributed under 5 years.
    var ownContributionsFen: Int64?
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
    /// The personal account balance for the heirs.
    var personalAccountBalanceFen: Int64
    /// Arrears, grant, benefit and balance less the overpayment; negative when the family owes.
    var netPayableFen: Int64
    /// 机关事业单位: the grant and benefit keep the old process.
    var benefitsByOldProcess: Bool
    var ruleVersion: String
    /// The income figure the 2021 method took its base from; nil under earlier rules.
    var incomeBase: IncomeBase?
    /// The months of 抚恤金 in twelfths of a month.
    var survivorBenefitTwelfths: Int
    /// The person's own contributions, when they capped grant and benefit (under 5 years).
    var cappedAtOwnContributionsFen: Int64?
    /// For the family's SMS, in Chinese.
    var notes: [String]

    /// The `pension.settled` payload; it names the payee only when something is paid out.
    func pensionSettled(payee: Payee?) -> PensionSettled {
        PensionSettled(
            stopFrom: stopFrom, monthlyPensionFen: monthlyPensionFen, overpaymentToRecoverFen: overpaymentToRecoverFen,
            arrearsToPayFen: arrearsToPayFen, funeralGrantFen: funeralGrantFen, survivorBenefitFen: survivorBenefitFen,
            personalAccountBalanceFen: personalAccountBalanceFen, netPayableFen: netPayableFen,
            payee: netPayableFen > 0 ? payee : nil, benefitsByOldProcess: benefitsByOldProcess,
            ruleVersion: ruleVersion, notes: notes,
            incomeBaseYear: incomeBase?.year, incomeBaseMonthlyFen: incomeBase?.monthlyFen,
            survivorBenefitMonths: Double(survivorBenefitTwelfths) / 12,
            cappedAtOwnContributionsFen: cappedAtOwnContributionsFen)
    }
}

/// What social security does with a claim.
enum SettlementDecision: Sendable, Equatable {
    case settled(SettlementFigures)
    /// The figures cannot be worked out yet: an officer reviews it.
    case held(reasonCode: String, reason: String)
}

/// Stops the pension from the month after death and settles both ways (退补), with the grant and
/// benefit of the rules in force on the date of death (Beijing time).
///
/// The month of death is due in full. Staff of government and public institutions (机关事业单位)
/// get the grant and benefit by the old process instead. The personal account balance goes to the
/// heirs, retired or not.
func settle(_ input: SettlementInput, rules: BenefitRules) throws -> SettlementDecision {
    let stopFrom = try input.checkedStopFrom()
    let rule = try rules.inForce(on: input.dateOfDeath)
    let oldProcess = input.employerType == .publicInstitution
    let overpayment = input.ledger.filter { $0.paid && $0.month >= stopFrom }.map(\.amountFen).reduce(0, +)
    let arrears = input.arrears(before: stopFrom)
    let benefits: SurvivorBenefits
    switch rule.method {
    case .fixedMonths:
        benefits = input.fixedMonthsBenefits(rule)
    case .national2021:
        let year = input.dateOfDeath.year - 1
        guard let base = rules.incomeBase(of: year) else {
            return .held(reasonCode: "income-base-missing",
                         reason: "\(year)年度城镇居民人均可支配收入尚未录入，无法核定丧葬补助金和抚恤金")
        }
        benefits = try input.national2021Benefits(base: base, stopFrom: stopFrom)
    }
    let grant = oldProcess ? 0 : benefits.grantFen
    let benefit = oldProcess ? 0 : benefits.benefitFen
    let balance = input.personalAccountBalanceFen
    let owed = arrears + grant + benefit + balance
    var figures = SettlementFigures(
        stopFrom: stopFrom, monthlyPensionFen: input.monthlyPensionFen, overpaymentToRecoverFen: overpayment,
        arrearsToPayFen: arrears, funeralGrantFen: grant, survivorBenefitFen: benefit,
        personalAccountBalanceFen: balance, netPayableFen: owed - overpayment, benefitsByOldProcess: oldProcess,
        ruleVersion: rule.version, incomeBase: oldProcess ? nil : benefits.base,
        survivorBenefitTwelfths: oldProcess ? 0 : benefits.twelfths,
        cappedAtOwnContributionsFen: oldProcess ? nil : benefits.cappedAt, notes: [])
    figures.notes = figures.familyNotes()
    return .settled(figures)
}

/// The grant and 抚恤金 before the old process is considered.
private struct SurvivorBenefits {
    var grantFen: Int64
    var benefitFen: Int64
    var twelfths: Int
    var base: IncomeBase?
    var cappedAt: Int64?
}

extension SettlementInput {
    /// The month after the month of death, once amounts are 0 or more and `retired` agrees with
    /// `pensionStart` and `monthlyPensionFen`.
    fileprivate func checkedStopFrom() throws(SettlementInputError) -> YearMonth {
        func fail(_ problem: String) -> SettlementInputError { SettlementInputError(problem: problem) }
        let deathMonth = YearMonth(containing: dateOfDeath)
        guard let stopFrom = deathMonth.next else { throw fail("no month follows the month of death \(deathMonth)") }
        let amounts = [("monthlyPensionFen", monthlyPensionFen), ("personalAccountBalanceFen", personalAccountBalanceFen),
                       ("ownContributionsFen", ownContributionsFen ?? 0)]
        for (field, fen) in amounts where fen < 0 { throw fail("\(field) is \(fen), must be 0 or more") }
        guard contributionMonths >= 0 else { throw fail("contributionMonths is \(contributionMonths), must be 0 or more") }
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

extension SettlementInput {
    /// Earlier rules: a fixed grant; months of the pension, or of a fixed base when not retired.
    fileprivate func fixedMonthsBenefits(_ rule: BenefitRuleVersion) -> SurvivorBenefits {
        let months = rule.survivorBenefitMonths ?? 0
        let monthFen = retired ? monthlyPensionFen : rule.nonRetiredMonthlyBaseFen ?? 0
        return SurvivorBenefits(grantFen: rule.funeralGrantFen ?? 0, benefitFen: Int64(months) * monthFen,
                                twelfths: months * 12)
    }

    /// 人社部发〔2021〕18号: grant 2 × base, 抚恤金 base × months (`SurvivorBenefitMonths`); under 5
    /// contribution years the two together never exceed the person's own contributions (the
    /// 抚恤金 is cut first).
    fileprivate func national2021Benefits(base: IncomeBase, stopFrom: YearMonth) throws(SettlementInputError) -> SurvivorBenefits {
        let twelfths: Int
        if retired, let start = pensionStart {
            let monthsDrawn = start.months(until: stopFrom)
            twelfths = SurvivorBenefitMonths.twelfths(contributionMonthsAtRetirement: contributionMonths,
                                                      fullYearsDrawn: monthsDrawn / 12)
        } else {
            twelfths = SurvivorBenefitMonths.twelfths(contributionMonths: contributionMonths)
        }
        var benefits = SurvivorBenefits(grantFen: 2 * base.monthlyFen,
                                        benefitFen: (base.monthlyFen * Int64(twelfths) + 6) / 12,
                                        twelfths: twelfths, base: base)
        if !retired, contributionMonths < 60 {
            guard let own = ownContributionsFen else {
                throw SettlementInputError(problem: "under 5 contribution years but no ownContributionsFen")
            }
            if benefits.grantFen + benefits.benefitFen > own {
                benefits.grantFen = min(benefits.grantFen, own)
                benefits.benefitFen = own - benefits.grantFen
                benefits.cappedAt = own
            }
        }
        return benefits
    }
}

extension YearMonth {
    /// How many months from this one up to, not including, `end`; 0 when `end` is not later.
    func months(until end: YearMonth) -> Int {
        max(0, (end.year - year) * 12 + end.month - month)
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
            notes.append("丧葬补助金\(yuan(funeralGrantFen))、抚恤金\(yuan(survivorBenefitFen))（\(monthsText)个月）发给抚恤金领取人。")
            if cappedAtOwnContributionsFen != nil {
                notes.append("缴费不满5年，丧葬补助金和抚恤金合计以本人缴费\(yuan(cappedAtOwnContributionsFen ?? 0))为限。")
            }
        }
        if personalAccountBalanceFen > 0 {
            notes.append("养老保险个人账户余额\(yuan(personalAccountBalanceFen))由继承人领取。")
        }
        if netPayableFen > 0 {
            notes.append("合计应发\(yuan(netPayableFen))。")
        } else if netPayableFen < 0 {
            notes.append("抵扣应发款项后，家属需退回\(yuan(-netPayableFen))。")
        }
        notes.append("请亲属先办理参保人未完成的医疗费用报销手续，再办理丧葬费、抚恤金等待遇申领手续。")
        return notes
    }
}

extension SettlementFigures {
    /// The months of 抚恤金 as a person reads them: `9`, `10.5`, `9.58`.
    var monthsText: String { survivorMonthsText(twelfths: survivorBenefitTwelfths) }
}

/// Months counted in twelfths as a person reads them: `9`, `10.5`, `9.58` (two decimals at most).
func survivorMonthsText(twelfths: Int) -> String {
    let hundredths = (twelfths * 100 + 6) / 12
    let (whole, part) = (hundredths / 100, hundredths % 100)
    if part == 0 { return "\(whole)" }
    return part % 10 == 0 ? "\(whole).\(part / 10)" : "\(whole).\(part < 10 ? "0" : "")\(part)"
}
