import Foundation
import HoushiContract
import Testing
@testable import SocialSecurity

/// Fixed test rules around 2024-01-01 (the file's defaults are replaced by the bureau's figures).
private let rules2021 = BenefitRuleVersion(
    version: "t-2021", effectiveFrom: CalendarDate("2021-01-01")!, funeralGrantFen: 480_000,
    survivorBenefitMonths: 6, nonRetiredMonthlyBaseFen: 250_000, source: "test")
private let rules2024 = BenefitRuleVersion(
    version: "t-2024", effectiveFrom: CalendarDate("2024-01-01")!, funeralGrantFen: 620_000,
    survivorBenefitMonths: 9, nonRetiredMonthlyBaseFen: 310_000, source: "test")

/// 3,218.50元 a month.
private let pension: Int64 = 321_850
private let medicalReminder = "请亲属先办理参保人未完成的医疗费用报销手续，再办理丧葬费、抚恤金等待遇申领手续。"

private func month(_ text: String) -> YearMonth { YearMonth(text)! }

/// Full payments of `pension`, made, for each month.
private func paid(_ months: String...) -> [LedgerEntry] {
    months.map { LedgerEntry(month: month($0), amountFen: pension, paid: true) }
}

/// A retired enterprise pensioner on `pension`; the account balance must not reach the heir.
private func retired(
    died: String, start: String, ledger: [LedgerEntry], employer: EmployerType = .enterprise,
    relation: BeneficiaryRelation? = .spouse
) -> SettlementInput {
    SettlementInput(dateOfDeath: CalendarDate(died)!, monthlyPensionFen: pension, retired: true,
                    pensionStart: month(start), ledger: ledger, personalAccountBalanceFen: 1_234_500,
                    employerType: employer, beneficiaryRelation: relation)
}

/// An insured person not yet retired, with a personal account balance.
private func working(
    died: String, balance: Int64, employer: EmployerType = .enterprise, relation: BeneficiaryRelation? = .child
) -> SettlementInput {
    SettlementInput(dateOfDeath: CalendarDate(died)!, monthlyPensionFen: 0, retired: false, pensionStart: nil,
                    ledger: [], personalAccountBalanceFen: balance, employerType: employer,
                    beneficiaryRelation: relation)
}

/// `input` with one change.
private func changed(_ input: SettlementInput, _ change: (inout SettlementInput) -> Void) -> SettlementInput {
    var input = input
    change(&input)
    return input
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
        rules = try BenefitRules(versions: [rules2024, rules2021])
    }

    /// The figures of a settled decision; without the notes unless asked for.
    private func figures(_ input: SettlementInput, withNotes: Bool = false) throws -> SettlementFigures {
        var figures = try #require(settle(input, rules: rules).figures)
        if !withNotes { figures.notes = [] }
        return figures
    }

    static let cases: [SettlementCase] = [
        SettlementCase(
            name: "died on the 1st: the month of death is due in full, nothing recovered",
            input: retired(died: "2026-03-01", start: "2026-01",
                           ledger: paid("2026-01", "2026-02", "2026-03")
                               + [LedgerEntry(month: month("2026-04"), amountFen: pension, paid: false)]),
            expected: SettlementFigures(
                stopFrom: month("2026-04"), monthlyPensionFen: 321_850, overpaymentToRecoverFen: 0,
                arrearsToPayFen: 0, funeralGrantFen: 620_000, survivorBenefitFen: 2_896_650,
                personalAccountBalanceFen: 0, netPayableFen: 3_516_650, benefitsByOldProcess: false,
                ruleVersion: "t-2024", notes: [])),
        SettlementCase(
            name: "died on 2026-11-30: stop from 2026-12, December's payment recovered",
            input: retired(died: "2026-11-30", start: "2026-09",
                           ledger: paid("2026-09", "2026-10", "2026-11", "2026-12")),
            expected: SettlementFigures(
                stopFrom: month("2026-12"), monthlyPensionFen: 321_850, overpaymentToRecoverFen: 321_850,
                arrearsToPayFen: 0, funeralGrantFen: 620_000, survivorBenefitFen: 2_896_650,
                personalAccountBalanceFen: 0, netPayableFen: 3_194_800, benefitsByOldProcess: false,
                ruleVersion: "t-2024", notes: [])),
        SettlementCase(
            name: "died on the leap day 2028-02-29: stop from 2028-03",
            input: retired(died: "2028-02-29", start: "2027-12", ledger: paid("2027-12", "2028-01", "2028-02")),
            expected: SettlementFigures(
                stopFrom: month("2028-03"), monthlyPensionFen: 321_850, overpaymentToRecoverFen: 0,
                arrearsToPayFen: 0, funeralGrantFen: 620_000, survivorBenefitFen: 2_896_650,
                personalAccountBalanceFen: 0, netPayableFen: 3_516_650, benefitsByOldProcess: false,
                ruleVersion: "t-2024", notes: [])),
        SettlementCase(
            name: "paid two months ahead: both recovered",
            input: retired(died: "2026-05-17", start: "2026-03",
                           ledger: paid("2026-03", "2026-04", "2026-05", "2026-06", "2026-07")),
            expected: SettlementFigures(
                stopFrom: month("2026-06"), monthlyPensionFen: 321_850, overpaymentToRecoverFen: 643_700,
                arrearsToPayFen: 0, funeralGrantFen: 620_000, survivorBenefitFen: 2_896_650,
                personalAccountBalanceFen: 0, netPayableFen: 2_872_950, benefitsByOldProcess: false,
                ruleVersion: "t-2024", notes: [])),
        SettlementCase(
            name: "the month of death never paid: it is arrears",
            input: retired(died: "2026-08-20", start: "2026-06", ledger: paid("2026-06", "2026-07")),
            expected: SettlementFigures(
                stopFrom: month("2026-09"), monthlyPensionFen: 321_850, overpaymentToRecoverFen: 0,
                arrearsToPayFen: 321_850, funeralGrantFen: 620_000, survivorBenefitFen: 2_896_650,
                personalAccountBalanceFen: 0, netPayableFen: 3_838_500, benefitsByOldProcess: false,
                ruleVersion: "t-2024", notes: [])),
        SettlementCase(
            name: "a part-paid month and scheduled unpaid months: only the shortfall and the death month owed",
            input: retired(died: "2026-08-20", start: "2026-06", ledger: paid("2026-06") + [
                LedgerEntry(month: month("2026-07"), amountFen: 300_000, paid: true),
                LedgerEntry(month: month("2026-08"), amountFen: pension, paid: false),
                LedgerEntry(month: month("2026-09"), amountFen: pension, paid: false),
            ]),
            expected: SettlementFigures(
                stopFrom: month("2026-09"), monthlyPensionFen: 321_850, overpaymentToRecoverFen: 0,
                arrearsToPayFen: 343_700, funeralGrantFen: 620_000, survivorBenefitFen: 2_896_650,
                personalAccountBalanceFen: 0, netPayableFen: 3_860_350, benefitsByOldProcess: false,
                ruleVersion: "t-2024", notes: [])),
        SettlementCase(
            name: "not retired: no pension figures, the balance to the heir, the benefit on the base",
            input: working(died: "2026-04-10", balance: 4_567_890),
            expected: SettlementFigures(
                stopFrom: month("2026-05"), monthlyPensionFen: 0, overpaymentToRecoverFen: 0,
                arrearsToPayFen: 0, funeralGrantFen: 620_000, survivorBenefitFen: 2_790_000,
                personalAccountBalanceFen: 4_567_890, netPayableFen: 7_977_890, benefitsByOldProcess: false,
                ruleVersion: "t-2024", notes: [])),
        SettlementCase(
            name: "public institution: the pension stops and is recovered, the benefits go by the old process",
            input: retired(died: "2026-06-15", start: "2026-04",
                           ledger: paid("2026-04", "2026-05", "2026-06", "2026-07"), employer: .publicInstitution,
                           relation: .child),
            expected: SettlementFigures(
                stopFrom: month("2026-07"), monthlyPensionFen: 321_850, overpaymentToRecoverFen: 321_850,
                arrearsToPayFen: 0, funeralGrantFen: 0, survivorBenefitFen: 0,
                personalAccountBalanceFen: 0, netPayableFen: -321_850, benefitsByOldProcess: true,
                ruleVersion: "t-2024", notes: [])),
        SettlementCase(
            name: "public institution, not retired: the balance still goes to the heir",
            input: working(died: "2026-06-15", balance: 1_000_000, employer: .publicInstitution),
            expected: SettlementFigures(
                stopFrom: month("2026-07"), monthlyPensionFen: 0, overpaymentToRecoverFen: 0,
                arrearsToPayFen: 0, funeralGrantFen: 0, survivorBenefitFen: 0,
                personalAccountBalanceFen: 1_000_000, netPayableFen: 1_000_000, benefitsByOldProcess: true,
                ruleVersion: "t-2024", notes: [])),
        SettlementCase(
            name: "died 2023-12-31: the 2021 rules",
            input: retired(died: "2023-12-31", start: "2023-10", ledger: paid("2023-10", "2023-11", "2023-12")),
            expected: SettlementFigures(
                stopFrom: month("2024-01"), monthlyPensionFen: 321_850, overpaymentToRecoverFen: 0,
                arrearsToPayFen: 0, funeralGrantFen: 480_000, survivorBenefitFen: 1_931_100,
                personalAccountBalanceFen: 0, netPayableFen: 2_411_100, benefitsByOldProcess: false,
                ruleVersion: "t-2021", notes: [])),
        SettlementCase(
            name: "died 2024-01-01: the 2024 rules",
            input: retired(died: "2024-01-01", start: "2023-11", ledger: paid("2023-11", "2023-12", "2024-01")),
            expected: SettlementFigures(
                stopFrom: month("2024-02"), monthlyPensionFen: 321_850, overpaymentToRecoverFen: 0,
                arrearsToPayFen: 0, funeralGrantFen: 620_000, survivorBenefitFen: 2_896_650,
                personalAccountBalanceFen: 0, netPayableFen: 3_516_650, benefitsByOldProcess: false,
                ruleVersion: "t-2024", notes: [])),
        SettlementCase(
            name: "not retired, died 2023-12-31: the 2021 base",
            input: working(died: "2023-12-31", balance: 0),
            expected: SettlementFigures(
                stopFrom: month("2024-01"), monthlyPensionFen: 0, overpaymentToRecoverFen: 0,
                arrearsToPayFen: 0, funeralGrantFen: 480_000, survivorBenefitFen: 1_500_000,
                personalAccountBalanceFen: 0, netPayableFen: 1_980_000, benefitsByOldProcess: false,
                ruleVersion: "t-2021", notes: [])),
    ]

    @Test("Settled figures", arguments: cases)
    func settled(_ row: SettlementCase) throws {
        #expect(try figures(row.input) == row.expected)
    }

    @Test("Notes for the family: the stop month, the recovery, the benefits, the total, the reminder")
    func notesWithRecovery() throws {
        #expect(try figures(Self.cases[1].input, withNotes: true).notes == [
            "养老金自2026年12月起停发。",
            "2026年12月起已发放的养老金3218.50元需退回。",
            "丧葬补助金6200.00元、抚恤金28966.50元发给抚恤金领取人。",
            "合计应发31948.00元。",
            medicalReminder,
        ])
    }

    @Test("Notes for public institution staff: the old process, and what the family pays back")
    func notesOldProcess() throws {
        #expect(try figures(Self.cases[7].input, withNotes: true).notes == [
            "养老金自2026年7月起停发。",
            "2026年7月起已发放的养老金3218.50元需退回。",
            "亡故人为机关事业单位人员，丧葬补助金和抚恤金按照原流程办理。",
            "抵扣应发款项后，家属需退回3218.50元。",
            medicalReminder,
        ])
    }

    @Test("Notes for arrears and the heir's balance")
    func notesArrearsAndBalance() throws {
        for (row, note) in [(Self.cases[5], "补发截至死亡当月未发的养老金3437.00元。"),
                            (Self.cases[6], "养老保险个人账户余额45678.90元由继承人领取。")] {
            #expect(try figures(row.input, withNotes: true).notes.contains(note))
        }
    }

    @Test("No beneficiary while money is owed: held for review", arguments: [
        retired(died: "2026-03-01", start: "2026-01", ledger: paid("2026-01", "2026-02"), relation: nil),
        working(died: "2026-04-10", balance: 0, relation: nil),
        retired(died: "2026-06-15", start: "2026-05", ledger: paid("2026-05"), employer: .publicInstitution,
                relation: nil),
    ])
    func heldWithoutBeneficiary(input: SettlementInput) throws {
        guard case .held(let code, _) = try settle(input, rules: rules) else {
            Issue.record("settled without a beneficiary")
            return
        }
        #expect(code == "beneficiary-missing")
    }

    @Test("No beneficiary and nothing owed (old process, fully paid): settled, the overpayment recovered")
    func oldProcessWithoutBeneficiary() throws {
        let input = retired(died: "2026-06-15", start: "2026-05", ledger: paid("2026-05", "2026-06", "2026-07"),
                            employer: .publicInstitution, relation: nil)
        let settled = try figures(input)
        #expect(settled.overpaymentToRecoverFen == 321_850)
        #expect(settled.netPayableFen == -321_850)
        #expect(settled.pensionSettled(payee: nil).payee == nil)
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

    @Test("The pension.settled payload names the payee only when something is paid out")
    func payload() throws {
        let payee = Payee(name: "李秀兰", relation: .spouse, bankAccountLast4: "0427")
        let owed = try figures(Self.cases[1].input).pensionSettled(payee: payee)
        #expect(owed == PensionSettled(
            stopFrom: month("2026-12"), monthlyPensionFen: 321_850, overpaymentToRecoverFen: 321_850,
            arrearsToPayFen: 0, funeralGrantFen: 620_000, survivorBenefitFen: 2_896_650,
            personalAccountBalanceFen: 0, netPayableFen: 3_194_800, payee: payee, benefitsByOldProcess: false,
            ruleVersion: "t-2024", notes: []))
        #expect(try figures(Self.cases[7].input).pensionSettled(payee: payee).payee == nil)
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

    @Test("Versions listed out of order are selected by date", arguments: [
        ("2021-01-01", "t-2021"), ("2023-12-31", "t-2021"), ("2024-01-01", "t-2024"), ("2031-07-15", "t-2024"),
    ])
    func selection(date: String, version: String) throws {
        let rules = try BenefitRules(versions: [rules2024, rules2021])
        #expect(try rules.inForce(on: CalendarDate(date)!).version == version)
    }

    /// A version as JSON text; each field given as its literal JSON (nil leaves it out).
    private static func version(
        _ name: String = "fy-2024-01", from: String = "2024-01-01", grant: String = "600000", months: String = "9",
        base: String = "300000", source: String? = "\"test\""
    ) -> String {
        let fields = [("version", "\"\(name)\""), ("effectiveFrom", "\"\(from)\""), ("funeralGrantFen", grant),
                      ("survivorBenefitMonths", months), ("nonRetiredMonthlyBaseFen", base), ("source", source)]
        return "{" + fields.compactMap { key, value in value.map { "\"\(key)\": \($0)" } }.joined(separator: ", ") + "}"
    }

    @Test("Bad rule files are refused, naming the file and the problem", arguments: [
        ("[]", "bad.json: no rule versions"),
        ("[\(version()), \(version(from: "2025-01-01"))]", "bad.json: version fy-2024-01 appears twice"),
        ("[\(version()), \(version("fy-2024-02"))]", "bad.json: fy-2024-02: another version also starts 2024-01-01"),
        ("[\(version(from: "2023-02-29"))]",
         "bad.json: [0].effectiveFrom: expected a date YYYY-MM-DD, got \"2023-02-29\""),
        ("[\(version(grant: "\"6000元\""))]",
         "bad.json: [0].funeralGrantFen: Expected to decode Int64 but found a string instead."),
        ("[\(version(grant: "-1"))]", "bad.json: fy-2024-01: funeralGrantFen is -1, must be 0 or more"),
        ("[\(version(base: "-300000"))]",
         "bad.json: fy-2024-01: nonRetiredMonthlyBaseFen is -300000, must be 0 or more"),
        ("[\(version(months: "37"))]", "bad.json: fy-2024-01: survivorBenefitMonths is 37, must be within 0...36"),
        ("[\(version(months: "-1"))]", "bad.json: fy-2024-01: survivorBenefitMonths is -1, must be within 0...36"),
        ("[\(version(source: nil))]", "bad.json: [0].source is missing"),
        ("[\(version(source: "\"\""))]", "bad.json: fy-2024-01: source is empty"),
        ("[\(version(""))]", "bad.json: a version has an empty name"),
    ])
    func rejected(content: String, problem: String) throws {
        #expect(throws: BenefitRulesError(problem: problem)) { try load(content) }
    }

    @Test("Content that is not JSON of whole numbers is refused, naming the file", arguments: [
        "[{", "[\(version(grant: "600000.5"))]", "{\"version\": \"fy-2024-01\"}",
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
