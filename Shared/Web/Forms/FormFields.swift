import FoundationEssentials
import Hummingbird
import MultipartKit

/// The fields of a posted `multipart/form-data` form, by name, parsed with multipart-kit's
/// parser. Every page form is sent as form-data, so one parser reads them all.
public struct FormFields: Sendable {
    /// Every part, in the order sent; a name may repeat (a group of checkboxes).
    public let parts: [MultipartPart]

    /// The largest body of a form without files.
    public static let textFormLimit = 256 * 1024

    /// Reads the request's form, up to `limit` bytes; a body that is not form-data is refused with 415.
    public static func read(_ request: Request, limit: Int = textFormLimit) async throws -> FormFields {
        guard let contentType = request.headers[.contentType],
              contentType.lowercased().hasPrefix("multipart/form-data"),
              let boundary = Self.boundary(in: contentType)
        else { throw HTTPError(.unsupportedMediaType, message: "send the page's form") }
        var request = request
        let body = try await request.collectBody(upTo: limit)
        return try FormFields(body: body, boundary: boundary)
    }

    public init(body: ByteBuffer, boundary: String) throws {
        let parser = MultipartParser(boundary: boundary)
        var parts: [MultipartPart] = []
        var headers = HTTPHeaders()
        var partBody = ByteBuffer()
        parser.onHeader = { name, value in headers.replaceOrAdd(name: name, value: value) }
        parser.onBody = { chunk in partBody.writeBuffer(&chunk) }
        parser.onPartComplete = {
            parts.append(MultipartPart(headers: headers, body: partBody))
            headers = HTTPHeaders()
            partBody = ByteBuffer()
        }
        do {
            try parser.execute(body)
        } catch {
            throw HTTPError(.badRequest, message: "the form could not be read")
        }
        self.parts = parts
    }

    public init(parts: [MultipartPart]) {
        self.parts = parts
    }

    /// The field's text, trimmed; "" when absent.
    public subscript(_ name: String) -> String {
        text(name) ?? ""
    }

    /// The field's text, trimmed; nil when absent or empty.
    public func text(_ name: String) -> String? {
        guard let part = parts.first(where: { $0.name == name }) else { return nil }
        let text = String(buffer: part.body).trimmingWhitespace
        return text.isEmpty ? nil : text
    }

    /// Every value sent under the name (checkboxes of one group).
    public func values(_ name: String) -> [String] {
        parts.filter { $0.name == name }.map { String(buffer: $0.body) }
    }

    /// A chosen file: its declared type and bytes; nil when the file input was left empty.
    public func file(_ name: String) -> (contentType: String, data: Data)? {
        guard let part = parts.first(where: { $0.name == name }), part.body.readableBytes > 0 else { return nil }
        let contentType = part.headers.first(name: "Content-Type")?.split(separator: ";").first
            .map { String($0).trimmingWhitespace.lowercased() } ?? "application/octet-stream"
        return (contentType, Data(buffer: part.body))
    }

    private static func boundary(in contentType: String) -> String? {
        for parameter in contentType.split(separator: ";").dropFirst() {
            let pair = parameter.split(separator: "=", maxSplits: 1).map { String($0).trimmingWhitespace }
            if pair.count == 2, pair[0].lowercased() == "boundary" {
                return pair[1].filter { $0 != "\"" }
            }
        }
        return nil
    }
}
