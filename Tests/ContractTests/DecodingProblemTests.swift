import Foundation
@testable import HoushiContract
import Testing

/// What a sender reads when their JSON does not decode: the field, the allowed values or the
/// position, in English and Chinese, and never a Swift type name.
@Suite struct DecodingProblemTests {
    private struct Person: Codable {
        var sex: Sex
        var name: String
        var age: Int
        var born: CalendarDate?
        var items: [Item]?
    }

    @Test("each kind of failure in words", arguments: [
        (#"{"sex": "F", "name": "王", "age": 80}"#, "sex", "must be one of male, female (got \"F\")", "须为以下取值之一：male、female（收到“F”）"),
        (#"{"sex": "male", "name": "王", "age": 80, "items": ["hukou", "car"]}"#, "items[1]",
         "must be one of cremation, hukou, pension, medical-account (got \"car\")",
         "须为以下取值之一：cremation、hukou、pension、medical-account（收到“car”）"),
        (#"{"sex": "male", "nmae": "王", "age": 80}"#, "name",
         "is required (the body has \"nmae\": a misspelling of \"name\"?)", "为必填项（请求中有“nmae”，是否为“name”的误写？）"),
        (#"{"sex": "male", "Name": "王", "age": 80}"#, "name",
         "is required (the body has \"Name\": a misspelling of \"name\"?)", "为必填项（请求中有“Name”，是否为“name”的误写？）"),
        (#"{"sex": "male", "age": 80}"#, "name", "is required", "为必填项"),
        (#"{"sex": "male", "name": null, "age": 80}"#, "name", "is required and must not be null", "为必填项，不能为null"),
        (#"{"sex": "male", "name": "王", "age": "eighty"}"#, "age", "must be a whole number", "须为整数"),
        (#"{"sex": "male", "name": 7, "age": 80}"#, "name", "must be a string", "须为字符串"),
        (#"{"sex": "male", "name": "王", "age": 80, "items": "hukou"}"#, "items", "must be a list", "须为数组"),
        (#"{"sex": "male", "name": "王", "age": 80, "born": "1941-3-15"}"#, "born",
         "must be a date YYYY-MM-DD (got \"1941-3-15\")", "须为日期，格式YYYY-MM-DD（收到“1941-3-15”）"),
        ("{\"sex\": \"male\",\n \"name\": \"王桂", "",
         "is not valid JSON: the text ends before the JSON does (is the body cut short?) at line 2, column 13 (byte 32)",
         "不是有效的JSON：第2行第13列（第32字节）处JSON内容不完整（请求体可能被截断）"),
        (#"{"sex": "male" "name": "王", "age": 80}"#, "",
         "is not valid JSON: a comma or the closing bracket should be here at line 1, column 16 (byte 15)",
         "不是有效的JSON：第1行第16列（第15字节）处此处应为逗号或右括号"),
    ])
    func describesTheFailure(json: String, field: String, english: String, chinese: String) throws {
        let document = Array(json.utf8)
        let error = try #require(throws: (any Error).self) { try JSONDecoder().decode(Person.self, from: Data(document)) }
        let problem = DecodingProblem(error, document: document)
        #expect(problem.field == field)
        #expect(problem.english == english)
        #expect(problem.chinese == chinese)
        #expect(!problem.english.contains("Swift") && !problem.english.contains("Int") && !problem.english.contains("Sex"))
    }

    @Test("edit distance counts a swap of neighbours as one edit", arguments: [
        ("name", "nmae", 1), ("name", "age", 2), ("deceased", "deceasd", 1), ("", "abc", 3), ("kind", "kind", 0),
    ])
    func editDistance(a: String, b: String, distance: Int) {
        #expect(DecodingProblem.editDistance(a, b) == distance)
    }

    @Test("a far-off name is not offered as a misspelling")
    func noFarFetchedHint() throws {
        let document = Array(#"{"sex": "male", "surname": "王", "age": 80}"#.utf8)
        let error = try #require(throws: (any Error).self) { try JSONDecoder().decode(Person.self, from: Data(document)) }
        #expect(DecodingProblem(error, document: document).english == "is required")
    }
}
