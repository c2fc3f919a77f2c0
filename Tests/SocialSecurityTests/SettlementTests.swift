import Foundation
import HoushiContract
import Testing
@testable import SocialSecurity

/// Test rules: a fixed-months version for 2021 until 人社部发〔2021〕18号 took force on 2021-09-01,
/// then the national method, with test income figures (the file's are the bureau's to confirm).
private let rules2021 = BenefitRuleVersion(
    version: "t-2021", effectiveFrom: CalendarDate("2021-01-01")!, method: .fixedMonths, source: "test",
    funeralGrantFen: 480_000, survivorBenefitMonths: 6, nonRetiredMonthlyBaseFen: 250_000)
private let rulesNational = BenefitRuleVersion(
    version: "t-national", effectiveFrom: CalendarDate("2021-09-01")!, method: .national2021, source: "test")
/// 2020: 259,292 fen a month; 2023: 304,100; 2025: 325,000.
private let incomeBases = [
    IncomeBase(year: 2020, annualIncomeFen: 3_111_500, source: "test"),
    IncomeBase(year: 2023, annualIncomeFen: 3_649_200, source: "test"),
    IncomeBase(year: 2025, annualIncomeFen: 3_900_000, source: "test"),
]

/// 3,218.50元 a month.
private let pension: Int64 = 321_850
private let medicalReminder = "请亲属先办理参保人未完成的医疗费用报销手续，再办理丧葬费、抚恤金等待遇申领手续。"

private func month(_ text: String) -> YearMonth { YearMonth(text)! }

/// Full payments of `pension`, made, for each month.
private func paid(_ months: String...) -> [LedgerEntry] {
    months.map { LedgerEntry(month: month($0), amountFen: pension, paid: true) }
}

/// A retired enterprise pensioner on `pension` with 20 contribution years at retirement and
/// 12,345.00元 left in the personal account.
private func retired(
    died: String, start: String, ledger: [LedgerEntry], employer: EmployerType = .enterprise,
    contributionMonths: Int = 240
) -> SettlementInput {
    SettlementInput(dateOfDeath: CalendarDate(died)!, monthlyPensionFen: pension, retired: true,
                    pensionStart: month(start), ledger: ledger, personalAccountBalanceFen: 1_234_500,
                    employerType: employer, contributionMonths: contributionMonths, ownContributionsFen: nil)
}

/// An insured person not yet retired, with a personal account balance.
private func working(
    died: String, balance: Int64, contributionMonths: Int = 200, ownContributions: Int64? = nil
) -> SettlementInput {
    SettlementInput(dateOfDeath: CalendarDate(died)!, monthlyPensionFen: 0, retired: false, pensionStart: nil,
                    ledger: [], personalAccountBalanceFen: balance, employerType: .enterprise,
                    contributionMonths: contributionMonths, ownContributionsFen: ownContributions)
}

/// `input` with one change.
private func changed(_ input: SettlementInput, _ change: (inout SettlementInput) -> Void) -> SettlementInput {
    var input = input
    change(&input)
    return input
}

/// Expected figures; the base, months and cap as the 2021 method reports them.
private func expected(
    stopFrom: String, overpayment: Int64 = 0, arrears: Int64 = 0, grant: Int64, benefit: Int64,
    balance: Int64 = 1_234_500, net: Int64, oldProcess: Bool = false, version: String = "t-national",
    base: IncomeBase? = incomeBases[2], twelfths: Int, cappedAt: Int64? = nil, pension monthly: Int64 = pension
) -> SettlementFigures {
    SettlementFigures(
        stopFrom: month(stopFrom), monthlyPensionFen: monthly, overpaymentToRecoverFen: overpayment,
        arrearsToPayFen: arrears, funeralGrantFen: grant, survivorBenefitFen: benefit,
        personalAccountBalanceFen: balance, netPayableFen: net, benefitsByOldProcess: oldProcess,
        ruleVersion: version, incomeBase: base, survivorBenefitTwelfths: twelfths,
        cappedAtOwnContributionsFen: cappedAt, notes: [])
}

/// One row: the input and the figures worked out by hand (notes checked separately).
struct SettlementCase: Sendable, CustomTestStringConvertible {
    var name: String
    var input: SettlementInput
    var expected: SettlementFigures

    var testDescription: String { name }
}

/// The settlement rules against figures computed by hand, in fen.
struct SettlementTests {
    let rules: BenefitRules

    init() throws {
        rules = try BenefitRules(versions: [rulesNational, rules2021], incomeBases: incomeBases)
    }

    /// The figures of a settled decision; without the notes unless asked for.
    private func figures(_ input: SettlementInput, withNotes: Bool = false) throws -> SettlementFigures {
        var figures = try #require(settle(input, rules: rules).figures)
        if !withNotes { figures.notes = [] }
        return figures
    }

    // A retiree with 20 contribution years (9 + 5 = 14 months) who drew the pension for under a
    // year: grant 2 × 3250.00, 抚恤金 14 × 3250.00 = 45500.00, the personal account 12345.00.
    static let cases: [SettlementCase] = [
        SettlementCase(
            name: "died on the 1st: the month of death is due in full, nothing recovered",
            input: retired(died: "2026-03-01", start: "2026-01",
                           ledger: paid("2026-01", "2026-02", "2026-03")
                               + [LedgerEntry(month: month("2026-04"), amountFen: pension, paid: false)]),
            expected: expected(stopFrom: "2026-04", grant: 650_000, benefit: 4_550_000, net: 6_434_500, twelfths: 168)),
        SettlementCase(
            name: "died on 2026-11-30: stop from 2026-12, December's payment recovered",
            input: retired(died: "2026-11-30", start: "2026-09", ledger: paid("2026-09", "2026-10", "2026-11", "2026-12")),
            expected: expected(stopFrom: "2026-12", overpayment: 321_850, grant: 650_000, benefit: 4_550_000,
                               net: 6_112_650, twelfths: 168)),
        SettlementCase(
            name: "died on the leap day 2024-02-29: stop from 2024-03, the base of 2023",
            input: retired(died: "2024-02-29", start: "2023-12", ledger: paid("2023-12", "2024-01", "2024-02")),
            expected: expected(stopFrom: "2024-03", grant: 608_200, benefit: 4_257_400, net: 6_100_100,
                               base: incomeBases[1], twelfths: 168)),
        SettlementCase(
            name: "paid two months ahead: both recovered",
            input: retired(died: "2026-05-17", start: "2026-03",
                           ledger: paid("2026-03", "2026-04", "2026-05", "2026-06", "2026-07")),
            expected: expected(stopFrom: "2026-06", overpayment: 643_700, grant: 650_000, benefit: 4_550_000,
                               net: 5_790_800, twelfths: 168)),
        SettlementCase(
            name: "the month of death never paid, the month before in part: both are arrears",
            input: retired(died: "2026-08-20", start: "2026-06",
                           ledger: paid("2026-06") + [LedgerEntry(month: month("2026-07"), amountFen: 100_000, paid: true)]),
            expected: expected(stopFrom: "2026-09", arrears: 543_700, grant: 650_000, benefit: 4_550_000,
                               net: 6_978_200, twelfths: 168)),
        SettlementCase(
            name: "not retired, 16 years 8 months of contributions: 10.67 months, the personal account to the heirs",
            input: working(died: "2026-04-10", balance: 4_567_890),
            expected: expected(stopFrom: "2026-05", grant: 650_000, benefit: 3_466_667, balance: 4_567_890,
                               net: 8_684_557, twelfths: 128, pension: 0)),
        SettlementCase(
            name: "public institution staff: the pension stops, grant and benefit by the old process",
            input: retired(died: "2026-06-15", start: "2026-05", ledger: paid("2026-05", "2026-06", "2026-07"),
                           employer: .publicInstitution),
            expected: expected(stopFrom: "2026-07", overpayment: 321_850, grant: 0, benefit: 0, net: 912_650,
                               oldProcess: true, base: nil, twelfths: 0)),
        SettlementCase(
            name: "a death before 2021-09-01: the earlier fixed-months rule, 6 months of the pension",
            input: retired(died: "2021-05-10", start: "2021-01", ledger: paid("2021-01", "2021-02", "2021-03", "2021-04", "2021-05")),
            expected: expected(stopFrom: "2021-06", grant: 480_000, benefit: 1_931_100, net: 3_645_600,
                               version: "t-2021", base: nil, twelfths: 72)),
        SettlementCase(
            name: "a death on 2021-09-01: the 2021 method from its first day, the base of 2020",
            input: retired(died: "2021-09-01", start: "2021-01", ledger: paid("2021-01", "2021-02", "2021-03", "2021-04",
                                                                               "2021-05", "2021-06", "2021-07", "2021-08", "2021-09")),
            expected: expected(stopFrom: "2021-10", grant: 518_584, benefit: 3_630_088, net: 5_383_172,
                               base: incomeBases[0], twelfths: 168)),
        SettlementCase(
            name: "under 5 contribution years: grant and benefit together capped at the person's own contributions",
            input: working(died: "2026-04-10", balance: 0, contributionMonths: 48, ownContributions: 500_000),
            expected: expected(stopFrom: "2026-05", grant: 500_000, benefit: 0, balance: 0, net: 500_000, twelfths: 36,
                               cappedAt: 500_000, pension: 0)),
        SettlementCase(
            name: "under 5 contribution years with more contributions than the benefits: not capped",
            input: working(died: "2026-04-10", balance: 0, contributionMonths: 48, ownContributions: 2_000_000),
            expected: expected(stopFrom: "2026-05", grant: 650_000, benefit: 975_000, balance: 0, net: 1_625_000,
                               twelfths: 36, pension: 0)),
    ]

    @Test("Settlement figures", arguments: cases)
    func settled(_ row: SettlementCase) throws {
        #expect(try figures(row.input) == row.expected)
    }

    @Test("Months of 抚恤金 by contribution years (actual plus deemed)", arguments: [
        (0, 36), (59, 36), (60, 72), (119, 72), (120, 108), (180, 108), (181, 109), (186, 114), (192, 120),
        (240, 168), (360, 288), (420, 288),
    ])
    func monthsByContributionYears(contributionMonths: Int, twelfths: Int) {
        #expect(SurvivorBenefitMonths.twelfths(contributionMonths: contributionMonths) == twelfths)
    }

    @Test("A retiree's months: those of the contribution years at retirement, one less a full year drawn, at least 9", arguments: [
        (360, 0, 288), (360, 10, 168), (360, 15, 108), (360, 25, 108), (240, 3, 132), (186, 0, 114), (180, 30, 108),
    ])
    func retireeMonths(contributionMonths: Int, yearsDrawn: Int, twelfths: Int) {
        #expect(SurvivorBenefitMonths.twelfths(contributionMonthsAtRetirement: contributionMonths,
                                               fullYearsDrawn: yearsDrawn) == twelfths)
    }

    @Test("Two retirees with the same contribution years and years drawn but different pensions get the same 抚恤金")
    func benefitIndependentOfPension() throws {
        let first = retired(died: "2026-11-28", start: "2016-03", ledger: paid("2026-11"), contributionMonths: 300)
        let second = changed(first) { $0.monthlyPensionFen = 512_300; $0.ledger = [] }
        let (a, b) = (try figures(first), try figures(second))
        #expect(a.survivorBenefitFen == b.survivorBenefitFen)
        #expect(a.funeralGrantFen == b.funeralGrantFen)
        // 25 years give 19 months; 10 full years drawn (2016-03 to 2026-11): 9 months.
        #expect(a.survivorBenefitTwelfths == 108)
        #expect(a.survivorBenefitFen == 2_925_000)
        #expect(a.arrearsToPayFen != b.arrearsToPayFen, "the pensions themselves differ")
    }

    @Test("Under 5 contribution years without the person's own contributions: refused, naming it")
    func capNeedsOwnContributions() {
        #expect(throws: SettlementInputError(problem: "under 5 contribution years but no ownContributionsFen")) {
            try settle(working(died: "2026-04-10", balance: 0, contributionMonths: 30), rules: rules)
        }
    }

    @Test("A death whose previous year has no income figure yet: held for an officer, never guessed")
    func incomeBaseMissing() throws {
        let input = retired(died: "2028-02-29", start: "2027-12", ledger: paid("2027-12", "2028-01", "2028-02"))
        guard case .held(let code, let reason) = try settle(input, rules: rules) else {
            Issue.record("settled without the 2027 income figure")
            return
        }
        #expect(code == "income-base-missing")
        #expect(reason.contains("2027年度"))
    }

    @Test("Notes for the family: the stop month, the recovery, the benefits with their months, the balance, the total")
    func notesWithRecovery() throws {
        #expect(try figures(Self.cases[1].input, withNotes: true).notes == [
            "养老金自2026年12月起停发。",
            "2026年12月起已发放的养老金3218.50元需退回。",
            "丧葬补助金6500.00元、抚恤金45500.00元（14个月）发给抚恤金领取人。",
            "养老保险个人账户余额12345.00元由继承人领取。",
            "合计应发61126.50元。",
            medicalReminder,
        ])
        #expect(try figures(Self.cases[5].input, withNotes: true).notes[1] == "丧葬补助金6500.00元、抚恤金34666.67元（10.67个月）发给抚恤金领取人。")
        #expect(try figures(Self.cases[9].input, withNotes: true).notes.contains("缴费不满5年，丧葬补助金和抚恤金合计以本人缴费5000.00元为限。"))
    }

    @Test("Notes for public institution staff: the old process")
    func notesOldProcess() throws {
        #expect(try figures(Self.cases[6].input, withNotes: true).notes == [
            "养老金自2026年7月起停发。",
            "2026年7月起已发放的养老金3218.50元需退回。",
            "亡故人为机关事业单位人员，丧葬补助金和抚恤金按照原流程办理。",
            "养老保险个人账户余额12345.00元由继承人领取。",
            "合计应发9126.50元。",
            medicalReminder,
        ])
    }

    @Test("When the family owes: the net is negative and said so")
    func familyOwes() throws {
        let input = changed(retired(died: "2026-06-15", start: "2026-05", ledger: paid("2026-05", "2026-06", "2026-07", "2026-08"),
                                    employer: .publicInstitution)) { $0.personalAccountBalanceFen = 0 }
        let settled = try figures(input, withNotes: true)
        #expect(settled.netPayableFen == -643_700)
        #expect(settled.notes.contains("抵扣应发款项后，家属需退回6437.00元。"))
        #expect(settled.pensionSettled(payee: Payee(name: "李秀兰", relation: .spouse, bankAccountLast4: "0427")).payee == nil)
    }

    @Test("A death before the earliest rules: an error, never a guess")
    func noRulesInForce() {
        let input = retired(died: "2020-12-31", start: "2020-11", ledger: paid("2020-11", "2020-12"))
        #expect(throws: NoBenefitRuleInForce(date: CalendarDate("2020-12-31")!,
                                             earliest: CalendarDate("2021-01-01")!)) {
            try settle(input, rules: rules)
        }
    }

    @Test("Inconsistent input is refused, naming the problem", arguments: [
        (changed(retired(died: "2026-08-20", start: "2026-06", ledger: [])) { $0.monthlyPensionFen = -1 },
         "monthlyPensionFen is -1, must be 0 or more"),
        (retired(died: "2026-08-20", start: "2026-06",
                 ledger: [LedgerEntry(month: month("2026-07"), amountFen: -5, paid: true)]),
         "ledger 2026-07 amountFen is -5, must be 0 or more"),
        (working(died: "2026-08-20", balance: -100), "personalAccountBalanceFen is -100, must be 0 or more"),
        (changed(working(died: "2026-08-20", balance: 0)) { $0.contributionMonths = -1 },
         "contributionMonths is -1, must be 0 or more"),
        (retired(died: "2026-08-20", start: "2026-09", ledger: []),
         "pensionStart 2026-09 is after the month of death 2026-08"),
        (changed(retired(died: "2026-08-20", start: "2026-06", ledger: [])) { $0.pensionStart = nil },
         "retired but no pensionStart"),
        (changed(working(died: "2026-08-20", balance: 0)) { $0.pensionStart = month("2026-01") },
         "not retired but pensionStart is 2026-01"),
        (changed(working(died: "2026-08-20", balance: 0)) { $0.monthlyPensionFen = 100 },
         "not retired but monthlyPensionFen is 100"),
        (working(died: "9999-12-31", balance: 0), "no month follows the month of death 9999-12"),
    ])
    func invalidInput(input: SettlementInput, problem: String) {
        #expect(throws: SettlementInputError(problem: problem)) { try settle(input, rules: rules) }
    }

    @Test("The pension.settled payload carries the base, the months and the payee only when something is paid out")
    func payload() throws {
        let payee = Payee(name: "李秀兰", relation: .spouse, bankAccountLast4: "0427")
        let owed = try figures(Self.cases[1].input).pensionSettled(payee: payee)
        #expect(owed == PensionSettled(
            stopFrom: month("2026-12"), monthlyPensionFen: 321_850, overpaymentToRecoverFen: 321_850,
            arrearsToPayFen: 0, funeralGrantFen: 650_000, survivorBenefitFen: 4_550_000,
            personalAccountBalanceFen: 1_234_500, netPayableFen: 6_112_650, payee: payee, benefitsByOldProcess: false,
            ruleVersion: "t-national", notes: [], incomeBaseYear: 2025, incomeBaseMonthlyFen: 325_000,
            survivorBenefitMonths: 14))
    }
}

/// When a pension claim settles: never waiting on what will not come.
struct PensionReadinessTests {
    @Test("Settle, wait or hold by what public security answered", arguments: [
        (false, nil, PensionReadiness.settle),
        (false, HukouAnswer.rejected(reasonCode: "name-mismatch", reason: "x"), .settle),
        (true, nil, .waitForPublicSecurity),
        (true, .cancelled, .settle),
        (true, .rejected(reasonCode: "not-local-household", reason: "户籍不在本市"), .settle),
        (true, .rejected(reasonCode: "rejected-on-review", reason: "需先办理户主变更"),
         .hold(reasonCode: "hukou-not-cancelled", reason: "公安机关未注销户口（需先办理户主变更），请核实死亡信息后结算")),
    ] as [(Bool, HukouAnswer?, PensionReadiness)])
    func readiness(hukouRequested: Bool, answer: HukouAnswer?, expected: PensionReadiness) {
        #expect(PensionReadiness.decide(hukouRequested: hukouRequested, answer: answer) == expected)
    }
}

/// The medical account waits for open reimbursements, and what the family is told agrees.
struct MedicalAccountDecisionTests {
    private let claims = [OpenReimbursement(claimNumber: "BX-1", amountFen: 120_050),
                          OpenReimbursement(claimNumber: "BX-2", amountFen: 30_000)]

    @Test("No open claim: settled at once, saying none was found")
    func settlesAtOnce() {
        guard case .settle(let reminder) = MedicalAccountDecision.onRequest(open: [], waitingDays: 30) else {
            Issue.record("held without an open claim")
            return
        }
        #expect(reminder.hasPrefix("经核查无未结清的医疗费用报销"))
        #expect(!reminder.contains("请先结清"))
    }

    @Test("Open claims: held, naming how many, how much and how long")
    func heldWithClaims() {
        #expect(MedicalAccountDecision.onRequest(open: claims, waitingDays: 30) == .hold(
            reasonCode: "reimbursements-pending",
            reason: "有2笔医疗费用报销（合计1500.50元）尚未结清，结清后清算医保个人帐户，最长等待30日"))
    }

    @Test("While held: settled once the claims are, or when the waiting ends; else still held")
    func whileHeld() {
        #expect(MedicalAccountDecision.whileHeld(open: claims, waitingOver: false) == nil)
        guard case .settle(let settledReminder)? = MedicalAccountDecision.whileHeld(open: [], waitingOver: false),
              case .settle(let waitedReminder)? = MedicalAccountDecision.whileHeld(open: claims, waitingOver: true)
        else {
            Issue.record("not settled")
            return
        }
        #expect(settledReminder.hasPrefix("医疗费用报销已结清"))
        #expect(waitedReminder.contains("尚有2笔医疗费用报销未结清"))
    }
}

extension SettlementDecision {
    /// The figures when settled, nil when held.
    var figures: SettlementFigures? {
        if case .settled(let figures) = self { figures } else { nil }
    }
}

/// Loading and selecting benefit rule versions.
struct BenefitRulesTests {
    static let rulesFile = URL(filePath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appending(path: "Services/SocialSecurity/Rules/benefit-rules.json")

    @Test("The shipped file loads; each version is in force from its first day, the one before until then")
    func shippedRules() throws {
        let rules = try BenefitRules.load(from: Self.rulesFile)
        #expect(rules.versions.count >= 2)
        for (earlier, later) in zip(rules.versions, rules.versions.dropFirst()) {
            #expect(try rules.inForce(on: later.effectiveFrom) == later)
            #expect(try rules.inForce(on: dayBefore(later.effectiveFrom)) == earlier)
        }
        let first = try #require(rules.versions.first)
        #expect(throws: NoBenefitRuleInForce(date: dayBefore(first.effectiveFrom), earliest: first.effectiveFrom)) {
            try rules.inForce(on: dayBefore(first.effectiveFrom))
        }
    }

    @Test("The shipped file's 2021 method uses the previous year's income figure for each year it has")
    func shippedIncomeBases() throws {
        let rules = try BenefitRules.load(from: Self.rulesFile)
        #expect(try rules.inForce(on: CalendarDate("2026-11-28")!).method == .national2021)
        for year in 2020...2025 {
            #expect(rules.incomeBase(of: year) != nil, "income figure of \(year)")
        }
    }

    @Test("Versions listed out of order are selected by date", arguments: [
        ("2021-01-01", "t-2021"), ("2021-08-31", "t-2021"), ("2021-09-01", "t-national"), ("2031-07-15", "t-national"),
    ])
    func selection(date: String, version: String) throws {
        let rules = try BenefitRules(versions: [rulesNational, rules2021])
        #expect(try rules.inForce(on: CalendarDate(date)!).version == version)
    }

    /// A fixed-months version as JSON text; each field given as its literal JSON (nil leaves it out).
    private static func version(
        _ name: String = "fy-2021-01", from: String = "2021-01-01", method: String = "\"fixed-months\"",
        grant: String? = "600000", months: String = "9", base: String = "300000", source: String? = "\"test\""
    ) -> String {
        let fields = [("version", "\"\(name)\""), ("effectiveFrom", "\"\(from)\""), ("method", method),
                      ("funeralGrantFen", grant), ("survivorBenefitMonths", months), ("nonRetiredMonthlyBaseFen", base),
                      ("source", source)]
        return "{" + fields.compactMap { key, value in value.map { "\"\(key)\": \($0)" } }.joined(separator: ", ") + "}"
    }

    /// A rules file of `versions` and `bases` (JSON text each).
    private static func file(_ versions: String..., bases: String = "") -> String {
        "{\"versions\": [\(versions.joined(separator: ", "))], \"incomeBases\": [\(bases)]}"
    }

    @Test("Bad rule files are refused, naming the file and the problem", arguments: [
        (file(), "bad.json: no rule versions"),
        (file(version(), version(from: "2025-01-01")), "bad.json: version fy-2021-01 appears twice"),
        (file(version(), version("fy-2021-02")), "bad.json: fy-2021-02: another version also starts 2021-01-01"),
        (file(version(from: "2023-02-29")),
         "bad.json: versions[0].effectiveFrom: must be a date YYYY-MM-DD (got \"2023-02-29\")"),
        (file(version(grant: "\"6000元\"")),
         "bad.json: versions[0].funeralGrantFen: must be a whole number"),
        (file(version(grant: "-1")), "bad.json: fy-2021-01: funeralGrantFen is -1, must be 0 or more"),
        (file(version(grant: nil)),
         "bad.json: fy-2021-01: a fixed-months version needs funeralGrantFen, survivorBenefitMonths and nonRetiredMonthlyBaseFen"),
        (file(version(base: "-300000")),
         "bad.json: fy-2021-01: nonRetiredMonthlyBaseFen is -300000, must be 0 or more"),
        (file(version(months: "37")), "bad.json: fy-2021-01: survivorBenefitMonths is 37, must be within 0...36"),
        (file(version(source: nil)), "bad.json: versions[0].source: is required"),
        (file(version(source: "\"\"")), "bad.json: fy-2021-01: source is empty"),
        (file(version("")), "bad.json: a version has an empty name"),
        (file(version(), bases: "{\"year\": 2025, \"annualIncomeFen\": 0, \"source\": \"s\"}"),
         "bad.json: income base 2025: annualIncomeFen must be more than 0"),
        (file(version(), bases: "{\"year\": 2025, \"annualIncomeFen\": 1, \"source\": \"s\"}, {\"year\": 2025, \"annualIncomeFen\": 2, \"source\": \"s\"}"),
         "bad.json: income base 2025 appears twice"),
    ])
    func rejected(content: String, problem: String) throws {
        #expect(throws: BenefitRulesError(problem: problem)) { try load(content) }
    }

    @Test("Content that is not the rules file's JSON of whole numbers is refused, naming the file", arguments: [
        "{", file(version(grant: "600000.5")), "[\(version())]", file(version(method: "\"by-hand\"")),
    ])
    func unreadable(content: String) throws {
        let error = try #require(throws: BenefitRulesError.self) { try load(content) }
        #expect(error.problem.hasPrefix("bad.json: "))
    }

    /// Loads `content` from a temporary `bad.json`.
    private func load(_ content: String) throws -> BenefitRules {
        let folder = FileManager.default.temporaryDirectory.appending(path: "benefit-rules-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let file = folder.appending(path: "bad.json")
        try Data(content.utf8).write(to: file)
        return try BenefitRules.load(from: file)
    }

    /// The calendar day before `date`.
    private func dayBefore(_ date: CalendarDate) -> CalendarDate {
        if date.day > 1 { return CalendarDate(year: date.year, month: date.month, day: date.day - 1)! }
        let (year, month) = date.month > 1 ? (date.year, date.month - 1) : (date.year - 1, 12)
        return CalendarDate(year: year, month: month, day: CalendarDate.daysIn(month: month, year: year))!
    }
}
