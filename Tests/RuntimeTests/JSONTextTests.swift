import Foundation
@testable import HoushiRuntime
import Testing

@Suite struct JSONTextTests {
    @Test func findsEveryTextHoldingNUL() {
        let json = Data(#"{"deceased":{"name":"王\u0000兰","age":85},"attachments":[{"kind":"id-card"},{"kind":"\u0000"}]}"#.utf8)
        #expect(JSONText.fieldsHoldingNUL(json) == ["attachments[1].kind", "deceased.name"])
    }

    @Test func leavesOrdinaryTextAlone() {
        #expect(JSONText.fieldsHoldingNUL(Data(#"{"name":"王桂兰","note":"a \\u0000 written out"}"#.utf8)).isEmpty)
        #expect(JSONText.fieldsHoldingNUL(Data("not json \\u0000".utf8)).isEmpty)
    }
}
