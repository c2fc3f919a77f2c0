import Foundation
import HoushiContract
import HoushiRuntime
import HoushiWeb
@testable import Intake
import MultipartKit
import Testing

/// The pages' plain rules: the 登记表 read into a notice, items in the families' words, the
/// sign-in throttle.
@Suite struct PagesTests {
    /// The example notice as the page's inputs send it.
    static let filled: [(String, String)] = [
        ("certificate.form", "national-2026"), ("certificate.number", "H2308832026000123"),
        ("certificate.issuedAt", "2026-11-28T09:40"), ("certificate.doctor", "张明"),
        ("deceased.name", "王桂兰"), ("deceased.idNumber", "230883194103150243"), ("deceased.sex", "female"),
        ("deceased.age", "85"), ("deceased.ethnicity", "汉族"), ("deceased.hukouAddress", "黑龙江省抚远市抚远镇通江路12号"),
        ("deceased.residenceTownship", "抚远镇"), ("deceased.diedAt", "2026-11-28T06:15"),
        ("deceased.causeOfDeath", "慢性阻塞性肺疾病"), ("deceased.mannerOfDeath", "natural"),
        ("deceased.employerType", "enterprise"),
        ("applicant.name", "李建国"), ("applicant.phone", "13904561234"), ("applicant.idNumber", "230883196608020312"),
        ("applicant.address", "黑龙江省抚远市抚远镇通江路12号"), ("applicant.relation", "child"),
        ("beneficiary.name", "李建国"), ("beneficiary.relation", "child"), ("beneficiary.idNumber", "230883196608020312"),
        ("beneficiary.bankAccount", "6217 0001 3000 1234 567"), ("beneficiary.bank", "中国建设银行抚远支行"),
        ("body.atFuneralHome", "false"), ("body.funeralHome", ""), ("body.pickupAddress", "抚远市人民医院住院部"),
        ("body.pickupAt", "2026-11-28T14:00"), ("ashes.placement", "commercial-cemetery"),
        ("ashes.placeName", "抚远市福寿园公墓"), ("requestedItems", "cremation"), ("requestedItems", "hukou"),
        ("requestedItems", "pension"), ("requestedItems", "medical-account"),
        ("commitments.civilizedFuneral", "yes"), ("commitments.truthful", "yes"), ("applicantSignedAt", "2026-11-28T10:05"),
    ]

    static func fields(_ pairs: [(String, String)]) -> FormFields {
        FormFields(parts: pairs.map { name, value in
            MultipartPart(headers: ["Content-Disposition": "form-data; name=\"\(name)\""], body: value)
        })
    }

    @Test("the filled 登记表 is the example notice, times read as Beijing time")
    func filledFormIsTheExampleNotice() throws {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("../../../shared/examples/death-notice.json").standardized
        let example = try JSONDecoder().decode(DeathNotice.self, from: Data(contentsOf: url))
        let notice = try NoticeForm(fields: Self.fields(Self.filled)).notice()
        #expect(notice == example)
    }

    @Test("inputs left empty or unreadable are named at their inputs, in Chinese and English", arguments: [
        ("deceased.name", "", "须填写"),
        ("deceased.age", "八十五", "须为整数岁"),
        ("deceased.diedAt", "昨天早上", "须为日期和时间，如2026-11-28 06:15"),
        ("deceased.sex", "", "请选择"),
        ("ashes.placement", "sea", "选项无效"),
        ("body.pickupAddress", "", "须填写"),
    ])
    func problemsAreNamedAtTheirInputs(field: String, value: String, chinese: String) throws {
        let pairs = Self.filled.map { $0.0 == field ? ($0.0, value) : $0 }
        #expect {
            try NoticeForm(fields: Self.fields(pairs)).notice()
        } throws: { error in
            let fields = (error as? APIError)?.fields ?? []
            return fields.contains { $0.field == field && $0.messageZh == chinese && !$0.message.isEmpty }
        }
    }

    @Test("a beneficiary left wholly empty is none; a partly filled one needs every input")
    func beneficiaryIsAllOrNothing() throws {
        let without = Self.filled.filter { !$0.0.hasPrefix("beneficiary.") }
        #expect(try NoticeForm(fields: Self.fields(without)).notice().beneficiary == nil)
        let partial = without + [("beneficiary.name", "李建国")]
        #expect {
            try NoticeForm(fields: Self.fields(partial)).notice()
        } throws: { error in
            Set(((error as? APIError)?.fields ?? []).map(\.field))
                == ["beneficiary.relation", "beneficiary.idNumber", "beneficiary.bankAccount", "beneficiary.bank"]
        }
    }

    @Test("items are shown in the words families know", arguments: [
        ("requested", Item.hukou, "办理中", "active"),
        ("held", Item.hukou, "人工审核中（11月30日17:00前答复）", "held"),
        ("done", Item.hukou, "已办结", "done"),
        ("rejected", Item.pension, "不适用联办，请到窗口办理", "offline"),
        ("reversed", Item.cremation, "已撤销", "reversed"),
    ])
    func itemStates(status: String, item: Item, state: String, tone: String) {
        let result: JSONValue = .object(["deadline": .string("2026-11-30T17:00:00+08:00"), "reason": .string("待核对"),
                                         "cancelledAt": .string("2026-11-30T09:42:00+08:00")])
        let progress = ItemProgress.of(item: item, status: status, result: result, waitingFor: "公安机关核查户籍")
        #expect(progress.state == state)
        #expect(progress.tone == tone)
    }

    @Test("results are shown in 元 and with the offline place")
    func itemResults() {
        let pension = ItemProgress.of(item: .pension, status: "done", result: .object([
            "funeralGrantFen": .integer(650_000), "survivorBenefitFen": .integer(2_925_000),
            "personalAccountBalanceFen": .integer(0), "overpaymentToRecoverFen": .integer(325_640),
            "netPayableFen": .integer(3_249_360)]), waitingFor: nil)
        #expect(pension.details == ["丧葬补助金6500.00元", "抚恤金29250.00元", "扣回多发养老金3256.40元", "实发32493.60元"])
        let refused = ItemProgress.of(item: .medicalAccount, status: "rejected",
                                      result: .object(["reason": .string("本市无医保个人帐户")]), waitingFor: nil)
        #expect(refused.details == ["本市无医保个人帐户", "请到参保地医保经办机构办理"])
    }

    @Test("the hospital sees how an item ended, not the department's figures", arguments: [
        (Item.pension, ["stopFrom", "benefitsByOldProcess", "reason"]),
        (Item.medicalAccount, ["closedAt"]),
        (Item.hukou, ["cancelledAt"]),
        (Item.cremation, ["certificateNumber", "funeralHome", "pickup"]),
    ])
    func hospitalDisclosure(item: Item, shown: [String]) {
        let result: JSONValue = .object([
            "stopFrom": .string("2026-12"), "benefitsByOldProcess": .bool(false), "reason": .string("待核对"),
            "netPayableFen": .integer(3_249_360), "payee": .object(["bankAccountLast4": .string("4567")]),
            "closedAt": .string("2026-12-01T10:00:00+08:00"), "balancePaidFen": .integer(50_000),
            "cancelledAt": .string("2026-12-01T09:42:00+08:00"), "householdNumber": .string("230881000123"),
            "decidedBy": .string("张警官"), "certificateNumber": .string("HZ2026-0001"),
            "funeralHome": .object(["code": .string("FH1")]), "pickup": .object(["address": .string("太平间")])])
        guard case .object(let visible) = HospitalDisclosure.visible(item: item, result: result) else {
            Issue.record("not an object")
            return
        }
        #expect(Set(visible.keys) == Set(shown + (item == .pension ? [] : ["reason"])))
    }

    @Test("the hospital's page says a settlement's figures went to the family")
    func hospitalSettlementDetails() {
        let pension = ItemProgress.of(item: .pension, status: "done",
                                      result: HospitalDisclosure.visible(item: .pension, result: .object([
                                          "stopFrom": .string("2026-12"), "netPayableFen": .integer(3_249_360)])),
                                      waitingFor: nil)
        #expect(pension.details == ["待遇已核定，明细已告知家属"])
    }

    @Test("sign-in waits after five failures of an account or twenty from an address", arguments: [
        (0, 0, true), (4, 19, true), (5, 0, false), (0, 20, false),
    ])
    func throttle(account: Int, address: Int, allowed: Bool) {
        #expect(LoginThrottle().allows(accountFailures: account, addressFailures: address) == allowed)
    }

    @Test("the 编号 reads out as FY, the year and six digits; timeline types in words")
    func caseNumbersAndTimeline() {
        #expect(CaseNumber(year: 2026, number: 42).description == "FY2026-000042")
        #expect(CaseView.eventText("hukou.cancelled.v1") == "户口注销：已办结")
        #expect(CaseView.eventText("death.notified.v1") == "医疗机构受理登记，已推送公安、民政、人社等部门")
    }
}
