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

    /// Sent once, when every requested item has ended.
    static func completion(_ completed: CaseCompleted) -> String {
        let offline = completed.items.filter { $0.outcome == .rejected }.map { $0.item.chineseName }
        var text = "您申请的事项已全部办结。"
        if !offline.isEmpty { text += "其中\(offline.joined(separator: "、"))需到相关窗口线下办理。" }
        return text + "如有未完成的医疗费用报销，请先办理报销再领取相关待遇；继承相关事宜请于30日内办理。"
    }
}

extension Item {
    var chineseName: String {
        switch self {
        case .cremation: "火化手续"
        case .hukou: "户口注销"
        case .pension: "养老保险待遇（丧葬补助金、抚恤金）"
        case .medicalAccount: "医保个人帐户清算"
        }
    }
}

extension Timestamp {
    /// E.g. `11月28日14:00`, in Beijing time whatever offset the timestamp was written in.
    var chineseTime: String {
        let text = inBeijingTime.rfc3339   // YYYY-MM-DDTHH:MM…
        let month = Int(text.dropFirst(5).prefix(2)) ?? 0
        let day = Int(text.dropFirst(8).prefix(2)) ?? 0
        return "\(month)月\(day)日\(text.dropFirst(11).prefix(5))"
    }
}

/// Yuan with two decimals, from integer fen (negative amounts keep their sign).
func yuan(_ fen: Int64) -> String {
    let sign = fen < 0 ? "-" : ""
    let magnitude = fen.magnitude
    return "\(sign)\(magnitude / 100).\(String(magnitude % 100).count == 1 ? "0" : "")\(magnitude % 100)元"
}

extension HukouCancelled: FamilyNotice {
    func familyText(item: Item) -> String? { "户口注销已于\(cancelledAt.chineseTime)办结。" }
}

extension CremationCertified: FamilyNotice {
    func familyText(item: Item) -> String? {
        var text = "火化证明已开具（编号\(certificateNumber)），由\(funeralHome.name)办理。"
        if let pickup { text += "将于\(pickup.at.chineseTime)到\(pickup.address)接运遗体。" }
        return text
    }
}

extension CremationCompleted: FamilyNotice {
    func familyText(item: Item) -> String? {
        "火化已于\(crematedAt.chineseTime)在\(funeralHome.name)完成，骨灰安放于\(ashes.placeName)。"
    }
}

extension PensionSettled: FamilyNotice {
    func familyText(item: Item) -> String? { "养老保险待遇已核定。" + notes.joined() }
}

extension MedicalAccountSettled: FamilyNotice {
    func familyText(item: Item) -> String? {
        "医保个人帐户已清算，余额\(yuan(balancePaidFen))发放至\(payee.name)尾号\(payee.bankAccountLast4)的帐户。\(reminder)"
    }
}

extension ItemRejected: FamilyNotice {
    func familyText(item: Item) -> String? { "\(item.chineseName)不适用一站式联办：\(reason)。请到相关窗口线下办理。" }
}

extension ItemHeld: FamilyNotice {
    func familyText(item: Item) -> String? {
        "\(item.chineseName)需人工审核（\(reason)），将于\(deadline.chineseTime)前答复。"
    }
}

extension ItemReversed: FamilyNotice {
    func familyText(item: Item) -> String? { "\(item.chineseName)已撤销：\(reason)。" }
}
