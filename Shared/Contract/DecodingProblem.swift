import FoundationEssentials
import HoushiText

/// A decoding failure in words a sender can act on: the field at fault and what is wrong with
/// it, in English and Chinese, naming allowed values, forms and positions, never a Swift type.
public struct DecodingProblem: Sendable, Equatable, CustomStringConvertible {
    /// The field as a path (`deceased.sex`, `attachments[0].kind`); empty for the text as a whole.
    public let field: String
    public let english: String
    public let chinese: String

    public init(field: String, english: String, chinese: String) {
        self.field = field
        self.english = english
        self.chinese = chinese
    }

    /// The problem `error` describes; `document`, the text that was decoded, lets it name the
    /// position of a syntax error and a misspelt field name.
    public init(_ error: any Error, document: [UInt8]? = nil) {
        guard let error = error as? DecodingError else {
            self.init(field: "", english: "cannot be read", chinese: "无法解析")
            return
        }
        switch error {
        case .keyNotFound(let key, let context):
            let field = Self.path(context.codingPath + [key])
            if let document, let sent = Self.misspelling(of: key.stringValue, at: context.codingPath, in: document) {
                self.init(field: field, english: "is required (the body has \"\(sent)\": a misspelling of \"\(key.stringValue)\"?)",
                          chinese: "为必填项（请求中有“\(sent)”，是否为“\(key.stringValue)”的误写？）")
            } else {
                self.init(field: field, english: "is required", chinese: "为必填项")
            }
        case .valueNotFound(_, let context):
            self.init(field: Self.path(context.codingPath), english: "is required and must not be null",
                      chinese: "为必填项，不能为null")
        case .typeMismatch(let type, let context):
            let kind = Self.jsonKind(of: type)
            self.init(field: Self.path(context.codingPath), english: "must be \(kind.english)", chinese: "须为\(kind.chinese)")
        case .dataCorrupted(let context):
            if let problem = context.underlyingError as? ValueProblem {
                self.init(field: Self.path(context.codingPath), english: problem.english, chinese: problem.chinese)
            } else if let syntax = (context.underlyingError as? JSONSyntaxError)
                        ?? (context.codingPath.isEmpty ? document.flatMap(JSONSyntaxError.find(in:)) : nil) {
                self.init(field: "", english: "is not valid JSON: \(syntax.problem.english) at \(syntax.position)",
                          chinese: "不是有效的JSON：\(syntax.positionChinese)处\(syntax.problem.chinese)")
            } else if context.codingPath.isEmpty {
                self.init(field: "", english: "is not valid JSON", chinese: "不是有效的JSON")
            } else {
                self.init(field: Self.path(context.codingPath), english: "has an invalid value: \(context.debugDescription)",
                          chinese: "取值无效：\(context.debugDescription)")
            }
        @unknown default:
            self.init(field: "", english: "cannot be read", chinese: "无法解析")
        }
    }

    /// "field: what is wrong", or what is wrong with the text as a whole.
    public var description: String { field.isEmpty ? english : "\(field): \(english)" }

    /// `deceased.sex`, `attachments[0].kind`.
    public static func path(_ codingPath: [any CodingKey]) -> String {
        codingPath.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined().trimmingPrefix(".").description
    }

    /// The kind of JSON value a Swift type is decoded from, in words.
    static func jsonKind(of type: Any.Type) -> (english: String, chinese: String) {
        switch type {
        case is String.Type: return ("a string", "字符串")
        case is Bool.Type: return ("true or false", "true或false")
        case is any BinaryInteger.Type: return ("a whole number", "整数")
        case is any BinaryFloatingPoint.Type: return ("a number", "数字")
        default:
            let name = String(describing: type)
            let isList = name.hasPrefix("Array") || (name.hasPrefix("[") && !name.contains(":"))
            return isList ? ("a list", "数组") : ("an object", "对象")
        }
    }

    /// A member name of the object at `codingPath` in `document` that looks like a misspelling
    /// of `expected`: the same but for case, `-` and `_`, or one edit away (two for names of six
    /// letters or more), a swap of neighbours counting as one.
    static func misspelling(of expected: String, at codingPath: [any CodingKey], in document: [UInt8]) -> String? {
        guard var value = try? JSONDecoder().decode(JSONValue.self, from: Data(document)) else { return nil }
        for key in codingPath {
            switch (value, key.intValue) {
            case (.array(let items), let index?) where items.indices.contains(index): value = items[index]
            case (.object(let members), nil): guard let member = members[key.stringValue] else { return nil }; value = member
            default: return nil
            }
        }
        guard case .object(let members) = value else { return nil }
        func folded(_ name: String) -> String { name.lowercased().filter { $0 != "-" && $0 != "_" } }
        let candidates = members.keys.filter { $0 != expected }.map { ($0, editDistance(folded($0), folded(expected))) }
        guard let best = candidates.min(by: { ($0.1, $0.0) < ($1.1, $1.0) }),
              best.1 <= (expected.count < 6 ? 1 : 2) else { return nil }
        return best.0
    }

    /// Edits (insertions, deletions, substitutions, swaps of neighbours) from `a` to `b`: the
    /// optimal string alignment distance.
    static func editDistance(_ a: String, _ b: String) -> Int {
        let a = Array(a), b = Array(b)
        var table = (0...a.count).map { i in (0...b.count).map { j in i == 0 ? j : (j == 0 ? i : 0) } }
        for i in stride(from: 1, through: a.count, by: 1) {
            for j in stride(from: 1, through: b.count, by: 1) {
                table[i][j] = min(table[i - 1][j] + 1, table[i][j - 1] + 1, table[i - 1][j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
                if i > 1, j > 1, a[i - 1] == b[j - 2], a[i - 2] == b[j - 1] {
                    table[i][j] = min(table[i][j], table[i - 2][j - 2] + 1)
                }
            }
        }
        return table[a.count][b.count]
    }
}
