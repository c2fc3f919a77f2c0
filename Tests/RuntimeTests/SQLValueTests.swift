import Foundation
import HoushiStorage
import Testing

/// Query parameters in PostgreSQL's text format.
struct SQLValueTests {
    @Test("bytes are sent in bytea's hex form")
    func byteaHex() {
        #expect(Data([0x00, 0x09, 0x7f, 0xa0, 0xff]).sqlText == "\\x00097fa0ff")
        #expect(Data().sqlText == "\\x")
    }

    @Test("an instant is sent as seconds since 1970, fractions kept")
    func dateSeconds() {
        #expect(Date(timeIntervalSince1970: 1_764_381_234.5).sqlText == "1764381234.5")
        #expect(Date(timeIntervalSince1970: 0).sqlText == "0.0")
    }

    @Test("a text array escapes quotes and backslashes")
    func textArray() {
        #expect(SQLArray(["a", "b\"c", "d\\e"]).sqlText == "{\"a\",\"b\\\"c\",\"d\\\\e\"}")
        #expect(SQLArray(["身后", ""]).sqlText == "{\"身后\",\"\"}")
        #expect(SQLArray([String]()).sqlText == "{}")
    }
}
