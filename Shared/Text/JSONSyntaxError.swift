/// Why a text is not JSON, and where: the underlying error of the `DecodingError` a syntax
/// problem throws, and what `find(in:)` answers for a body another decoder refused.
public struct JSONSyntaxError: Error, Sendable, Equatable {
    /// What is wrong at the position.
    public enum Problem: Sendable, Equatable {
        case tooLong, endsEarly, trailingText, unexpectedCharacter, nestedTooDeep, expectedMemberName, expectedColon,
             expectedCommaOrEnd, controlCharacterInString, malformedEscape, malformedNumber

        public var english: String {
            switch self {
            case .tooLong: "the text is too long"
            case .endsEarly: "the text ends before the JSON does (is the body cut short?)"
            case .trailingText: "there is more text after the JSON value"
            case .unexpectedCharacter: "unexpected character"
            case .nestedTooDeep: "arrays or objects are nested too deep"
            case .expectedMemberName: "a quoted field name should be here"
            case .expectedColon: "a colon should follow the field name"
            case .expectedCommaOrEnd: "a comma or the closing bracket should be here"
            case .controlCharacterInString: "a string holds a control character (escape it)"
            case .malformedEscape: "a malformed escape in a string"
            case .malformedNumber: "a malformed number"
            }
        }

        public var chinese: String {
            switch self {
            case .tooLong: "内容过长"
            case .endsEarly: "JSON内容不完整（请求体可能被截断）"
            case .trailingText: "JSON值之后还有多余内容"
            case .unexpectedCharacter: "出现意外字符"
            case .nestedTooDeep: "数组或对象嵌套层数过多"
            case .expectedMemberName: "此处应为带引号的字段名"
            case .expectedColon: "字段名后应为冒号"
            case .expectedCommaOrEnd: "此处应为逗号或右括号"
            case .controlCharacterInString: "字符串中含控制字符（须转义）"
            case .malformedEscape: "字符串中的转义序列格式错误"
            case .malformedNumber: "数字格式错误"
            }
        }
    }

    public let problem: Problem
    /// The offset of the byte at fault from the start of the text (its length when it ends early).
    public let byteOffset: Int
    /// Where that byte is, counted from 1: lines split at line feeds, columns in characters.
    public let line: Int
    public let column: Int

    init(_ problem: Problem, at byteOffset: Int, in bytes: [UInt8]) {
        self.problem = problem
        self.byteOffset = byteOffset
        let before = bytes[..<min(byteOffset, bytes.count)]
        let lineStart = before.lastIndex(of: UInt8(ascii: "\n")).map { $0 + 1 } ?? 0
        line = before.count { $0 == UInt8(ascii: "\n") } + 1
        column = String(decoding: bytes[lineStart..<before.endIndex], as: UTF8.self).count + 1
    }

    /// The first syntax problem of `bytes`; nil when they are JSON.
    public static func find(in bytes: [UInt8]) -> JSONSyntaxError? {
        do {
            _ = try JSONIndex(bytes)
            return nil
        } catch DecodingError.dataCorrupted(let context) {
            return context.underlyingError as? JSONSyntaxError
        } catch {
            return nil
        }
    }

    /// "line 3, column 12 (byte 57)".
    public var position: String { "line \(line), column \(column) (byte \(byteOffset))" }
    /// "第3行第12列（第57字节）".
    public var positionChinese: String { "第\(line)行第\(column)列（第\(byteOffset)字节）" }
}
