import Foundation
import HoushiContract
import Testing

@Suite("IndexedJSONDecoder")
struct IndexedJSONDecoderTests {
    private struct Person: Codable, Equatable {
        var name: String
        var age: Int
        var nickname: String?
        var pets: [Pet]
    }

    private struct Pet: Codable, Equatable {
        var kind: String
        var weight: Double?
    }

    private func decode<T: Decodable>(_ type: T.Type, _ text: String) throws -> T {
        try IndexedJSONDecoder().decode(type, from: Data(text.utf8))
    }

    /// The error's case name, e.g. `keyNotFound`.
    private func kind(_ error: DecodingError) -> String {
        switch error {
        case .keyNotFound: "keyNotFound"
        case .valueNotFound: "valueNotFound"
        case .typeMismatch: "typeMismatch"
        case .dataCorrupted: "dataCorrupted"
        @unknown default: "unknown"
        }
    }

    private func missingKey(_ error: DecodingError) -> String? {
        guard case .keyNotFound(let key, _) = error else { return nil }
        return key.stringValue
    }

    private func path(_ error: DecodingError) -> String {
        let context: DecodingError.Context? = switch error {
        case .keyNotFound(_, let context), .valueNotFound(_, let context), .typeMismatch(_, let context),
             .dataCorrupted(let context): context
        @unknown default: nil
        }
        return (context?.codingPath ?? []).map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }.joined(separator: ".")
    }

    @Test func readsMembersInAnyOrderIgnoringUnknownOnesAndWhiteSpace() throws {
        let person = try decode(Person.self, """
            { "pets" : [ {"weight": 4.5e0, "kind": "猫"}, {"kind":"dog","weight":null} ],
              "extra": {"deep": [1, [true, false, null]]}, "age": 82, "name": "王桂兰" }
            """)
        #expect(person == Person(name: "王桂兰", age: 82, nickname: nil, pets: [Pet(kind: "猫", weight: 4.5), Pet(kind: "dog")]))
    }

    @Test func resolvesEscapes() throws {
        let text = #""\"\\\/\b\f\n\r\t\u0041\u00e9\u738b\ud83d\ude00""#
        #expect(try decode(String.self, text) == "\"\\/\u{08}\u{0C}\n\r\tAé王😀")
        #expect(try decode(String.self, text) == JSONDecoder().decode(String.self, from: Data(text.utf8)))
    }

    @Test func readsNumbersAsTheirTypes() throws {
        #expect(try decode([Int64].self, "[0, -9223372036854775808, 1.0, 2e2]") == [0, .min, 1, 200])
        #expect(try decode([UInt8].self, "[255]") == [255])
        #expect(try decode([Double].self, "[-0.5, 1E-3, 12]") == [-0.5, 0.001, 12])
        for (text, type) in [("256", UInt8.self), ("-1", UInt8.self), ("1.5", UInt8.self)] as [(String, any Decodable.Type)] {
            let error = try #require(throws: DecodingError.self) { try decode(type, text) }
            #expect(kind(error) == "dataCorrupted")
        }
    }

    @Test func namesThePathOfWhatIsMissingNullOrMistyped() throws {
        let missing = try #require(throws: DecodingError.self) { try decode(Person.self, #"{"name":"a","pets":[]}"#) }
        #expect(kind(missing) == "keyNotFound")
        #expect(path(missing) == "" && missingKey(missing) == "age")

        let null = try #require(throws: DecodingError.self) {
            try decode(Person.self, #"{"name":"a","age":1,"pets":[{"kind":"cat"},{"kind":null}]}"#)
        }
        #expect(kind(null) == "valueNotFound")
        #expect(path(null) == "pets.[1].kind")

        let mistyped = try #require(throws: DecodingError.self) {
            try decode(Person.self, #"{"name":"a","age":"82","pets":[]}"#)
        }
        #expect(kind(mistyped) == "typeMismatch")
        #expect(path(mistyped) == "age")

        let notAnObject = try #require(throws: DecodingError.self) { try decode(Person.self, #"{"name":"a","age":1,"pets":[3]}"#) }
        #expect(kind(notAnObject) == "typeMismatch")
        #expect(path(notAnObject) == "pets.[0]")
    }

    /// RFC 8259 throughout: Foundation's decoder accepts a trailing comma, this one does not.
    @Test("refuses text that is not JSON", arguments: [
        "", " ", "{", "}", #"{"a":1,}"#, "[1 2]", "[1,]", "01", "1.", "-", "+1", ".5", "1e", #""\x""#, #""\u12""#,
        #""a"#, "\"tab\there\"", "{} x", "nul", "True", #"{"a" 1}"#, #"{1:2}"#, String(repeating: "[", count: 600) + String(repeating: "]", count: 600),
    ])
    func refusesMalformedText(_ text: String) throws {
        let error = try #require(throws: DecodingError.self) { try decode(JSONValue.self, text) }
        #expect(kind(error) == "dataCorrupted")
    }

    @Test func refusesStringsThatAreNotUnicode() throws {
        #expect(throws: DecodingError.self) { try IndexedJSONDecoder().decode(String.self, from: [0x22, 0xff, 0x22]) }
        #expect(throws: DecodingError.self) { try decode(String.self, #""\ud83d""#) }
        #expect(throws: DecodingError.self) { try decode(String.self, #""\ude00\ud83d""#) }
    }

    @Test func refusesTypesFoundationReadsInFormsOfItsOwn() throws {
        #expect(throws: DecodingError.self) { try decode(Date.self, "0") }
        #expect(throws: DecodingError.self) { try decode([Data].self, #"["AQ=="]"#) }
    }

    @Test("reads every golden fixture as Foundation's decoder does", arguments: try Fixture.all())
    func matchesFoundation(_ fixture: Fixture) throws {
        #expect(try IndexedJSONDecoder().decode(JSONValue.self, from: fixture.data) == fixture.json())
    }
}
