import HoushiContract
import Testing

@Suite struct ResidentIDNumberTests {
    @Test(arguments: ["230883194103150243", "230883196608020312", "11010519491231002X", "11010519491231002x"])
    func validNumbers(text: String) throws {
        let id = try ResidentIDNumber(text)
        #expect(id.value == text.uppercased())
    }

    @Test func readsBirthDateAndSex() throws {
        let id = try ResidentIDNumber("230883194103150243")
        #expect(id.birthDate == CalendarDate(year: 1941, month: 3, day: 15))
        #expect(id.sex == .female)
        #expect(try ResidentIDNumber("230883196608020312").sex == .male)
    }

    @Test(arguments: [
        ("230883194103150244", ResidentIDNumber.Problem.wrongCheckDigit),
        ("2308831941031502", .wrongLength),
        ("23088319410315024Y", .notDigits),
        ("2308831941031A0243", .notDigits),
        ("230883194102300240", .impossibleBirthDate),
    ])
    func invalidNumbers(text: String, problem: ResidentIDNumber.Problem) {
        #expect(throws: problem) { try ResidentIDNumber(text) }
    }

    @Test func ageCountsWholeYearsOnTheDate() throws {
        let id = try ResidentIDNumber("230883194103150243")
        #expect(id.age(on: CalendarDate(year: 2026, month: 11, day: 28)!) == 85)
        #expect(id.age(on: CalendarDate(year: 2026, month: 3, day: 14)!) == 84)
        #expect(id.age(on: CalendarDate(year: 2026, month: 3, day: 15)!) == 85)
    }
}
