import FoundationEssentials
import HoushiContract

/// One version of the survivor-benefit rules, as stored in `Rules/benefit-rules.json`;
/// in force from `effectiveFrom` until the next version starts.
struct BenefitRuleVersion: Codable, Sendable, Equatable {
    /// E.g. `fy-2024-01`; each settlement records the version it applied.
    var version: String
    /// The first date of death the version applies to.
    var effectiveFrom: CalendarDate
    /// 丧葬补助金, one sum.
    var funeralGrantFen: Int64
    /// 抚恤金 as this many months of the monthly pension, or of `nonRetiredMonthlyBaseFen`.
    var survivorBenefitMonths: Int
    /// The month the survivor benefit counts for an insured person who had not retired.
    var nonRetiredMonthlyBaseFen: Int64
    /// Where the figures come from (document, or a note that they are defaults).
    var source: String
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

/// The benefit rule versions, checked and ordered by `effectiveFrom`.
struct BenefitRules: Sendable {
    /// The survivor benefit's month counts that are accepted.
    static let survivorBenefitMonthRange = 0...36

    /// Oldest first.
    let versions: [BenefitRuleVersion]

    /// Checks the versions: at least one; names and start dates unique; a source named;
    /// amounts 0 or more; month counts within `survivorBenefitMonthRange`.
    init(versions: [BenefitRuleVersion]) throws(BenefitRulesError) {
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
            for (field, fen) in [("funeralGrantFen", rule.funeralGrantFen),
                                 ("nonRetiredMonthlyBaseFen", rule.nonRetiredMonthlyBaseFen)] where fen < 0 {
                throw fail("\(name): \(field) is \(fen), must be 0 or more")
            }
            let months = rule.survivorBenefitMonths
            guard Self.survivorBenefitMonthRange.contains(months) else {
                throw fail("\(name): survivorBenefitMonths is \(months), must be within \(Self.survivorBenefitMonthRange)")
            }
        }
        self.versions = versions.sorted { $0.effectiveFrom < $1.effectiveFrom }
    }

    /// Reads and checks a JSON list of versions; the error names the file and the problem.
    static func load(from file: URL) throws(BenefitRulesError) -> BenefitRules {
        let name = file.lastPathComponent
        let versions: [BenefitRuleVersion]
        do {
            versions = try JSONDecoder().decode([BenefitRuleVersion].self, from: Data(contentsOf: file))
        } catch {
            throw BenefitRulesError(problem: "\(name): \(describe(error))")
        }
        do {
            return try BenefitRules(versions: versions)
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

    /// A reading failure in an operator's words: where in the file and what is wrong.
    private static func describe(_ error: any Error) -> String {
        guard let error = error as? DecodingError else { return "\(error)" }
        switch error {
        case .keyNotFound(let key, let context):
            return "\(location(context.codingPath + [key])) is missing"
        case .dataCorrupted(let context), .typeMismatch(_, let context), .valueNotFound(_, let context):
            let place = location(context.codingPath)
            return place.isEmpty ? context.debugDescription : "\(place): \(context.debugDescription)"
        @unknown default:
            return "\(error)"
        }
    }

    /// A coding path inside the list, as `[1].effectiveFrom`.
    private static func location(_ path: [any CodingKey]) -> String {
        path.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined()
    }
}
