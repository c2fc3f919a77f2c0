import Foundation
import HoushiContract

/// Death notices for tests: the shared example, each with a new deceased (a valid, unused ID number).
enum TestNotices {
    /// `shared/examples/death-notice.json`, beside the repository.
    static func example() throws -> Data {
        try Data(contentsOf: TestEnvironment.repository.deletingLastPathComponent()
            .appendingPathComponent("shared/examples/death-notice.json"))
    }

    /// The example with a fresh deceased of the same sex, the age agreeing with the new birth
    /// date (and `name`, `items` when given); returns the JSON and the ID number. `atFuneralHome` replaces the example's body location.
    static func fresh(name: String? = nil, items: [String]? = nil,
                      atFuneralHome: String? = nil) throws -> (body: Data, idNumber: String) {
        var notice = try JSONSerialization.jsonObject(with: try example()) as! [String: Any]
        var deceased = notice["deceased"] as! [String: Any]
        let idNumber = freshIDNumber(like: deceased["idNumber"] as! String)
        deceased["idNumber"] = idNumber
        deceased["age"] = try ResidentIDNumber(idNumber).age(on: CalendarDate(year: 2026, month: 11, day: 28)!)
        if let name { deceased["name"] = name }
        notice["deceased"] = deceased
        if let items { notice["requestedItems"] = items }
        if let atFuneralHome { notice["body"] = ["atFuneralHome": true, "funeralHome": atFuneralHome] }
        return (try JSONSerialization.data(withJSONObject: notice), idNumber)
    }

    /// The example with every personal number fresh: the deceased's ID number, the applicant's
    /// phone and ID number, and a spouse as beneficiary with an ID number and bank account of
    /// their own (so a log line can be traced to the number it leaked).
    static func freshPersonal() throws -> (body: Data, numbers: PersonalNumbers) {
        let (body, deceasedIDNumber) = try fresh()
        let numbers = PersonalNumbers(
            deceasedIDNumber: deceasedIDNumber, applicantPhone: "13" + randomDigits(9),
            applicantIDNumber: freshIDNumber(like: "230883196608020312"),
            beneficiaryIDNumber: freshIDNumber(like: "230883194103150243"), bankAccount: "62" + randomDigits(17))
        var notice = try JSONSerialization.jsonObject(with: body) as! [String: Any]
        var applicant = notice["applicant"] as! [String: Any]
        applicant["phone"] = numbers.applicantPhone
        applicant["idNumber"] = numbers.applicantIDNumber
        notice["applicant"] = applicant
        var beneficiary = notice["beneficiary"] as! [String: Any]
        beneficiary["name"] = "张秀英"
        beneficiary["relation"] = "spouse"
        beneficiary["idNumber"] = numbers.beneficiaryIDNumber
        beneficiary["bankAccount"] = numbers.bankAccount
        notice["beneficiary"] = beneficiary
        return (try JSONSerialization.data(withJSONObject: notice), numbers)
    }

    /// `notice` with the value at `path` (e.g. `["deceased", "age"]`) replaced by `value`.
    static func changing(_ notice: Data, _ path: [String], to value: Any) throws -> Data {
        func set(_ object: [String: Any], _ path: ArraySlice<String>) -> [String: Any] {
            var object = object
            guard let key = path.first else { return object }
            object[key] = path.count == 1 ? value : set(object[key] as? [String: Any] ?? [:], path.dropFirst())
            return object
        }
        let object = try JSONSerialization.jsonObject(with: notice) as! [String: Any]
        return try JSONSerialization.data(withJSONObject: set(object, path[...]))
    }

    /// The personal numbers of a notice, none of which a log may show in full.
    struct PersonalNumbers: Sendable {
        let deceasedIDNumber: String
        let applicantPhone: String
        let applicantIDNumber: String
        let beneficiaryIDNumber: String
        let bankAccount: String

        var all: [String] { [deceasedIDNumber, applicantPhone, applicantIDNumber, beneficiaryIDNumber, bankAccount] }
    }

    private static func randomDigits(_ count: Int) -> String {
        String((0..<count).map { _ in Character(String(Int.random(in: 0...9))) })
    }

    /// An ID number with the same region and sex as `template`, a random birth date between
    /// 1930 and 1960, a random sequence number and the right check digit (the space is large
    /// enough that a test run's notices never share a deceased).
    static func freshIDNumber(like template: String) -> String {
        let birth = String(format: "%04d%02d%02d", Int.random(in: 1930...1960), Int.random(in: 1...12), Int.random(in: 1...28))
        let sexDigit = Int(String(Array(template)[16]))! % 2
        let sequence = String(format: "%02d%d", Int.random(in: 0...99), Int.random(in: 0...4) * 2 + sexDigit)
        let body = String(template.prefix(6)) + birth + sequence
        return body + String(ResidentIDNumber.checkCharacter(for: body))
    }
}
