import Foundation
import HoushiContract
import HoushiRuntime

/// Case number `index` of a load run: a retired, insured parent who died in hospital on
/// 2026-11-28, and the child, head of the household, who applies, is the beneficiary and gets
/// the SMS. The same index always gives the same people; different indexes never share anyone.
struct SyntheticCase {
    static let region = "230883"
    static let diedOn = CalendarDate(year: 2026, month: 11, day: 28)!
    /// People per birth day: an ID number's three-digit sequence holds 400 of each sex.
    private static let peoplePerDay = 400

    let index: Int
    let deceasedIDNumber: String
    let deceasedName: String
    let applicantIDNumber: String
    let applicantName: String
    let phone: String
    let bankAccount: String
    let householdNumber: String
    let address: String

    init(index: Int) {
        precondition(index >= 0 && index < 1_000_000, "case index out of range")
        self.index = index
        deceasedIDNumber = Self.idNumber(index: index, bornFrom: 1930, male: index % 2 == 1)
        applicantIDNumber = Self.idNumber(index: index, bornFrom: 1960, male: true)
        let surname = Self.surnames[index % Self.surnames.count]
        deceasedName = surname + Self.givenNames[(index / Self.surnames.count) % Self.givenNames.count]
        applicantName = surname + Self.givenNames[(index / 7 + 3) % Self.givenNames.count]
        phone = "139" + String(index).leftPadded(to: 8)
        bankAccount = "6217" + String(index).leftPadded(to: 15)
        householdNumber = "23088" + String(index + 1).leftPadded(to: 7)
        address = "黑龙江省抚远市抚远镇通江路\(index % 900 + 1)号"
    }

    /// The notice as the hospital posts it (`shared/examples/death-notice.json`'s shape).
    var notice: Data {
        let deceasedSex = index % 2 == 1 ? "male" : "female"
        let age = (try? ResidentIDNumber(deceasedIDNumber).age(on: Self.diedOn)) ?? 0
        let document: [String: Any] = [
            "certificate": ["form": "national-2026", "number": "H" + Self.region + "2026" + String(index).leftPadded(to: 7),
                            "issuedAt": "2026-11-28T09:40:00+08:00", "doctor": "张明"],
            "deceased": ["name": deceasedName, "idNumber": deceasedIDNumber, "sex": deceasedSex, "age": age,
                         "ethnicity": "汉族", "hukouAddress": address, "residenceTownship": "抚远镇",
                         "diedAt": "2026-11-28T06:15:00+08:00", "causeOfDeath": "慢性阻塞性肺疾病",
                         "mannerOfDeath": "natural", "employerType": "enterprise"],
            "applicant": ["name": applicantName, "phone": phone, "idNumber": applicantIDNumber, "address": address,
                          "relation": "child"],
            "beneficiary": ["name": applicantName, "relation": "child", "idNumber": applicantIDNumber,
                            "bankAccount": bankAccount, "bank": "中国建设银行抚远支行"],
            "body": ["atFuneralHome": false, "pickupAddress": "抚远市人民医院住院部", "pickupAt": "2026-11-28T14:00:00+08:00"],
            "ashes": ["placement": "commercial-cemetery", "placeName": "抚远市福寿园公墓"],
            "requestedItems": ["cremation", "hukou", "pension", "medical-account"],
            "commitments": ["civilizedFuneral": true, "truthful": true],
            "applicantSignedAt": "2026-11-28T10:05:00+08:00",
        ]
        return try! JSONSerialization.data(withJSONObject: document, options: [.sortedKeys])
    }

    /// Rows of `public-security register import`: the applicant heads the household, the deceased is a parent.
    var residentRows: [String] {
        ["\(applicantIDNumber),\(applicantName),\(householdNumber),head,\(address)",
         "\(deceasedIDNumber),\(deceasedName),\(householdNumber),parent,\(address)"]
    }
    static let residentHeader = "id_number,name,household_number,relation_to_head,address"

    /// The row of `social-security register import`: a retired enterprise employee paid through December.
    var insuredRow: String {
        let pension = 250_000 + (index % 200) * 1_000
        let medical = 100_000 + (index % 500) * 100
        return "\(deceasedIDNumber),\(deceasedName),true,enterprise,true,1995-07,\(pension),2026-12,0,\(medical),\(300 + index % 120),"
    }
    static let insuredHeader = "id_number,name,insured_here,employer_type,retired,pension_start,monthly_pension_fen,"
        + "paid_through,personal_account_balance_fen,medical_account_balance_fen,contribution_months,own_contributions_fen"

    /// A valid ID number: birth day `index / 400` days into the year group from `bornFrom`, and a
    /// sequence whose last digit carries the sex (odd for men).
    private static func idNumber(index: Int, bornFrom year: Int, male: Bool) -> String {
        let day = index / peoplePerDay
        let birth = String(year + day / 336) + String(day / 28 % 12 + 1).leftPadded(to: 2) + String(day % 28 + 1).leftPadded(to: 2)
        let sequence = (index % peoplePerDay) * 2 + (male ? 1 : 0)
        let body = region + birth + String(sequence).leftPadded(to: 3)
        return body + String(ResidentIDNumber.checkCharacter(for: body))
    }

    private static let surnames = ["王", "李", "张", "刘", "陈", "杨", "赵", "黄", "周", "吴", "徐", "孙", "马"]
    private static let givenNames = ["秀英", "桂兰", "建国", "志强", "淑珍", "玉兰", "德明", "春华", "国庆", "海燕",
                                     "文斌", "丽华", "振山", "凤琴", "永福", "素梅", "长林"]
}
