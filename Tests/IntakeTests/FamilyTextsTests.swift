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

    @Test func outcomesTellTheFamilyWhatHappened() {
        let certified = CremationCertified(
            certificateNumber: "HZ-FY01-2026-000001", funeralHome: FuneralHomeRef(code: "FY01", name: "抚远市殡仪馆"),
            issuedAt: Timestamp(rfc3339: "2026-11-28T10:10:00+08:00")!,
            pickup: Pickup(address: "抚远市人民医院住院部", at: Timestamp(rfc3339: "2026-11-28T14:00:00+08:00")!))
        #expect(FamilyTexts.message(deceased: "王桂兰", certified.familyText(item: .cremation)!)
            == "【抚远市身后一件事】王桂兰的身后事项：火化证明已开具（编号HZ-FY01-2026-000001），由抚远市殡仪馆办理。将于11月28日14:00到抚远市人民医院住院部接运遗体。")
        let rejected = ItemRejected(reasonCode: "not-local-household", reason: "户籍不在本市")
        #expect(rejected.familyText(item: .hukou) == "户口注销不适用一站式联办：户籍不在本市。请到相关窗口线下办理。")
    }

    @Test func completionRemindsOfReimbursementsAndInheritance() {
        let text = FamilyTexts.completion(CaseCompleted(completedAt: .now(), items: [
            ItemOutcome(item: .hukou, outcome: .done, summary: "办结"),
            ItemOutcome(item: .pension, outcome: .rejected, summary: "未在本市参保"),
        ]))
        #expect(text.contains("养老保险待遇（丧葬补助金、抚恤金）需到相关窗口线下办理"))
        #expect(text.contains("医疗费用报销"))
        #expect(text.contains("30日内"))
    }

    @Test func retriesBackOffUpToTenMinutes() {
        #expect(SMSNotifier.backoff(afterAttempt: 1, base: .seconds(10)) == .seconds(10))
        #expect(SMSNotifier.backoff(afterAttempt: 3, base: .seconds(10)) == .seconds(40))
        #expect(SMSNotifier.backoff(afterAttempt: 30, base: .seconds(10)) == .seconds(600))
    }
}
