import Foundation
@testable import HoushiRuntime
import HoushiContract
import Logging
import Testing

@Suite struct JSONLogHandlerTests {
    private func decodedLine(_ handler: JSONLogHandler, message: Logger.Message, metadata: Logger.Metadata? = nil,
                             error: (any Error)? = nil) throws -> [String: JSONValue] {
        let event = LogEvent(level: .warning, message: message, error: error, metadata: metadata, source: "tests",
                             file: #fileID, function: #function, line: #line)
        let line = handler.line(for: event, at: Date(timeIntervalSince1970: 1_764_400_000.25))
        return try JSONDecoder().decode([String: JSONValue].self, from: Data(line))
    }

    @Test func writesTheFixedFieldsAndMetadata() throws {
        var handler = JSONLogHandler(label: "intake")
        handler[metadataKey: "case_id"] = "6f1c9e1e-0000-4000-8000-000000000001"
        let fields = try decodedLine(handler, message: "case opened",
                                     metadata: ["items": ["hukou", "pension"], "counts": ["sms": "2"]])
        #expect(fields == [
            "time": .string("2025-11-29T07:06:40.250Z"), "level": .string("warning"), "service": .string("intake"),
            "message": .string("case opened"), "case_id": .string("6f1c9e1e-0000-4000-8000-000000000001"),
            "items": .array([.string("hukou"), .string("pension")]), "counts": .object(["sms": .string("2")]),
        ])
    }

    @Test func escapesWhatJSONStringsCannotHoldAsIs() throws {
        let text = "引号\" 反斜杠\\ 换行\n 制表\t 回车\r \u{01}\u{1F} 王桂兰"
        let fields = try decodedLine(JSONLogHandler(label: "intake"), message: "\(text)", metadata: ["note": "\(text)"])
        #expect(fields["message"] == .string(text))
        #expect(fields["note"] == .string(text))
    }

    @Test func metadataCannotReplaceTheFixedFields() throws {
        struct Refused: Error, CustomStringConvertible { var description: String { "refused" } }
        let fields = try decodedLine(JSONLogHandler(label: "civil-affairs"), message: "handled",
                                     metadata: ["message": "other", "service": "other", "level": "other"],
                                     error: Refused())
        #expect(fields["message"] == .string("handled"))
        #expect(fields["service"] == .string("civil-affairs"))
        #expect(fields["level"] == .string("warning"))
        #expect(fields["error"] == .string("refused"))
    }
}
