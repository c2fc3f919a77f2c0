import HoushiContract
import HoushiRuntime
@testable import SocialSecurity
import Testing

@Suite struct InsuredImportTests {
    static let header = InsuredRow.columns.joined(separator: ",")

    @Test func goodRowsParseAndBadOnesSayWhyByLine() throws {
        let reader = try CSVReader("""
            \(Self.header)
            230883194103150243,王桂兰,true,enterprise,true,2001-04,325640,2026-12,0,1234560,360,
            230883196608020312,李建国,true,enterprise,false,,0,,8650000,,48,120000
            230883196608020312,李建国,yes,boss,false,2001-04,100,,x,,360,
            230883196608020312,李建国,true,enterprise,false,,0,,0,,,
            230883196608020312,李建国,true,enterprise,false,,0,,0,,59,
            """, required: InsuredRow.columns)
        let results = reader.records.map(InsuredRow.parse)
        guard case .success(let retiree) = results[0], case .success(let worker) = results[1],
              case .failure(let problems) = results[2], case .failure(let noYears) = results[3],
              case .failure(let noOwnContributions) = results[4]
        else { Issue.record("expected two good rows and three bad: \(results)"); return }
        #expect(retiree.contributionMonths == 360)
        #expect(worker.contributionMonths == 48)
        #expect(worker.ownContributionsFen == 120_000)
        #expect(noYears.problems == ["contribution_months must be a whole number of months, 0 to 900 (actual plus deemed contributions)"])
        #expect(noOwnContributions.problems == ["own_contributions_fen is required under 60 contribution months (it caps the survivor benefits)"])
        #expect(retiree.pensionStart == YearMonth(year: 2001, month: 4))
        #expect(retiree.medicalAccountBalanceFen == 1_234_560)
        #expect(worker.medicalAccountBalanceFen == nil)
        #expect(reader.records[2].line == 4)
        #expect(problems.problems == [
            "employer_type must be one of enterprise, public-institution, none",
            "insured_here must be true or false",
            "personal_account_balance_fen must be a whole number of fen, 0 or more",
            "pension_start and monthly_pension_fen are for the retired only",
        ])
    }

    @Test func theGeneratorWritesRowsTheImportAccepts() throws {
        var generator = SeededGenerator(seed: 3)
        let people = SyntheticInsured.people(40, region: "230883", using: &generator)
        let csv = ([Self.header] + people.map(InsuredRow.csvLine)).joined(separator: "\n")
        let parsed = try CSVReader(csv, required: InsuredRow.columns).records.map(InsuredRow.parse)
        let loaded = parsed.compactMap { try? $0.get() }
        #expect(loaded == people)
    }
}
