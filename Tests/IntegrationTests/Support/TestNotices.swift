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
