import Foundation
import HoushiContract

/// Death notices for tests: the shared example, each with a new deceased (a valid, unused ID number).
enum TestNotices {
    /// `shared/examples/death-notice.json`, beside the repository.
    static func example() throws -> Data {
        try Data(contentsOf: TestEnvironment.repository.deletingLastPathComponent()
            .appendingPathComponent("shared/examples/death-notice.json"))
    }

    /// The example with a fresh deceased of the same birth year and sex (and `name`, `items`
    /// when given); returns the JSON and the ID number. `atFuneralHome` or `pickupAt` replace the example's body location.
    static func fresh(name: String? = nil, items: [String]? = nil, atFuneralHome: String? = nil,
                      pickupAt: String? = nil) throws -> (body: Data, idNumber: String) {
        var notice = try JSONSerialization.jsonObject(with: try example()) as! [String: Any]
        var deceased = notice["deceased"] as! [String: Any]
        let idNumber = freshIDNumber(like: deceased["idNumber"] as! String)
        deceased["idNumber"] = idNumber
        if let name { deceased["name"] = name }
        notice["deceased"] = deceased
        if let items { notice["requestedItems"] = items }
        if let atFuneralHome { notice["body"] = ["atFuneralHome": true, "funeralHome": atFuneralHome] }
        if let pickupAt {
            var body = notice["body"] as! [String: Any]
            body["pickupAt"] = pickupAt
            notice["body"] = body
        }
        return (try JSONSerialization.data(withJSONObject: notice), idNumber)
    }

    /// An ID number with the same region, birth year and sex as `template`, born on a random
    /// day of January or February (so the age at death stays that of the example), a random
    /// sequence number and the right check digit.
    static func freshIDNumber(like template: String) -> String {
        let prefix = String(template.prefix(10)) + String(format: "%02d%02d", Int.random(in: 1...2), Int.random(in: 1...28))
        let sexDigit = Int(String(Array(template)[16]))! % 2
        let sequence = Int.random(in: 0...49) * 2 + sexDigit
        let body = prefix + String(format: "%03d", Int.random(in: 0...9) * 100 + sequence % 100)
        return body + String(ResidentIDNumber.checkCharacter(for: body))
    }
}
