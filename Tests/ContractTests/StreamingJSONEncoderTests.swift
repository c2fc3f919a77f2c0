import Foundation
import HoushiContract
import Testing

@Suite("StreamingJSONEncoder")
struct StreamingJSONEncoderTests {
    private struct Person: Codable, Equatable {
        var name: String
        var age: Int
        var nickname: String?
        var scores: [Double]
        var tags: [[String]]
        var address: Address?
    }

    private struct Address: Codable, Equatable {
        var city: String
        var unit: UInt8
    }

    private func text(_ value: some Encodable) throws -> String {
        String(decoding: try StreamingJSONEncoder().encode(value), as: UTF8.self)
    }

    @Test func writesKeysInDeclarationOrderWithoutSpaceAndLeavesNilOut() throws {
        let person = Person(name: "王桂兰", age: 82, nickname: nil, scores: [1, 2.5, -0.125, 1e21], tags: [["a"], []],
                            address: Address(city: "长春/南关", unit: 3))
        #expect(try text(person) == """
            {"name":"王桂兰","age":82,"scores":[1,2.5,-0.125,1e+21],"tags":[["a"],[]],"address":{"city":"长春/南关","unit":3}}
            """)
        #expect(try JSONDecoder().decode(Person.self, from: Data(StreamingJSONEncoder().encode(person))) == person)
    }

    @Test func escapesWhatJSONStringsCannotHoldAsIs() throws {
        let value = "引号\" 反斜杠\\ 换行\n 制表\t 回车\r \u{01}\u{1F} /"
        #expect(try text(value) == #""引号\" 反斜杠\\ 换行\n 制表\t 回车\r \u0001\u001f /""#)
        #expect(try JSONDecoder().decode(String.self, from: Data(StreamingJSONEncoder().encode(value))) == value)
    }

    @Test func writesScalarsAtTheRootAndInsideSingleValueContainers() throws {
        #expect(try text(true) == "true")
        #expect(try text(Int64.min) == "-9223372036854775808")
        #expect(try text(UInt64.max) == "18446744073709551615")
        #expect(try text(Optional<Int>.none) == "null")
        #expect(try text([Optional(1), nil]) == "[1,null]")
        #expect(try text(Timestamp(Date(timeIntervalSince1970: 0), utcOffset: 0)) == #""1970-01-01T00:00:00Z""#)
        #expect(try text(["k": Item.hukou]) == #"{"k":"hukou"}"#)
    }

    @Test func continuesAnObjectOpenedTwiceAndClosesNestedContainersInOrder() throws {
        struct Nested: Encodable {
            enum Keys: String, CodingKey { case first, inner, list, last }
            func encode(to encoder: any Encoder) throws {
                var outer = encoder.container(keyedBy: Keys.self)
                try outer.encode(1, forKey: .first)
                var inner = outer.nestedContainer(keyedBy: Keys.self, forKey: .inner)
                try inner.encode("x", forKey: .first)
                try inner.encodeNil(forKey: .last)
                var list = outer.nestedUnkeyedContainer(forKey: .list)
                try list.encode(false)
                var element = list.nestedContainer(keyedBy: Keys.self)
                try element.encode(2, forKey: .first)
                try list.encode(3)
                #expect(list.count == 3)
                var again = encoder.container(keyedBy: Keys.self)
                try again.encode("end", forKey: .last)
                try Address(city: "c", unit: 1).encode(to: outer.superEncoder())
            }
        }
        #expect(try text(Nested()) == #"""
            {"first":1,"inner":{"first":"x","last":null},"list":[false,{"first":2},3],"last":"end","super":{"city":"c","unit":1}}
            """#)
    }

    @Test func writesAnEmptyObjectForAValueThatEncodesNothing() throws {
        struct Empty: Encodable {
            func encode(to encoder: any Encoder) throws {}
        }
        #expect(try text([Empty(), Empty()]) == "[{},{}]")
    }

    @Test func refusesWhatItCannotWriteInOnePass() throws {
        struct LateWrite: Encodable {
            enum Keys: String, CodingKey { case a, b }
            func encode(to encoder: any Encoder) throws {
                var outer = encoder.container(keyedBy: Keys.self)
                var inner = outer.nestedContainer(keyedBy: Keys.self, forKey: .a)
                try outer.encode(1, forKey: .b)
                try inner.encode(2, forKey: .a)
            }
        }
        struct TwoKinds: Encodable {
            enum Keys: String, CodingKey { case a }
            func encode(to encoder: any Encoder) throws {
                var keyed = encoder.container(keyedBy: Keys.self)
                try keyed.encode(1, forKey: .a)
                var unkeyed = encoder.unkeyedContainer()
                try unkeyed.encode(2)
            }
        }
        #expect(throws: EncodingError.self) { try StreamingJSONEncoder().encode(LateWrite()) }
        #expect(throws: EncodingError.self) { try StreamingJSONEncoder().encode(TwoKinds()) }
        #expect(throws: EncodingError.self) { try StreamingJSONEncoder().encode([Double.nan]) }
        #expect(throws: EncodingError.self) { try StreamingJSONEncoder().encode(["at": Date()]) }
        #expect(throws: EncodingError.self) { try StreamingJSONEncoder().encode(Data([1])) }
    }

    @Test("writes every golden fixture as Foundation's encoder does, key order aside", arguments: try Fixture.all())
    func matchesFoundation(_ fixture: Fixture) throws {
        let value = try JSONValue(data: fixture.data)
        #expect(try JSONValue(data: Data(StreamingJSONEncoder().encode(value))) == JSONValue(data: JSONEncoder().encode(value)))
    }
}
