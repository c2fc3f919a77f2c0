import HoushiContract
import HoushiRuntime

/// An item of a case as families and hospital clerks read it: its state in the words they know
/// and what came of it. Plain rules over the item's status and its recorded result.
struct ItemProgress: Sendable, Equatable {
    /// 火化手续, 户口注销, …
    let name: String
    /// 办理中 / 人工审核中（12月3日前答复） / 已办结 / 不适用联办，请到窗口办理 / 已撤销.
    let state: String
    /// `active`, `held`, `done`, `offline` or `reversed`, for the page's style.
    let tone: String
    /// What came of it, or what it waits for: each line a sentence.
    let details: [String]

    /// A subscriber's outcome (公积金中心, …) as the pages show it beside the items.
    static func of(_ subscriber: CaseRecord.SubscriberRow) -> ItemProgress {
        let (state, tone) = switch subscriber.status {
        case .done: ("已办结", "done")
        case .waiting: ("待家属办理", "active")
        case .notApplicable: ("无需办理", "done")
        case .reversed: ("已撤销", "reversed")
        }
        return ItemProgress(name: subscriber.department, state: state, tone: tone,
                            details: [subscriber.summary] + (subscriber.reference.map { ["编号 \($0)"] } ?? []))
    }

    /// The item's progress from its status (`requested`, `held`, `done`, `rejected`, `reversed`)
    /// and its result (the outcome payloads merged), waiting text included for open items.
    static func of(item: Item, status: String, result: JSONValue?, waitingFor: String?) -> ItemProgress {
        let result = result ?? .object([:])
        func text(_ key: String) -> String? { result[key]?.stringValue }
        func time(_ key: String) -> String? { text(key).flatMap(Timestamp.init(rfc3339:))?.chineseTime }
        func amount(_ key: String) -> String? { result[key]?.int64Value.map(yuan) }
        switch status {
        case "held":
            let deadline = time("deadline").map { "（\($0)前答复）" } ?? ""
            return ItemProgress(name: item.chineseName, state: "人工审核中" + deadline, tone: "held",
                                details: [text("reason")].compactMap { $0 })
        case "rejected":
            return ItemProgress(name: item.chineseName, state: "不适用联办，请到窗口办理", tone: "offline",
                                details: [text("reason"), item.offlinePlace].compactMap { $0 })
        case "reversed":
            return ItemProgress(name: item.chineseName, state: "已撤销", tone: "reversed",
                                details: [text("detail")].compactMap { $0 })
        case "done":
            return ItemProgress(name: item.chineseName, state: "已办结", tone: "done",
                                details: doneDetails(item: item, text: text, time: time, amount: amount, result: result))
        default:
            return ItemProgress(name: item.chineseName, state: "办理中", tone: "active",
                                details: [waitingFor].compactMap { $0 })
        }
    }

    private static func doneDetails(item: Item, text: (String) -> String?, time: (String) -> String?,
                                    amount: (String) -> String?, result: JSONValue) -> [String] {
        switch item {
        case .hukou:
            return [time("cancelledAt").map { "户口已于\($0)注销" }].compactMap { $0 }
        case .cremation:
            return [text("certificateNumber").map { "火化证明编号\($0)" },
                    result["funeralHome"]?["name"]?.stringValue.map { "殡仪馆：\($0)" },
                    result["pickup"].flatMap { pickup in
                        pickup["at"]?.stringValue.flatMap(Timestamp.init(rfc3339:)).map { at in
                            "接运遗体：\(at.chineseTime)，\(pickup["address"]?.stringValue ?? "")"
                        }
                    },
                    time("crematedAt").map { "已于\($0)火化" }].compactMap { $0 }
        case .pension:
            if result["benefitsByOldProcess"]?.boolValue == true {
                return ["机关事业单位人员的丧葬抚恤金按原流程办理，请到原单位或人社窗口申领"]
            }
            guard result["netPayableFen"] != nil else { return ["待遇已核定，明细已告知家属"] }
            return [amount("funeralGrantFen").map { "丧葬补助金\($0)" },
                    amount("survivorBenefitFen").map { "抚恤金\($0)" },
                    amount("personalAccountBalanceFen").flatMap { $0 == "0.00元" ? nil : "个人帐户余额\($0)" },
                    amount("overpaymentToRecoverFen").flatMap { $0 == "0.00元" ? nil : "扣回多发养老金\($0)" },
                    amount("netPayableFen").map { "实发\($0)" }].compactMap { $0 }
        case .medicalAccount:
            guard result["balancePaidFen"] != nil else { return ["个人帐户已清算，明细已告知家属"] }
            let last4 = result["payee"]?["bankAccountLast4"]?.stringValue
            return [amount("balancePaidFen").map { "个人帐户余额\($0)" + (last4.map { "，发放至尾号\($0)的帐户" } ?? "") }]
                .compactMap { $0 }
        }
    }
}

extension Item {
    /// Where the family goes when the item cannot be done here.
    var offlinePlace: String {
        switch self {
        case .hukou: "请到逝者户籍所在地派出所户籍窗口办理"
        case .cremation: "请到殡仪馆或民政窗口办理"
        case .pension: "请到人社局社保窗口办理"
        case .medicalAccount: "请到参保地医保经办机构办理"
        }
    }
}

extension JSONValue {
    /// The member of an object; nil for anything else or a missing key.
    subscript(_ key: String) -> JSONValue? {
        if case .object(let members) = self { members[key] } else { nil }
    }

    var stringValue: String? { if case .string(let value) = self { value } else { nil } }
    var int64Value: Int64? { if case .integer(let value) = self { value } else { nil } }
    var boolValue: Bool? { if case .bool(let value) = self { value } else { nil } }
}
