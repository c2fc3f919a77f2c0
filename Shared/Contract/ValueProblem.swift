import FoundationEssentials

/// What is wrong with one decoded value, in English and Chinese, free of type names: the
/// underlying error of the `dataCorrupted` that contract types throw, for a field-level message.
public struct ValueProblem: Error, Sendable, Equatable {
    public let english: String
    public let chinese: String

    public init(english: String, chinese: String) {
        self.english = english
        self.chinese = chinese
    }

    /// A text that is not one of a closed set of values.
    public static func notOneOf(_ allowed: [String], got text: String) -> ValueProblem {
        ValueProblem(english: "must be one of \(allowed.joined(separator: ", ")) (got \"\(text)\")",
                     chinese: "须为以下取值之一：\(allowed.joined(separator: "、"))（收到“\(text)”）")
    }

    /// A text that is not in the expected form.
    public static func notInForm(_ form: String, chinese formZh: String, got text: String) -> ValueProblem {
        ValueProblem(english: "must be \(form) (got \"\(text)\")", chinese: "须为\(formZh)（收到“\(text)”）")
    }
}

/// A closed set of string values in the contract: decoding any other names the allowed ones.
public protocol ContractEnumeration: RawRepresentable<String>, CaseIterable, Codable, Sendable {}

extension ContractEnumeration {
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let text = try container.decode(String.self)
        guard let value = Self(rawValue: text) else {
            let problem = ValueProblem.notOneOf(Self.allCases.map(\.rawValue), got: text)
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: problem.english,
                                                    underlyingError: problem))
        }
        self = value
    }
}
