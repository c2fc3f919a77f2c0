import FoundationEssentials
import HoushiContract
import HoushiRuntime

/// How a rule version works out the funeral grant (丧葬补助金) and the survivor benefit (抚恤金).
enum BenefitMethod: String, ContractEnumeration {
    /// Before 人社部发〔2021〕18号: a fixed grant and a number of months of the deceased's own
    /// pension (or of a fixed base for someone not retired).
    case fixedMonths = "fixed-months"
    /// 人社部发〔2021〕18号 (in force 2021-09-01): both from the province's previous-year urban
    /// per-capita disposable income; the months from the contribution years (`survivorBenefitMonths`).
    case national2021 = "national-2021"
}

/// One version of the survivor-benefit rules, as stored in `Rules/benefit-rules.json`;
/// in force from `effectiveFrom` until the next version starts.
struct BenefitRuleVersion: Codable, Sendable, Equatable {
    /// E.g. `rsbf-2021-18`; each settlement records the version it applied.
    var version: String
    /// The first date of death (Beijing time) the version applies to.
    var effectiveFrom: CalendarDate
    var method: BenefitMethod
    /// Where the rule comes from (document, or a note that the figures are defaults).
    var source: String
    /// `fixed-months` only: 丧葬补助金, one sum.
    var funeralGrantFen: Int64?
    /// `fixed-months` only: 抚恤金 as this many months of the monthly pension, or of `nonRetiredMonthlyBaseFen`.
    var survivorBenefitMonths: Int?
    /// `fixed-months` only: the month the survivor benefit counts for someone who had not retired.
    var nonRetiredMonthlyBaseFen: Int64?
}

/// The province's urban per-capita disposable income of one year (城镇居民人均可支配收入), the
/// base of the 2021 method for deaths in the year after.
struct IncomeBase: Codable, Sendable, Equatable {
    var year: Int
    /// The yearly figure as published, in fen.
    var annualIncomeFen: Int64
    /// The statistical bulletin it comes from, and whether the bureau has confirmed it.
    var source: String

    /// One month of it, rounded to the fen (half up).
    var monthlyFen: Int64 { (annualIncomeFen + 6) / 12 }
}

/// The rules file: the versions and the dated income figures the 2021 method needs.
struct BenefitRulesFile: Codable, Sendable {
    var versions: [BenefitRuleVersion]
    var incomeBases: [IncomeBase]
}

/// Rules that cannot be used, naming the problem (and the file when loaded from one).
struct BenefitRulesError: Error, Equatable, Sendable, CustomStringConvertible {
    var problem: String

    var description: String { problem }
}

/// A date of death before the earliest version: the rules are never guessed.
struct NoBenefitRuleInForce: Error, Equatable, Sendable, CustomStringConvertible {
    var date: CalendarDate
    var earliest: CalendarDate

    var description: String { "no benefit rules in force on \(date): the earliest version starts \(earliest)" }
}

/// The benefit rule versions, checked and ordered by `effectiveFrom`, with the income figures.
struct BenefitRules: Sendable {
    /// The month counts a `fixed-months` version may name.
    static let survivorBenefitMonthRange = 0...36

    /// Oldest first.
    let versions: [BenefitRuleVersion]
    private let incomeBases: [Int: IncomeBase]

    /// Checks the versions: at least one; names and start dates unique; a source named; a
    /// `fixed-months` version has its three figures, amounts 0 or more and months within
    /// `survivorBenefitMonthRange`; income figures positive, one per year.
    init(versions: [BenefitRuleVersion], incomeBases: [IncomeBase] = []) throws(BenefitRulesError) {
        func fail(_ problem: String) -> BenefitRulesError { BenefitRulesError(problem: problem) }
        guard !versions.isEmpty else { throw fail("no rule versions") }
        var names: Set<String> = []
        var starts: Set<CalendarDate> = []
        for rule in versions {
            let name = rule.version
            guard !name.isEmpty else { throw fail("a version has an empty name") }
            guard names.insert(name).inserted else { throw fail("version \(name) appears twice") }
            guard starts.insert(rule.effectiveFrom).inserted else {
                throw fail("\(name): another version also starts \(rule.effectiveFrom)")
            }
            guard !rule.source.isEmpty else { throw fail("\(name): source is empty") }
            guard rule.method == .fixedMonths else { continue }
            guard let grant = rule.funeralGrantFen, let months = rule.survivorBenefitMonths,
                  let base = rule.nonRetiredMonthlyBaseFen else {
                throw fail("\(name): a fixed-months version needs funeralGrantFen, survivorBenefitMonths and nonRetiredMonthlyBaseFen")
            }
            for (field, fen) in [("funeralGrantFen", grant), ("nonRetiredMonthlyBaseFen", base)] where fen < 0 {
                throw fail("\(name): \(field) is \(fen), must be 0 or more")
            }
            guard Self.survivorBenefitMonthRange.contains(months) else {
                throw fail("\(name): survivorBenefitMonths is \(months), must be within \(Self.survivorBenefitMonthRange)")
            }
        }
        var bases: [Int: IncomeBase] = [:]
        for base in incomeBases {
            guard base.annualIncomeFen > 0 else { throw fail("income base \(base.year): annualIncomeFen must be more than 0") }
            guard !base.source.isEmpty else { throw fail("income base \(base.year): source is empty") }
            guard bases.updateValue(base, forKey: base.year) == nil else { throw fail("income base \(base.year) appears twice") }
        }
        self.versions = versions.sorted { $0.effectiveFrom < $1.effectiveFrom }
        self.incomeBases = bases
    }

    /// Reads and checks the rules file; the error names the file and the problem.
    static func load(from file: URL) throws(BenefitRulesError) -> BenefitRules {
        let name = file.lastPathComponent
        let content: BenefitRulesFile
        let data: Data
        do {
            data = try InputFile.data(file.path)
        } catch {
            throw BenefitRulesError(problem: "\(name): \(error.reason)")
        }
        do {
            content = try JSONDecoder().decode(BenefitRulesFile.self, from: data)
        } catch {
            throw BenefitRulesError(problem: "\(name): \(DecodingProblem(error, document: Array(data)))")
        }
        do {
            return try BenefitRules(versions: content.versions, incomeBases: content.incomeBases)
        } catch {
            throw BenefitRulesError(problem: "\(name): \(error.problem)")
        }
    }

    /// The latest version whose `effectiveFrom` is on or before `date`.
    func inForce(on date: CalendarDate) throws(NoBenefitRuleInForce) -> BenefitRuleVersion {
        guard let rule = versions.last(where: { $0.effectiveFrom <= date }) else {
            throw NoBenefitRuleInForce(date: date, earliest: versions[0].effectiveFrom)
        }
        return rule
    }

    /// The income figure of `year`, if the file has it.
    func incomeBase(of year: Int) -> IncomeBase? { incomeBases[year] }
}

/// The months of 抚恤金 under 人社部发〔2021〕18号, counted in twelfths of a month so that a part
/// year (months/12) stays exact.
enum SurvivorBenefitMonths {
    /// Contribution years (actual plus deemed) counted up to 30.
    static let countedContributionMonths = 30 * 12
    /// 9 months for a retiree at the least.
    static let retireeMinimumTwelfths = 9 * 12

    /// By contribution years: under 5 years 3 months; 5 to under 10, 6; 10 to 15 inclusive, 9;
    /// above 15 one more month a year (a part year by months/12), up to 30 years: 24 months.
    static func twelfths(contributionMonths: Int) -> Int {
        switch contributionMonths {
        case ..<60: 3 * 12
        case ..<120: 6 * 12
        case ...180: 9 * 12
        default: 9 * 12 + min(contributionMonths, countedContributionMonths) - 180
        }
    }

    /// A retiree: the months their contribution years at retirement give, less one for every
    /// full year of pension drawn, never below 9.
    static func twelfths(contributionMonthsAtRetirement: Int, fullYearsDrawn: Int) -> Int {
        max(twelfths(contributionMonths: contributionMonthsAtRetirement) - 12 * fullYearsDrawn, retireeMinimumTwelfths)
    }
}
