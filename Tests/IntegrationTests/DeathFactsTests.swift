import Foundation
import HoushiContract
import Testing

/// The death facts other departments ask for over HTTP (数据共享): with their own token and a
/// stated purpose, only the minimal facts, every question recorded for the auditor.
@Suite(.serialized)
final class DeathFactsTests {
    let houshi: Houshi
    let code = "FY-HOUSING-FUND-\(Int.random(in: 1_000...9_999))"
    let consumerToken: String
    let funeralStaffToken: String

    init() async throws {
        houshi = try await Houshi.start()
        consumerToken = try await houshi.admin(.intake, ["data-consumers", "add", "--code", code, "--name", "抚远市住房公积金中心"])
            .trimmingCharacters(in: .whitespacesAndNewlines)
        funeralStaffToken = try await houshi.operatorToken(.civilAffairs, name: "刘馆员")
    }

    @Test("a department learns of a death and then of its cremation; nothing of the family; each question recorded")
    func askAboutAPerson() async throws {
        let since = Timestamp(Date().addingTimeInterval(-1)).rfc3339
        let (body, idNumber) = try TestNotices.fresh()
        try await houshi.registerForWholeFlow(idNumber: idNumber)
        let caseId = try await houshi.postFreshNotice((body, idNumber))

        let recorded = try await ask("/v1/facts/deaths/\(idNumber)?purpose=\(q("公积金账户封存"))")
        #expect(recorded.status == 200)
        #expect(recorded.json?["deceased"] as? Bool == true)
        let fact = try #require(recorded.json?["fact"] as? [String: Any])
        #expect(fact["idNumber"] as? String == idNumber)
        #expect(fact["name"] as? String == "王桂兰" && fact["sex"] as? String == "female")
        #expect(fact["diedAt"] as? String == "2026-11-28T06:15:00+08:00")
        #expect(fact["certificateNumber"] as? String == "H2308832026000123")
        #expect(fact["cremation"] == nil)
        #expect(Set(fact.keys) == ["idNumber", "name", "sex", "diedAt", "certificateNumber", "recordedAt"])

        // The cremation, once the funeral home records it.
        #expect(try await houshi.recordCremation(caseId: caseId, staffToken: funeralStaffToken).status == 201)
        try await eventually("intake to learn of the cremation") {
            let answer = try await ask("/v1/facts/deaths/\(idNumber)?purpose=\(q("公积金账户封存"))")
            return ((answer.json?["fact"] as? [String: Any])?["cremation"] as? [String: Any])?["crematedAt"] as? String
                == "2026-11-29T09:30:00+08:00"
        }

        let unknown = TestNotices.freshIDNumber(like: idNumber)
        let living = try await ask("/v1/facts/deaths/\(unknown)?purpose=\(q("公积金提取审核"))")
        #expect(living.status == 200 && living.json?["deceased"] as? Bool == false && living.json?["fact"] == nil)

        // The batch: every death recorded since, with the one above among them.
        let batch = try await ask("/v1/facts/deaths?since=\(q(since))&purpose=\(q("每日对账"))")
        #expect(batch.status == 200 && batch.json?["pageSize"] as? Int == 100)
        let deaths = try #require(batch.json?["deaths"] as? [[String: Any]])
        #expect(deaths.contains { $0["idNumber"] as? String == idNumber })

        // The auditor's list: who asked what, when and why, with how many facts answered.
        let audit = try await houshi.admin(.intake, ["data-consumers", "queries", "--code", code])
            .split(separator: "\n").map { $0.split(separator: "\t", omittingEmptySubsequences: false).map(String.init) }
        #expect(audit.count >= 4, "\(audit)")
        #expect(audit.first?[1] == code && audit.first?[3] == "person" && audit.first?[4] == idNumber
                && audit.first?[5] == "公积金账户封存" && audit.first?[6] == "1")
        #expect(audit.contains { $0[4] == unknown && $0[6] == "0" })
        #expect(audit.last?[3] == "range" && audit.last?[5] == "每日对账")
    }

    @Test("a withdrawn notice is no death")
    func withdrawnNoticeIsNoDeath() async throws {
        let (body, idNumber) = try TestNotices.fresh()
        let caseId = try await houshi.postFreshNotice((body, idNumber))
        #expect(try await houshi.withdraw(caseId, reason: "登记错误").status == 202)
        #expect(try await ask("/v1/facts/deaths/\(idNumber)?purpose=\(q("公积金提取审核"))").json?["deceased"] as? Bool == false)
    }

    @Test("no token, a hospital's token, no purpose, a bad ID number or time: refused, field by field")
    func refusals() async throws {
        let idNumber = TestNotices.freshIDNumber(like: "230883194103150243")
        #expect(try await ask("/v1/facts/deaths/\(idNumber)?purpose=\(q("审核"))", as: nil).status == 401)
        #expect(try await ask("/v1/facts/deaths/\(idNumber)?purpose=\(q("审核"))", as: houshi.token).status == 401)
        let unstated = try await ask("/v1/facts/deaths/12345?purpose=%20")
        #expect(unstated.status == 422)
        let fields = (unstated.json?["fields"] as? [[String: Any]])?.compactMap { $0["field"] as? String }
        #expect(fields == ["purpose", "idNumber"])
        #expect(String(decoding: unstated.body, as: UTF8.self).contains("请说明查询事由"))
        let range = try await ask("/v1/facts/deaths?since=yesterday&page=0&purpose=\(q("每日对账"))")
        #expect((range.json?["fields"] as? [[String: Any]])?.compactMap { $0["field"] as? String } == ["since", "page"])
        // Refused questions are not facts given: nothing recorded for them.
        #expect(try await houshi.admin(.intake, ["data-consumers", "queries", "--code", code]).contains(idNumber) == false)

        try await houshi.admin(.intake, ["data-consumers", "revoke", "--code", code])
        #expect(try await ask("/v1/facts/deaths/\(idNumber)?purpose=\(q("审核"))").status == 401)
        #expect(try await houshi.admin(.intake, ["data-consumers", "list"]).contains("\(code)\t抚远市住房公积金中心\trevoked"))
    }

    /// GET as the data consumer.
    private func ask(_ path: String) async throws -> HTTP.Reply { try await ask(path, as: consumerToken) }

    /// GET with `bearer`'s token, or none.
    private func ask(_ path: String, as bearer: String?) async throws -> HTTP.Reply {
        try await HTTP.get("\(try houshi.address(of: .intake))\(path)",
                                  headers: bearer.map { ["Authorization": "Bearer \($0)"] } ?? [:])
    }

    /// A query parameter's value, percent-encoded.
    private func q(_ text: String) -> String { text.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? text }
}
