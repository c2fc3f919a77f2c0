import HoushiContract
import HoushiRuntime

/// A person in the social insurance register, as an import loads them.
struct InsuredPerson: Sendable, Equatable {
    var idNumber: String
    var name: String
    /// Insured in this city: one-stop condition 3.
    var insuredHere: Bool
    var employerType: EmployerType
    var retired: Bool
    /// The first month the pension was due (retired only).
    var pensionStart: YearMonth?
    var monthlyPensionFen: Int64
    /// Paid up to and including this month (retired only): the payment ledger's extent.
    var paidThrough: YearMonth?
    var personalAccountBalanceFen: Int64
    /// The medical insurance personal account balance; nil when there is no account.
    var medicalAccountBalanceFen: Int64?
    /// Contribution months, actual plus deemed (含视同缴费); for a retiree, at retirement.
    var contributionMonths: Int
    /// What the person paid in themselves: required under 5 contribution years, where it caps
    /// the survivor benefits.
    var ownContributionsFen: Int64?
}

/// One row of an insured-persons import, checked.
enum InsuredRow {
    static let columns = ["id_number", "name", "insured_here", "employer_type", "retired", "pension_start",
                          "monthly_pension_fen", "paid_through", "personal_account_balance_fen",
                          "medical_account_balance_fen", "contribution_months", "own_contributions_fen"]

    static func parse(_ record: CSVReader.Record) -> Result<InsuredPerson, RowProblems> {
        var problems: [String] = []
        func field(_ name: String) -> String { record[name].trimmingWhitespace }
        func flag(_ name: String) -> Bool {
            guard let value = Bool(field(name).lowercased()) else { problems.append("\(name) must be true or false"); return false }
            return value
        }
        func fen(_ name: String, optional: Bool = false) -> Int64? {
            if optional, field(name).isEmpty { return nil }
            guard let value = Int64(field(name)), value >= 0 else {
                problems.append("\(name) must be a whole number of fen, 0 or more")
                return nil
            }
            return value
        }
        func months(_ name: String) -> Int? {
            guard let value = Int(field(name)), (0...900).contains(value) else {
                problems.append("\(name) must be a whole number of months, 0 to 900 (actual plus deemed contributions)")
                return nil
            }
            return value
        }
        func month(_ name: String) -> YearMonth? {
            if field(name).isEmpty { return nil }
            guard let value = YearMonth(field(name)) else { problems.append("\(name) must be YYYY-MM"); return nil }
            return value
        }
        do {
            _ = try ResidentIDNumber(field("id_number"))
        } catch {
            problems.append("id_number \(error.english)")
        }
        if field("name").isEmpty { problems.append("name is empty") }
        let employer = EmployerType(rawValue: field("employer_type"))
        if employer == nil {
            problems.append("employer_type must be one of \(EmployerType.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        let contributions = months("contribution_months")
        let person = InsuredPerson(
            idNumber: field("id_number").uppercased(), name: field("name"), insuredHere: flag("insured_here"),
            employerType: employer ?? .enterprise, retired: flag("retired"), pensionStart: month("pension_start"),
            monthlyPensionFen: fen("monthly_pension_fen") ?? 0, paidThrough: month("paid_through"),
            personalAccountBalanceFen: fen("personal_account_balance_fen") ?? 0,
            medicalAccountBalanceFen: fen("medical_account_balance_fen", optional: true),
            contributionMonths: contributions ?? 0,
            ownContributionsFen: fen("own_contributions_fen", optional: true))
        if person.insuredHere, let contributions, contributions < 60, person.ownContributionsFen == nil {
            problems.append("own_contributions_fen is required under 60 contribution months (it caps the survivor benefits)")
        }
        if person.retired, person.pensionStart == nil { problems.append("pension_start is required when retired") }
        if !person.retired, person.pensionStart != nil || person.monthlyPensionFen > 0 {
            problems.append("pension_start and monthly_pension_fen are for the retired only")
        }
        if let start = person.pensionStart, let through = person.paidThrough, through < start {
            problems.append("paid_through is before pension_start")
        }
        return problems.isEmpty ? .success(person) : .failure(RowProblems(problems: problems))
    }
}

extension InsuredRow {
    /// One CSV line in the import's column order.
    static func csvLine(_ person: InsuredPerson) -> String {
        [person.idNumber, person.name, String(person.insuredHere), person.employerType.rawValue, String(person.retired),
         person.pensionStart?.description ?? "", String(person.monthlyPensionFen), person.paidThrough?.description ?? "",
         String(person.personalAccountBalanceFen), person.medicalAccountBalanceFen.map { String($0) } ?? "",
         String(person.contributionMonths), person.ownContributionsFen.map { String($0) } ?? ""]
            .joined(separator: ",")
    }
}

/// Synthetic insured persons: retirees with pensions paid through last month, workers with
/// personal accounts, most with a medical account, a few insured elsewhere.
enum SyntheticInsured {
    private static let names = ["王桂兰", "李建国", "张秀英", "刘志强", "陈玉梅", "杨海燕", "赵国庆", "黄淑珍"]

    static func people<G: RandomNumberGenerator>(_ count: Int, region: String, using generator: inout G) -> [InsuredPerson] {
        var idNumbers = SyntheticIDNumbers()
        return (0..<max(count, 1)).map { _ in
            let retired = Bool.random(using: &generator)
            let year = retired ? Int.random(in: 1935...1965, using: &generator) : Int.random(in: 1966...2000, using: &generator)
            let start = YearMonth(year: year + 60, month: Int.random(in: 1...12, using: &generator))
            return InsuredPerson(
                idNumber: idNumbers.next(region: region, year: year, using: &generator),
                name: names.randomElement(using: &generator)!,
                insuredHere: Int.random(in: 0..<10, using: &generator) > 0,
                employerType: Int.random(in: 0..<10, using: &generator) == 0 ? .publicInstitution : .enterprise,
                retired: retired, pensionStart: retired ? start : nil,
                monthlyPensionFen: retired ? Int64.random(in: 150_000...600_000, using: &generator) : 0,
                paidThrough: retired ? YearMonth(year: 2026, month: 10) : nil,
                personalAccountBalanceFen: Int64.random(in: 0...(retired ? 3_000_000 : 20_000_000), using: &generator),
                medicalAccountBalanceFen: Bool.random(using: &generator) ? Int64.random(in: 0...5_000_000, using: &generator) : nil,
                contributionMonths: Int.random(in: retired ? 180...480 : 60...420, using: &generator),
                ownContributionsFen: nil)
        }
    }
}

/// A medical reimbursement claim of the medical insurance system (医疗费用报销), as an import
/// loads it: open until the claim is settled.
struct ReimbursementClaim: Sendable, Equatable {
    var claimNumber: String
    var idNumber: String
    var amountFen: Int64
    var open: Bool
}

/// One row of a reimbursement claims import, checked.
enum ReimbursementRow {
    static let columns = ["claim_number", "id_number", "amount_fen", "status"]

    static func parse(_ record: CSVReader.Record) -> Result<ReimbursementClaim, RowProblems> {
        var problems: [String] = []
        func field(_ name: String) -> String { record[name].trimmingWhitespace }
        if field("claim_number").isEmpty { problems.append("claim_number is empty") }
        do {
            _ = try ResidentIDNumber(field("id_number"))
        } catch {
            problems.append("id_number \(error.english)")
        }
        let amount = Int64(field("amount_fen"))
        if amount.map({ $0 < 0 }) ?? true { problems.append("amount_fen must be a whole number of fen, 0 or more") }
        let status = field("status")
        if !["open", "settled"].contains(status) { problems.append("status must be open or settled") }
        guard problems.isEmpty, let amount else { return .failure(RowProblems(problems: problems)) }
        return .success(ReimbursementClaim(claimNumber: field("claim_number"), idNumber: field("id_number").uppercased(),
                                           amountFen: amount, open: status == "open"))
    }
}
