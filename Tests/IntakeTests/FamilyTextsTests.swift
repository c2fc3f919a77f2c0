import Foundation
import HoushiContract
@testable import Intake
import Testing

@Suite struct FamilyTextsTests {
    @Test func moneyIsWrittenInYuanFromFen() {
        #expect(yuan(325_640) == "3256.40元")
        #expect(yuan(5) == "0.05元")
        #expect(yuan(-300_000) == "-3000.00元")
    }

    @Test func timesAreWrittenInBeijingTime() {
        #expect(Timestamp(rfc3339: "2026-11-28T14:00:00+08:00")!.chineseTime == "11月28日14:00")
    }

    static let at = Timestamp(rfc3339: "2026-11-28T14:00:00+08:00")!
    static let payee = Payee(name: "李建国", relation: .child, bankAccountLast4: "4567")

    /// Every kind of message the family can get, with long names and amounts.
    nonisolated(unsafe) static let outcomes: [(Item, any FamilyNotice)] = [
        (.hukou, HukouCancelled(deceasedIdNumber: "230883194103150243", householdNumber: "230883010045",
                                cancelledAt: at, decidedBy: "抚远市公安局抚远镇派出所 户籍民警 赵强")),
        (.cremation, CremationCertified(certificateNumber: "HH2308832026001187",
                                        funeralHome: FuneralHomeRef(code: "FY01", name: "抚远市殡仪馆"), issuedAt: at,
                                        pickup: Pickup(address: "黑龙江省抚远市抚远镇通江路12号附3号院", at: at))),
        (.cremation, CremationCompleted(certificateNumber: "HH2308832026001187",
                                        funeralHome: FuneralHomeRef(code: "FY01", name: "抚远市殡仪馆"), crematedAt: at,
                                        ashes: Ashes(placement: .commercialCemetery, placeName: "抚远市福寿园公墓"))),
        (.medicalAccount, MedicalAccountSettled(balancePaidFen: 12_345_678, closedAt: at, payee: payee,
                                                reminder: "医保个人帐户余额已清算。")),
        (.medicalAccount, ItemRejected(reasonCode: "no-medical-account",
                                       reason: "本市无医保个人帐户，请到参保地医保经办机构办理 (no medical account in this city)")),
        (.hukou, ItemHeld(reasonCode: "register-mismatch", reason: "户籍登记信息与死亡医学证明不一致，待户籍民警人工核对。",
                          deadline: at)),
        (.pension, ItemReversed(reason: "death-voided", detail: "死亡登记已撤销，户口已恢复")),
    ]

    @Test func outcomesTellTheFamilyWhatHappenedInChineseOnly() {
        let certified = Self.outcomes[1].1.familyText(item: .cremation)!
        #expect(certified == "火化证明已开具。抚远市殡仪馆将于11月28日14:00接运遗体。")
        let rejected = ItemRejected(reasonCode: "not-local-household", reason: "户籍不在本市")
        #expect(rejected.familyText(item: .hukou) == "户口注销需到窗口办理：户籍不在本市。")
        let refused = Self.outcomes[4].1.familyText(item: .medicalAccount)!
        #expect(refused == "医保个人帐户需到窗口办理：本市无医保个人帐户，请到参保地医保经办机构办理。")
        for (item, outcome) in Self.outcomes {
            let text = outcome.familyText(item: item) ?? ""
            #expect(!text.contains { $0.isASCII && $0.isLetter }, "English in \(text)")
        }
    }

    @Test func everyMessageWithItsLinkFitsTwoSegments() {
        let link = "https://zwfw.fuyuan.gov.cn/jd/" + String(repeating: "A", count: 16)
        let completions = [
            CaseCompleted(completedAt: .now(), items: Item.allCases.map { ItemOutcome(item: $0, outcome: .done, summary: "") }),
            CaseCompleted(completedAt: .now(), items: Item.allCases.map { ItemOutcome(item: $0, outcome: .rejected, summary: "") }),
            CaseCompleted(completedAt: .now(), items: [ItemOutcome(item: .hukou, outcome: .done, summary: ""),
                                                       ItemOutcome(item: .cremation, outcome: .done, summary: ""),
                                                       ItemOutcome(item: .pension, outcome: .rejected, summary: ""),
                                                       ItemOutcome(item: .medicalAccount, outcome: .rejected, summary: "")]),
        ]
        let texts = Self.outcomes.compactMap { $0.1.familyText(item: $0.0) } + completions.map(FamilyTexts.completion)
        var longest = 0
        for text in texts {
            let message = FamilyTexts.withLink(FamilyTexts.message(deceased: "欧阳桂兰", text), link: link)
            longest = max(longest, message.count)
            #expect(message.count <= FamilyTexts.lengthLimit, "\(message.count) characters: \(message)")
            #expect(message.hasSuffix(link))
        }
        print("longest family SMS with its link: \(longest) characters (limit \(FamilyTexts.lengthLimit))")
    }

    @Test func completionNeverSaysAllDoneWhenItemsWentOffline() {
        let mixed = FamilyTexts.completion(CaseCompleted(completedAt: .now(), items: [
            ItemOutcome(item: .hukou, outcome: .done, summary: "办结"),
            ItemOutcome(item: .pension, outcome: .rejected, summary: "未在本市参保"),
        ]))
        #expect(mixed == "户口注销已办结；养老保险待遇需到窗口办理，地点见详情。")
        #expect(!mixed.contains("均已办结") && !mixed.contains("全部"))
        let done = FamilyTexts.completion(CaseCompleted(completedAt: .now(), items: [
            ItemOutcome(item: .hukou, outcome: .done, summary: "办结")]))
        #expect(done.hasPrefix("所申请事项均已办结。"))
        #expect(done.contains("医疗费用"))
    }

    @Test func retriesBackOffUpToTenMinutes() {
        #expect(SMSNotifier.backoff(afterAttempt: 1, base: .seconds(10)) == .seconds(10))
        #expect(SMSNotifier.backoff(afterAttempt: 3, base: .seconds(10)) == .seconds(40))
        #expect(SMSNotifier.backoff(afterAttempt: 30, base: .seconds(10)) == .seconds(600))
    }
}

@Suite struct SMSWebhookTests {
    @Test("the SMS webhook is HTTPS, or plain HTTP only to this host", arguments: [
        ("https://sms.example.com/send", true), ("https://10.0.0.5:8443/sms", true),
        ("http://127.0.0.1:9000/sms", true), ("http://localhost:9000/sms", true), ("http://[::1]:9000/sms", true),
        ("http://sms.example.com/send", false), ("http://10.0.0.5/sms", false), ("ftp://sms.example.com/", false),
        ("sms.example.com", false), ("", false),
    ])
    func acceptableURLs(url: String, accepted: Bool) {
        #expect(WebhookSMSGateway.acceptable(url) == accepted, "\(url)")
    }
}
