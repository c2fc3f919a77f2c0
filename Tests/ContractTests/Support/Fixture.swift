import Foundation
import HoushiContract
import Testing

/// A golden fixture, `Fixtures/<routingKey>.json`: one whole message of that type.
struct Fixture: Sendable, CustomTestStringConvertible {
    let routingKey: String
    let data: Data

    var testDescription: String { routingKey }

    func json() throws -> JSONValue { try JSONValue(data: data) }

    struct Missing: Error, CustomStringConvertible {
        let description: String
    }

    /// Every fixture of Houshi's own messages in the test bundle, by routing key.
    static func all() throws -> [Fixture] {
        guard let folder = Bundle.module.url(forResource: "Fixtures", withExtension: nil) else {
            throw Missing(description: "no Fixtures folder in the test bundle")
        }
        return try all(in: folder)
    }

    /// Every fixture of the public facts (`Fixtures/PublicFacts`), by routing key.
    static func publicFacts() throws -> [Fixture] {
        guard let folder = Bundle.module.url(forResource: "PublicFacts", withExtension: nil, subdirectory: "Fixtures") else {
            throw Missing(description: "no Fixtures/PublicFacts folder in the test bundle")
        }
        return try all(in: folder)
    }

    private static func all(in folder: URL) throws -> [Fixture] {
        return try FileManager.default.contentsOfDirectory(at: folder, includingPropertiesForKeys: nil)
            .filter { $0.pathExtension == "json" }
            .sorted { $0.lastPathComponent < $1.lastPathComponent }
            .map { Fixture(routingKey: $0.deletingPathExtension().lastPathComponent, data: try Data(contentsOf: $0)) }
    }

    /// The fixture decoded as an envelope of `payload` and encoded again by the contract's codec.
    func reencoded<Payload: Codable & Sendable>(as payload: Payload.Type) throws -> Data {
        let codec = MessageCodec()
        return try codec.encode(codec.decode(data, as: Payload.self))
    }

    /// The fixture of `type`.
    static func of(_ type: MessageType) throws -> Fixture {
        guard let fixture = try all().first(where: { $0.routingKey == type.routingKey }) else {
            throw Missing(description: "no fixture \(type.routingKey).json")
        }
        return fixture
    }
}
