import FoundationEssentials
import HoushiContract
import HoushiStorage
import Hummingbird

extension Request {
    /// The token of an `Authorization: Bearer …` header, if there is one.
    public var bearerToken: String? {
        guard let header = headers[.authorization], header.hasPrefix("Bearer ") else { return nil }
        let token = header.dropFirst("Bearer ".count).trimmingWhitespace
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
            throw invalid([FieldError(decoding: error, body: body)])
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
        guard mentionsNUL(json), let document = try? JSONDecoder().decode(JSONValue.self, from: json)
        else { return [] }
        func walk(_ value: JSONValue, _ path: String) -> [String] {
            switch value {
            case .string(let text):
                return text.utf8.contains(0) ? [path] : []
            case .object(let object):
                return object.sorted { $0.key < $1.key }.flatMap { walk($0.value, path.isEmpty ? $0.key : "\(path).\($0.key)") }
            case .array(let array):
                return array.enumerated().flatMap { walk($0.element, "\(path)[\($0.offset)]") }
            case .null, .bool, .integer, .double:
                return []
            }
        }
        return walk(document, "")
    }

    /// Whether the bytes hold the escape `\u0000`: one pass over the buffer.
    private static func mentionsNUL(_ json: Data) -> Bool {
        let escape = Array(#"\u0000"#.utf8)
        return json.withUnsafeBytes { bytes in
            guard bytes.count >= escape.count else { return false }
            for start in 0...(bytes.count - escape.count) where bytes[start] == escape[0] {
                if (1..<escape.count).allSatisfy({ bytes[start + $0] == escape[$0] }) { return true }
            }
            return false
        }
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
    /// The field a JSON decoding error is about, and what is wrong with it; `body`, the text
    /// decoded, lets it name a syntax error's position and a misspelt field name.
    public init(decoding error: any Error, body: Data? = nil) {
        let problem = DecodingProblem(error, document: body.map { Array($0) })
        self.init(field: problem.field, message: problem.english, messageZh: problem.chinese)
    }
}
