import HoushiContract
import HoushiRuntime

/// Reading and writing the register's CSV form.
enum RegisterImport {
    /// The residents of good rows, and the bad rows (a repeated ID number among them) by line.
    static func parse(_ text: String) throws -> ImportReport<Resident> {
        var seen: [String: Int] = [:]
        return try ImportReport(csv: text, required: ResidentRow.columns) { record in
            ResidentRow.parse(record.fields).flatMap { resident in
                if let first = seen[resident.idNumber] {
                    return .failure(RowProblems(problems: ["id_number repeats line \(first)"]))
                }
                seen[resident.idNumber] = record.line
                return .success(resident)
            }
        }
    }

    /// One CSV line, fields quoted where needed.
    static func csvLine(_ resident: Resident) -> String {
        [resident.idNumber, resident.name, resident.householdNumber, resident.relationToHead.rawValue, resident.address]
            .map { field in
                field.contains(where: { ",\"\n".contains($0) })
                    ? "\"" + field.replacing("\"", with: "\"\"") + "\"" : field
            }
            .joined(separator: ",")
    }
}

/// Synthetic households: a head, often a spouse, sometimes children; valid ID numbers.
/// Household numbers are the region's followed by `householdBlock` and a five-digit count,
/// a block shipped data never uses.
enum SyntheticRegister {
    /// The digit that opens every synthetic household number after the region.
    static let householdBlock = "8"
    /// The most households one run can number.
    static let maximumHouseholds = 99_999

    private static let surnames = Array("王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗")
    private static let givenNames = ["桂兰", "建国", "秀英", "志强", "玉梅", "海燕", "国庆", "淑珍", "明", "丽", "伟", "静"]
    private static let streets = ["通江路", "胜利街", "滨江路", "建设大街", "文化路"]

    static func households<G: RandomNumberGenerator>(_ count: Int, region: String, using generator: inout G) -> [Resident] {
        var idNumbers = SyntheticIDNumbers()
        return (1...min(max(count, 1), maximumHouseholds)).flatMap { index -> [Resident] in
            let household = region + householdBlock + String(index).leftPadded(to: 5)
            let address = "黑龙江省抚远市抚远镇\(streets.randomElement(using: &generator)!)\(Int.random(in: 1...200, using: &generator))号"
            var members = [(HouseholdRelation.head, Int.random(in: 1935...1975, using: &generator))]
            if Bool.random(using: &generator) { members.append((.spouse, members[0].1 + Int.random(in: -3...3, using: &generator))) }
            for _ in 0..<Int.random(in: 0...2, using: &generator) {
                members.append((.child, members[0].1 + Int.random(in: 22...32, using: &generator)))
            }
            let surname = surnames.randomElement(using: &generator)!
            return members.map { relation, year in
                Resident(idNumber: idNumbers.next(region: region, year: year, using: &generator),
                         name: "\(surname)\(givenNames.randomElement(using: &generator)!)",
                         householdNumber: household, relationToHead: relation, address: address, active: true)
            }
        }
    }
}
