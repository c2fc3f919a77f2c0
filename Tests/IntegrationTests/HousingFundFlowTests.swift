import Crypto
import Foundation
import HoushiContract
import Testing

/// The housing fund, the reference subscriber of the public facts, over the real broker,
/// database and services: added as any subscriber is (`deploy/local/subscribers add
/// housing-fund`), it freezes the deceased's account and opens a withdrawal for the heirs with
/// the balance, reports to the case, and undoes it when the death is withdrawn.
@Suite(.serialized)
final class HousingFundFlowTests {
    let houshi: Houshi
    let fund: ServiceProcess

    init() async throws {
        houshi = try await Houshi.start()
        try await houshi.infrastructure.subscribers(["add", "housing-fund"])
        fund = try ServiceProcess(named: "housing-fund", environment: houshi.environment,
                                  httpPort: Houshi.basePort + Department.allCases.count)
        try await fund.waitUntilReady()
    }

    @Test("a death freezes the account and opens a withdrawal of its balance, shown with the case; its withdrawal undoes both")
    func deathAndWithdrawal() async throws {
        let (body, idNumber) = try TestNotices.fresh(items: ["hukou"])
        let account = "TEST\(Int.random(in: 100_000...999_999))"
        try await importAccounts("\(account),\(idNumber),王桂兰,抚远市第一中学,8634250\n")
        let caseId = try await houshi.postFreshNotice((body, idNumber))

        let opened = try await outcome(of: caseId) { $0["status"] as? String == "waiting" }
        #expect(opened["department"] as? String == "抚远市住房公积金中心")
        #expect(opened["summary"] as? String
                == "住房公积金账户（尾号\(account.suffix(4))）已封存，余额86342.50元待继承人凭继承权证明到中心提取。")
        let caseNumber = try #require(opened["reference"] as? String)
        #expect(caseNumber.hasPrefix("GJJ-") && caseNumber.count == 15, "\(caseNumber)")
        #expect(try await value("SELECT status || ' ' || frozen_for AS value FROM housing_fund.accounts WHERE account_number = $1",
                                account) == "frozen \(caseId.lowercased)")
        #expect(try await value("""
            SELECT status || ' ' || balance_fen || ' ' || case_number AS value FROM housing_fund.withdrawals WHERE case_id = $1::uuid
            """, caseId.lowercased) == "awaiting-heirs 8634250 \(caseNumber)")
        // The family's page shows it beside the items.
        let page = String(decoding: try await HTTP.get("\(try houshi.address(of: .intake))/jd/\(try await familyToken(caseId))").body,
                          as: UTF8.self)
        for text in ["其他部门", "抚远市住房公积金中心", "待家属办理", "余额86342.50元待继承人", "编号 \(caseNumber)"] {
            #expect(page.contains(text), "the family page lacks \(text)")
        }
        // The centre lists it for its counter.
        #expect(try await runCommand(houshi.environment.binary("housing-fund"), ["withdrawals"],
                                     environment: try houshi.environment.serviceEnvironment(named: "housing-fund"))
                    .contains("\(caseNumber)\t\(caseId.lowercased)\t\(account)\t86342.50元\tawaiting-heirs"))

        #expect(try await houshi.withdraw(caseId, reason: "逝者身份登记错误").status == 202)
        let reversed = try await outcome(of: caseId) { $0["status"] as? String == "reversed" }
        #expect(reversed["reference"] as? String == caseNumber)
        #expect(try await value("SELECT status AS value FROM housing_fund.accounts WHERE account_number = $1", account) == "active")
        #expect(try await value("SELECT status AS value FROM housing_fund.withdrawals WHERE case_id = $1::uuid",
                                caseId.lowercased) == "cancelled")
        #expect(!fund.log.contains(idNumber), "the housing fund's log names the ID number")
    }

    @Test("no account under the ID number: nothing to do, and the case says so")
    func noAccount() async throws {
        let caseId = try await houshi.postFreshNotice(try TestNotices.fresh(items: ["hukou"]))
        let outcome = try await outcome(of: caseId) { _ in true }
        #expect(outcome["status"] as? String == "not-applicable")
        #expect(outcome["summary"] as? String == "未查到以逝者身份证号开立的住房公积金账户，无需办理。")
        #expect(try await value("SELECT count(*)::text AS value FROM housing_fund.withdrawals WHERE case_id = $1::uuid",
                                caseId.lowercased) == "0")
    }

    @Test("the housing fund's database role reaches only its own schema")
    func databaseRoleStaysInItsSchema() async throws {
        let url = try #require(try houshi.environment.serviceEnvironment(named: "housing-fund")["HOUSHI_DATABASE_URL"])
        let attempts = try await withDatabaseConnection(url: url) { db in
            [SQLAttempt("SELECT * FROM intake.cases LIMIT 1", on: db),
             SQLAttempt("SELECT * FROM social_security.item_requests LIMIT 1", on: db),
             SQLAttempt("SELECT count(*) FROM housing_fund.accounts", on: db)]
        }
        #expect(attempts.map(\.sqlState) == ["42501", "42501", nil])
    }

    /// Loads accounts (CSV rows after the header) with `housing-fund accounts import`.
    private func importAccounts(_ rows: String) async throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("accounts-\(UUID()).csv")
        try ("account_number,id_number,name,employer,balance_fen\n" + rows).write(to: file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: file) }
        try await runCommand(houshi.environment.binary("housing-fund"), ["accounts", "import", file.path],
                             environment: try houshi.environment.serviceEnvironment(named: "housing-fund"))
    }

    /// Waits until the case's view shows the housing fund's outcome such that `matches`; returns it.
    private func outcome(of caseId: UUID, _ matches: @escaping ([String: Any]) -> Bool) async throws -> [String: Any] {
        var found: [String: Any] = [:]
        try await eventually("the housing fund's outcome in the case view") {
            let shown = try await self.houshi.caseView(caseId)["subscribers"] as? [[String: Any]] ?? []
            guard let outcome = shown.first(where: { $0["subscriber"] as? String == "housing-fund" }), matches(outcome) else {
                return false
            }
            found = outcome
            return true
        }
        return found
    }

    /// The case's family link token, as the SMS carries it (HMAC-SHA256 of the case id under intake's link key).
    private func familyToken(_ caseId: UUID) async throws -> String {
        let hex = try #require(try await value("SELECT encode(key, 'hex') AS value FROM intake.link_keys"))
        let key = SymmetricKey(data: Data(stride(from: 0, to: hex.count, by: 2).map {
            UInt8(hex.dropFirst($0).prefix(2), radix: 16)!
        }))
        let mac = HMAC<SHA256>.authenticationCode(for: Data(caseId.lowercased.utf8), using: key)
        return Data(mac.prefix(12)).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
    }

    private func value(_ sql: String, _ parameters: String...) async throws -> String? {
        try await houshi.infrastructure.database.withConnection { db in try db.execute(sql, parameters).first?["value"] }
    }
}
