import Foundation
import HoushiContract
import Testing

/// The syntax check behind a field-level message's position (`DecodingProblem`): RFC 8259's
/// grammar throughout, every golden fixture passes, and what is not JSON is found with where.
/// (What a string holds, e.g. a lone surrogate, is the decoder's to refuse, not a position's.)
@Suite struct JSONSyntaxErrorTests {
    @Test("finds the fault of text that is not JSON", arguments: [
        "", " ", "{", "}", #"{"a":1,}"#, "[1 2]", "[1,]", "01", "1.", "-", "+1", ".5", "1e", #""\x""#, #""\u12""#,
        #""a"#, "\"tab\there\"", "{} x", "nul", "True", #"{"a" 1}"#, #"{1:2}"#,
        String(repeating: "[", count: 600) + String(repeating: "]", count: 600),
    ])
    func findsMalformedText(_ text: String) {
        #expect(JSONSyntaxError.find(in: Array(text.utf8)) != nil)
    }

    @Test func namesTheLineColumnAndByte() throws {
        let fault = try #require(JSONSyntaxError.find(in: Array("[1, 2,\n 03]".utf8)))
        #expect(fault.position == "line 2, column 2 (byte 8)")
        #expect(fault.positionChinese == "第2行第2列（第8字节）")
    }

    @Test("finds nothing wrong with a golden fixture", arguments: try Fixture.all())
    func passesTheFixtures(_ fixture: Fixture) {
        #expect(JSONSyntaxError.find(in: Array(fixture.data)) == nil)
    }
}
