import Foundation
import HoushiStorage
import Hummingbird

extension Request {
    /// The token of an `Authorization: Bearer …` header, if there is one.
    public var bearerToken: String? {
        guard let header = headers[.authorization], header.hasPrefix("Bearer ") else { return nil }
        let token = header.dropFirst("Bearer ".count).trimmingCharacters(in: .whitespaces)
        return token.isEmpty ? nil : token
    }

    /// Decodes a JSON body: 415 unless it is JSON, 413 over `limit` bytes, and `invalid` (a 422
    /// naming the field) when it does not decode or a text holds U+0000, which PostgreSQL cannot store.
    public mutating func decodeJSON<T: Decodable>(
        _ type: T.Type, limit: Int, invalid: ([FieldError]) -> APIError = { APIError.invalid($0) }
    ) async throws -> T {
        guard headers[.contentType].map({ $0.lowercased().hasPrefix("application/json") }) ?? false else {
            throw APIError.unsupportedMediaType
        }
        let body = Data(buffer: try await collectBody(upTo: limit))
        let value: T
        do {
            value = try JSONDecoder().decode(T.self, from: body)
        } catch {
            throw invalid([FieldError(decoding: error)])
        }
        let nulFields = JSONText.fieldsHoldingNUL(body)
        guard nulFields.isEmpty else {
            throw invalid(nulFields.map {
                FieldError(field: $0, message: "must not contain the NUL character (U+0000)", messageZh: "不得包含空字符")
            })
        }
        return value
    }
}

/// Checks on the JSON text of a request beyond what decoding checks.
enum JSONText {
    /// The fields (`deceased.name`, `attachments[0].kind`) whose text holds U+0000. JSON can only
    /// carry it escaped, so documents without `\u0000` are not walked.
    static func fieldsHoldingNUL(_ json: Data) -> [String] {
        guard json.range(of: Data(#"\u0000"#.utf8)) != nil,
              let document = try? JSONSerialization.jsonObject(with: json, options: .fragmentsAllowed)
        else { return [] }
        func walk(_ value: Any, _ path: String) -> [String] {
            switch value {
            case let text as String:
                return text.utf8.contains(0) ? [path] : []
            case let object as [String: Any]:
                return object.sorted { $0.key < $1.key }.flatMap { walk($0.value, path.isEmpty ? $0.key : "\(path).\($0.key)") }
            case let array as [Any]:
                return array.enumerated().flatMap { walk($0.element, "\(path)[\($0.offset)]") }
            default:
                return []
            }
        }
        return walk(document, "")
    }
}

extension ServiceContext {
    /// Runs `job` on a pooled connection; a database that cannot be reached answers 503, not 500.
    public func withDatabase<T: Sendable>(_ job: @escaping @Sendable (PostgresConnection) throws -> T) async throws -> T {
        do {
            return try await database.withConnection(job)
        } catch let error as PostgresError where error.connectionLost {
            logger.error("database unavailable", metadata: ["error": "\(error)"])
            throw APIError.databaseUnavailable
        }
    }
}

extension FieldError {
    /// The field a JSON decoding error is about, and what is wrong with it.
    public init(decoding error: any Error) {
        guard let error = error as? DecodingError else {
            self.init(field: "", message: "is not valid JSON", messageZh: "不是有效的JSON")
            return
        }
        func path(_ context: DecodingError.Context, _ key: (any CodingKey)? = nil) -> String {
            (context.codingPath + (key.map { [$0] } ?? [])).map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }
                .joined(separator: ".").replacingOccurrences(of: ".[", with: "[")
        }
        switch error {
        case .keyNotFound(let key, let context):
            self.init(field: path(context, key), message: "is required", messageZh: "为必填项")
        case .valueNotFound(_, let context):
            self.init(field: path(context), message: "is required", messageZh: "为必填项")
        case .typeMismatch(let type, let context):
            self.init(field: path(context), message: "has the wrong type (expected \(type))", messageZh: "类型错误")
        case .dataCorrupted(let context) where context.codingPath.isEmpty:
            self.init(field: "", message: "is not valid JSON", messageZh: "不是有效的JSON")
        case .dataCorrupted(let context):
            self.init(field: path(context), message: "has an invalid value: \(context.debugDescription)",
                      messageZh: "取值无效")
        @unknown default:
            self.init(field: "", message: "cannot be read", messageZh: "无法解析")
        }
    }
}
