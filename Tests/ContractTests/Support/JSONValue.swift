import Foundation
import HoushiContract

/// Structural comparison in tests: key order, spacing and escaping don't matter.
extension JSONValue: CustomStringConvertible {
    init(data: Data) throws {
        self = try JSONDecoder().decode(JSONValue.self, from: data)
    }

    func data() throws -> Data {
        try JSONEncoder().encode(self)
    }

    /// A copy with the object member at `path` replaced by `value`, or removed when it is nil.
    /// A path through anything but objects changes nothing.
    func setting(_ path: [String], to value: JSONValue?) -> JSONValue {
        guard let key = path.first, case .object(var members) = self else { return self }
        members[key] = path.count == 1 ? value : members[key]?.setting(Array(path.dropFirst()), to: value)
        return .object(members)
    }

    /// Pretty, sorted JSON, for failure messages.
    public var description: String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return (try? encoder.encode(self)).map { String(decoding: $0, as: UTF8.self) } ?? "<unencodable>"
    }
}
