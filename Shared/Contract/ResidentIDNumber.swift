/// An 18-character resident ID number (居民身份证号码, GB 11643): 6-digit region code, birth
/// date, 3-digit sequence whose last digit is odd for men and even for women, and an
/// ISO 7064 MOD 11-2 check character.
public struct ResidentIDNumber: Hashable, Sendable, CustomStringConvertible {
    public let value: String
    public let birthDate: CalendarDate
    public let sex: Sex

    /// Why a text is not a valid ID number.
    public enum Problem: Error, Sendable, Equatable {
        case wrongLength
        case notDigits
        case impossibleBirthDate
        case wrongCheckDigit
    }

    private static let weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
    private static let checkCharacters = Array("10X98765432")

    public init(_ text: String) throws(Problem) {
        let characters = Array(text.uppercased())
        guard characters.count == 18 else { throw .wrongLength }
        let digits = characters.prefix(17).compactMap { $0.wholeNumberValue }
        guard digits.count == 17, characters[17].isNumber || characters[17] == "X" else { throw .notDigits }
        let year = digits[6..<10].reduce(0) { $0 * 10 + $1 }
        let month = digits[10] * 10 + digits[11]
        let day = digits[12] * 10 + digits[13]
        guard let birthDate = CalendarDate(year: year, month: month, day: day), year >= 1850 else {
            throw .impossibleBirthDate
        }
        guard Self.checkCharacter(for: String(characters.prefix(17))) == characters[17] else { throw .wrongCheckDigit }
        value = String(characters)
        self.birthDate = birthDate
        sex = digits[16] % 2 == 1 ? .male : .female
    }

    public var description: String { value }

    /// The ISO 7064 MOD 11-2 check character of the first 17 digits.
    public static func checkCharacter(for first17: String) -> Character {
        let sum = zip(first17.compactMap(\.wholeNumberValue), weights).reduce(0) { $0 + $1.0 * $1.1 }
        return checkCharacters[sum % 11]
    }

    /// Age in whole years on `date` (a birthday on 29 February counts from 1 March in other years).
    public func age(on date: CalendarDate) -> Int {
        let hadBirthday = (date.month, date.day) >= (birthDate.month, birthDate.day)
        return date.year - birthDate.year - (hadBirthday ? 0 : 1)
    }
}

extension ResidentIDNumber.Problem {
    /// What is wrong, in English.
    public var english: String {
        switch self {
        case .wrongLength: "must be 18 characters"
        case .notDigits: "must be 17 digits and a digit or X"
        case .impossibleBirthDate: "holds a birth date that does not exist"
        case .wrongCheckDigit: "has a wrong check digit (GB 11643)"
        }
    }

    /// What is wrong, in Chinese.
    public var chinese: String {
        switch self {
        case .wrongLength: "须为18位"
        case .notDigits: "须为17位数字加1位数字或X"
        case .impossibleBirthDate: "出生日期无效"
        case .wrongCheckDigit: "校验码错误（GB 11643）"
        }
    }
}
