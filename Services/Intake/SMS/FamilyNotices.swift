import FoundationEssentials
import HoushiContract

/// What the family is told by SMS of a department's outcome (建议…短信告知申请人办理结果), in Chinese.
protocol FamilyNotice {
    /// The text after the greeting, or nil when this outcome needs no message of its own.
    func familyText(item: Item) -> String?
}

enum FamilyTexts {
    /// The sender's signature and whom the message is about.
    static func message(deceased: String, _ text: String) -> String {
        let parts = message(around: text)
        return parts.before + deceased + parts.after
    }

    /// The message without the deceased's name: what goes before and after it, for a statement
    /// that takes the name from the case.
    static func message(around text: String) -> (before: String, after: String) {
        ("【抚远市身后一件事】", "的身后事项：\(text)")
    }

    /// The message as sent: its text, then the link to the family's page for the details.
    static func withLink(_ message: String, link: String) -> String { message + "详情：" + link }

    /// The most characters a message may have with its link: two SMS segments of 67 characters,
    /// less a little for the provider's signature.
    static let lengthLimit = 130

    /// Sent once, when every requested item has ended: what was done here, and what must be done
    /// at a window (never "all done" when something went offline).
    /// The notice was withdrawn (the reason stays off the SMS: it may name someone else).
    static let withdrawal = "登记已撤回，各部门正在撤销已办理的事项，结果将短信告知。"

    /// Every department has undone its work for a withdrawn notice.
    static let reversalsEnded = "登记撤回后，各部门已全部撤销所办事项。"

    static func completion(_ completed: CaseCompleted) -> String {
        let done = completed.items.filter { $0.outcome != .rejected }.map { $0.item.shortName }
        let offline = completed.items.filter { $0.outcome == .rejected }.map { $0.item.shortName }
        guard !offline.isEmpty else { return "所申请事项均已办结。如有未报销的医疗费用，请先办理报销。" }
        let prefix = done.isEmpty ? "" : "\(done.joined(separator: "、"))已办结；"
        return prefix + "\(offline.joined(separator: "、"))需到窗口办理，地点见详情。"
    }
}

extension HukouCancelled: FamilyNotice {
    func familyText(item: Item) -> String? { "户口已于\(cancelledAt.chineseTime)注销。" }
}

extension CremationCertified: FamilyNotice {
    func familyText(item: Item) -> String? {
        "火化证明已开具。" + (pickup.map { "\(funeralHome.name)将于\($0.at.chineseTime)接运遗体。" } ?? "")
    }
}

extension CremationCompleted: FamilyNotice {
    func familyText(item: Item) -> String? { "火化已于\(crematedAt.chineseTime)完成。" }
}

extension PensionSettled: FamilyNotice {
    func familyText(item: Item) -> String? {
        benefitsByOldProcess ? "养老保险已停发；丧葬抚恤金按原流程到原单位申领。"
            : "养老保险待遇已核定，实发\(yuan(netPayableFen))。"
    }
}

extension MedicalAccountSettled: FamilyNotice {
    func familyText(item: Item) -> String? {
        "医保个人帐户已清算，\(yuan(balancePaidFen))发放至尾号\(payee.bankAccountLast4)的帐户。"
    }
}

extension ItemRejected: FamilyNotice {
    func familyText(item: Item) -> String? { "\(item.shortName)需到窗口办理：\(FamilyTexts.sentence(reason))" }
}

extension ItemHeld: FamilyNotice {
    func familyText(item: Item) -> String? { "\(item.shortName)转人工审核，\(deadline.chineseTime)前答复。" }
}

extension ItemReversed: FamilyNotice {
    func familyText(item: Item) -> String? { "\(item.shortName)已撤销：\(FamilyTexts.sentence(detail))" }
}

extension FamilyTexts {
    /// A department's reason as one sentence of the message: Chinese only (an English gloss in
    /// ASCII brackets is dropped), ending in one full stop.
    static func sentence(_ reason: String) -> String {
        var text = String(reason.prefix { $0 != "(" }).trimmingWhitespace
        while let last = text.last, "。；;，,. ".contains(last) { text.removeLast() }
        return text + "。"
    }
}
