import HoushiContract
import HoushiRuntime
import Testing
@testable import HousingFund

/// The centre's rules on the public facts, without a broker or a database.
@Suite struct FundDecisionTests {
    static let open = AccountStanding.open(number: "230883100012345678", balanceFen: 8_634_250)

    @Test("on a death", arguments: [
        (CaseStanding(), open, FundDecision.openWithdrawal(account: "230883100012345678", balanceFen: 8_634_250)),
        (CaseStanding(), AccountStanding.none, .noAccount),
        (CaseStanding(), .closed(number: "230883100012345678"), .accountClosed(account: "230883100012345678")),
        // A corrected notice sends the death again: the withdrawal stands.
        (CaseStanding(withdrawal: .awaitingHeirs), open, .updateFacts),
        (CaseStanding(withdrawal: .cancelled), open, .updateFacts),
        // The withdrawal of the death came first: nothing is frozen.
        (CaseStanding(withdrawn: true), open, .ignore),
        (CaseStanding(withdrawn: true, withdrawal: .cancelled), open, .ignore),
    ] as [(CaseStanding, AccountStanding, FundDecision)])
    func onDeath(_ standing: CaseStanding, account: AccountStanding, expected: FundDecision) {
        #expect(FundDecision.onDeathRecorded(standing, account: account) == expected)
    }

    @Test("on a withdrawn death", arguments: [
        (CaseStanding(withdrawn: true, withdrawal: .awaitingHeirs), FundDecision.reverse),
        (CaseStanding(withdrawn: true, withdrawal: .cancelled), .ignore),
        (CaseStanding(withdrawn: true), .ignore),
    ] as [(CaseStanding, FundDecision)])
    func onWithdrawal(_ standing: CaseStanding, expected: FundDecision) {
        #expect(FundDecision.onDeathWithdrawn(standing) == expected)
    }

    @Test("what the case is told: the balance in yuan, the account's last digits only, the withdrawal's number")
    func outcomes() throws {
        let opened = try #require(FundDecision.openWithdrawal(account: "230883100012345678", balanceFen: 8_634_250)
            .outcome(caseNumber: "GJJ-2026-000001"))
        #expect(opened.status == .waiting && opened.reference == "GJJ-2026-000001")
        #expect(opened.summary == "住房公积金账户（尾号5678）已封存，余额86342.50元待继承人凭继承权证明到中心提取。")
        #expect(!opened.summary.contains("230883100012345678"))
        #expect(FundDecision.noAccount.outcome(caseNumber: nil)?.status == .notApplicable)
        #expect(FundDecision.reverse.outcome(caseNumber: "GJJ-2026-000001")?.status == .reversed)
        #expect(FundDecision.updateFacts.outcome(caseNumber: nil) == nil)
        #expect(FundDecision.ignore.outcome(caseNumber: nil) == nil)
    }

    @Test("an account row: a valid ID number, names, a whole non-negative balance in fen", arguments: [
        (["account_number": "A1", "id_number": "230883194103150243", "name": "王桂兰", "employer": "抚远市第一中学",
          "balance_fen": "8634250"], nil),
        (["account_number": "A1", "id_number": "230883194103150244", "name": "王桂兰", "employer": "X", "balance_fen": "1"],
         "id_number"),
        (["account_number": "", "id_number": "230883194103150243", "name": "王桂兰", "employer": "X", "balance_fen": "1"],
         "account_number is empty"),
        (["account_number": "A1", "id_number": "230883194103150243", "name": "王桂兰", "employer": "X", "balance_fen": "-5"],
         "balance_fen"),
        (["account_number": "A1", "id_number": "230883194103150243", "name": "王桂兰", "employer": "X", "balance_fen": "86342.50"],
         "balance_fen"),
    ] as [([String: String], String?)])
    func accountRows(_ fields: [String: String], problem: String?) {
        switch AccountRow.parse(fields) {
        case .success(let account):
            #expect(problem == nil)
            #expect(account.balanceFen == 8_634_250 && account.idNumber == "230883194103150243")
        case .failure(let problems):
            #expect(problem != nil && problems.problems.contains { $0.hasPrefix(problem!) }, "\(problems.problems)")
        }
    }
}
