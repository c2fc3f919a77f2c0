// How people read items, times and amounts on the pages and in texts, in Chinese.

extension Item {
    /// The item in a few characters, for an SMS.
    public var shortName: String {
        switch self {
        case .cremation: "火化手续"
        case .hukou: "户口注销"
        case .pension: "养老保险待遇"
        case .medicalAccount: "医保个人帐户"
        }
    }

    public var chineseName: String {
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
    public var chineseTime: String {
        let text = inBeijingTime.rfc3339   // YYYY-MM-DDTHH:MM…
        let month = Int(text.dropFirst(5).prefix(2)) ?? 0
        let day = Int(text.dropFirst(8).prefix(2)) ?? 0
        return "\(month)月\(day)日\(text.dropFirst(11).prefix(5))"
    }
}

/// An amount in yuan with two decimals, e.g. `3218.50元`, from integer fen (negative amounts keep their sign).
public func yuan(_ fen: Int64) -> String {
    let cents = fen.magnitude % 100
    return "\(fen < 0 ? "-" : "")\(fen.magnitude / 100).\(cents < 10 ? "0" : "")\(cents)元"
}

extension Timestamp {
    /// `2026年11月28日 06:15`, in Beijing time.
    public var chineseDateTime: String {
        "\(chineseDate) \(inBeijingTime.rfc3339.dropFirst(11).prefix(5))"
    }

    /// `2026年11月28日`, in Beijing time.
    public var chineseDate: String {
        let date = beijingDate
        return "\(date.year)年\(date.month)月\(date.day)日"
    }
}

extension AshesPlacement {
    /// As the 登记表 names the choice.
    public var chineseName: String {
        switch self {
        case .funeralHome: "殡仪馆"
        case .commercialCemetery: "经营性公墓"
        case .publicWelfareCemetery: "乡村公益性墓地或骨灰堂"
        case .preReformTomb: "殡改前已建寿坟"
        }
    }
}

extension YearMonth {
    /// E.g. `2026年12月`.
    public var chinese: String { "\(year)年\(month)月" }

    /// The month before.
    public var previous: YearMonth? {
        month == 1 ? YearMonth(year: year - 1, month: 12) : YearMonth(year: year, month: month - 1)
    }
}

extension BeneficiaryRelation {
    public var chineseName: String {
        switch self {
        case .spouse: "配偶"
        case .child: "子女"
        case .parent: "父母"
        case .grandchild: "孙子女"
        case .grandparent: "祖父母"
        }
    }
}
