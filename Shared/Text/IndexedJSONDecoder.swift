import FoundationEssentials

/// Reads `Decodable` values from JSON text: the text is parsed once into a flat index of its
/// values (`JSONIndex`) and containers find members in it by name, without a tree or copies of
/// text nobody reads. Members beyond those asked for are ignored.
///
/// Errors are `DecodingError`s with the coding path, as from Foundation's `JSONDecoder`. `Date`,
/// `Data`, `URL` and `Decimal`, which Foundation's decoder reads in forms of its own, are refused.
public struct IndexedJSONDecoder: Sendable {
    public init() {}

    public func decode<T: Decodable>(_ type: T.Type, from text: some Collection<UInt8>) throws -> T {
        try JSONReader(JSONIndex(Array(text))).decode(T.self, at: 0)
    }
}

/// The parsed text and the reads on it every container shares.
final class JSONReader {
    let json: JSONIndex

    init(_ json: JSONIndex) { self.json = json }

    func decode<T: Decodable>(_ type: T.Type, at value: Int) throws -> T {
        if hasFoundationJSONForm(T.self) {
            throw DecodingError.typeMismatch(T.self, json.context(at: value, "\(T.self) has no JSON form of its own in this decoder"))
        }
        return try T(from: ValueDecoder(reader: self, value: value))
    }

    func kind(at value: Int) -> JSONIndex.Kind { json.values[value].kind }

    /// The value at `value` as a literal of `T`: a `typeMismatch`, or `valueNotFound` for null, otherwise.
    func literal<T: JSONReadable>(_ type: T.Type, at value: Int) throws -> T {
        if let literal = try T(json: json, at: value) { return literal }
        throw mismatch(T.self, at: value)
    }

    /// The error for finding something other than `type` at `value`.
    func mismatch(_ type: Any.Type, at value: Int) -> DecodingError {
        let found = kind(at: value)
        if found == .null { return .valueNotFound(type, json.context(at: value, "Expected \(type) value but found null instead.")) }
        return .typeMismatch(type, json.context(at: value, "Expected to decode \(type) but found \(found) instead."))
    }

    /// The member value named `name` in the object at `object`, or nil.
    func member(_ name: String, of object: Int) -> Int? {
        let end = Int(json.values[object].next)
        var nameIndex = object + 1
        while nameIndex < end {
            if json.string(at: nameIndex, equals: name) { return nameIndex + 1 }
            nameIndex = Int(json.values[nameIndex + 1].next)
        }
        return nil
    }

    /// The member names of the object at `object`.
    func memberNames(of object: Int) -> [String] {
        json.children(of: object).map { json.string(at: $0 - 1) ?? "" }
    }
}

extension JSONIndex {
    /// The values directly inside the container at `container`, in order (an object's member
    /// values: each one's name stands just before it).
    func children(of container: Int) -> [Int] {
        let step = values[container].kind == .object ? 1 : 0
        var children: [Int] = []
        var child = container + 1 + step
        while child < Int(values[container].next) {
            children.append(child)
            child = Int(values[child].next) + step
        }
        return children
    }

    /// The keys from the root to `value`.
    func codingPath(to value: Int) -> [any CodingKey] {
        var path: [any CodingKey] = []
        var child = value
        while child >= 0, values[child].parent >= 0 {
            let parent = Int(values[child].parent)
            if values[parent].kind == .object {
                path.append(JSONKey(name: string(at: child - 1) ?? ""))
            } else {
                path.append(JSONKey(index: children(of: parent).firstIndex(of: child) ?? 0))
            }
            child = parent
        }
        return path.reversed()
    }

    func context(at value: Int, _ description: String) -> DecodingError.Context {
        DecodingError.Context(codingPath: codingPath(to: value), debugDescription: description)
    }
}

/// A member name or an array position in a coding path (the encoder's too). A position's text
/// is made only when asked for: the encoder gives every array element one.
struct JSONKey: CodingKey {
    let intValue: Int?
    private let name: String

    var stringValue: String { intValue.map { "Index \($0)" } ?? name }

    init(name: String) {
        self.name = name
        intValue = nil
    }

    init(index: Int) {
        name = ""
        intValue = index
    }

    init?(stringValue: String) { self.init(name: stringValue) }
    init?(intValue: Int) { self.init(index: intValue) }
}

// MARK: - Literals

/// A value read from one JSON literal rather than through `Decodable`.
protocol JSONReadable {
    /// The literal at `value`; nil when it is of another kind; throws when its kind is right but
    /// its text is not (a number out of range, a string that is not UTF-8).
    init?(json: JSONIndex, at value: Int) throws
}

extension Bool: JSONReadable {
    init?(json: JSONIndex, at value: Int) {
        switch json.values[value].kind {
        case .true: self = true
        case .false: self = false
        default: return nil
        }
    }
}

extension String: JSONReadable {
    init?(json: JSONIndex, at value: Int) throws {
        guard json.values[value].kind == .string else { return nil }
        guard let text = json.string(at: value) else {
            throw DecodingError.dataCorrupted(json.context(at: value, """
                The string is not valid UTF-8 or holds half a surrogate pair.
                """))
        }
        self = text
    }
}

extension JSONReadable where Self: FixedWidthInteger {
    /// Whole numbers; a fraction or exponent is accepted when the number is whole (`1.0`, `1e2`).
    init?(json: JSONIndex, at value: Int) throws {
        guard json.values[value].kind == .number else { return nil }
        let text = json.numberText(at: value)
        if let integer = Self(text) {
            self = integer
        } else if let number = Double(text), let integer = Self(exactly: number) {
            self = integer
        } else {
            throw DecodingError.dataCorrupted(json.context(at: value, "Number \(text) does not fit in \(Self.self)."))
        }
    }
}

extension JSONReadable where Self: BinaryFloatingPoint & LosslessStringConvertible {
    init?(json: JSONIndex, at value: Int) throws {
        guard json.values[value].kind == .number else { return nil }
        let text = json.numberText(at: value)
        guard let number = Self(String(text)), number.isFinite else {
            throw DecodingError.dataCorrupted(json.context(at: value, "Number \(text) does not fit in \(Self.self)."))
        }
        self = number
    }
}

extension Int: JSONReadable {}
extension Int8: JSONReadable {}
extension Int16: JSONReadable {}
extension Int32: JSONReadable {}
extension Int64: JSONReadable {}
extension UInt: JSONReadable {}
extension UInt8: JSONReadable {}
extension UInt16: JSONReadable {}
extension UInt32: JSONReadable {}
extension UInt64: JSONReadable {}
extension Double: JSONReadable {}
extension Float: JSONReadable {}

// MARK: - Decoder and containers

private struct ValueDecoder: Decoder {
    let reader: JSONReader
    let value: Int

    var codingPath: [any CodingKey] { reader.json.codingPath(to: value) }
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    func container<Key: CodingKey>(keyedBy type: Key.Type) throws -> KeyedDecodingContainer<Key> {
        guard reader.kind(at: value) == .object else { throw reader.mismatch([String: Any].self, at: value) }
        return KeyedDecodingContainer(ObjectReader<Key>(reader: reader, object: value))
    }

    func unkeyedContainer() throws -> any UnkeyedDecodingContainer {
        guard reader.kind(at: value) == .array else { throw reader.mismatch([Any].self, at: value) }
        return ArrayReader(reader: reader, array: value)
    }

    func singleValueContainer() throws -> any SingleValueDecodingContainer {
        ScalarReader(reader: reader, value: value)
    }
}

/// A keyed container's typed `decode` methods, all through `literal`.
private protocol KeyedLiteralReading<Key> {
    associatedtype Key: CodingKey
    func literal<T: JSONReadable>(_ type: T.Type, forKey key: Key) throws -> T
}

extension KeyedLiteralReading {
    func decode(_ type: Bool.Type, forKey key: Key) throws -> Bool { try literal(type, forKey: key) }
    func decode(_ type: String.Type, forKey key: Key) throws -> String { try literal(type, forKey: key) }
    func decode(_ type: Double.Type, forKey key: Key) throws -> Double { try literal(type, forKey: key) }
    func decode(_ type: Float.Type, forKey key: Key) throws -> Float { try literal(type, forKey: key) }
    func decode(_ type: Int.Type, forKey key: Key) throws -> Int { try literal(type, forKey: key) }
    func decode(_ type: Int8.Type, forKey key: Key) throws -> Int8 { try literal(type, forKey: key) }
    func decode(_ type: Int16.Type, forKey key: Key) throws -> Int16 { try literal(type, forKey: key) }
    func decode(_ type: Int32.Type, forKey key: Key) throws -> Int32 { try literal(type, forKey: key) }
    func decode(_ type: Int64.Type, forKey key: Key) throws -> Int64 { try literal(type, forKey: key) }
    func decode(_ type: UInt.Type, forKey key: Key) throws -> UInt { try literal(type, forKey: key) }
    func decode(_ type: UInt8.Type, forKey key: Key) throws -> UInt8 { try literal(type, forKey: key) }
    func decode(_ type: UInt16.Type, forKey key: Key) throws -> UInt16 { try literal(type, forKey: key) }
    func decode(_ type: UInt32.Type, forKey key: Key) throws -> UInt32 { try literal(type, forKey: key) }
    func decode(_ type: UInt64.Type, forKey key: Key) throws -> UInt64 { try literal(type, forKey: key) }
}

private struct ObjectReader<Key: CodingKey>: KeyedDecodingContainerProtocol, KeyedLiteralReading {
    let reader: JSONReader
    let object: Int

    var codingPath: [any CodingKey] { reader.json.codingPath(to: object) }
    var allKeys: [Key] { reader.memberNames(of: object).compactMap { Key(stringValue: $0) } }

    func contains(_ key: Key) -> Bool { reader.member(key.stringValue, of: object) != nil }

    /// The member's value; `keyNotFound` when there is none.
    private func value(forKey key: Key) throws -> Int {
        guard let value = reader.member(key.stringValue, of: object) else {
            throw DecodingError.keyNotFound(key, reader.json.context(at: object, """
                No value associated with key \(key.stringValue).
                """))
        }
        return value
    }

    /// The member's value unless it is missing or null.
    private func presentValue(forKey key: Key) -> Int? {
        guard let value = reader.member(key.stringValue, of: object), reader.kind(at: value) != .null else { return nil }
        return value
    }

    func decodeNil(forKey key: Key) throws -> Bool { reader.kind(at: try value(forKey: key)) == .null }

    func literal<T: JSONReadable>(_ type: T.Type, forKey key: Key) throws -> T {
        try reader.literal(type, at: value(forKey: key))
    }

    func decode<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T {
        try reader.decode(type, at: value(forKey: key))
    }

    func decodeIfPresent<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T? {
        try presentValue(forKey: key).map { try reader.decode(type, at: $0) }
    }

    func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type,
                                               forKey key: Key) throws -> KeyedDecodingContainer<NestedKey> {
        try ValueDecoder(reader: reader, value: value(forKey: key)).container(keyedBy: type)
    }

    func nestedUnkeyedContainer(forKey key: Key) throws -> any UnkeyedDecodingContainer {
        try ValueDecoder(reader: reader, value: value(forKey: key)).unkeyedContainer()
    }

    func superDecoder() throws -> any Decoder { try memberDecoder("super") }

    func superDecoder(forKey key: Key) throws -> any Decoder { try memberDecoder(key.stringValue) }

    private func memberDecoder(_ name: String) throws -> any Decoder {
        guard let value = reader.member(name, of: object) else {
            throw DecodingError.keyNotFound(JSONKey(name: name), reader.json.context(at: object, "No value associated with key \(name)."))
        }
        return ValueDecoder(reader: reader, value: value)
    }
}

/// An unkeyed container's typed `decode` methods, all through `next`.
private protocol UnkeyedLiteralReading {
    mutating func next<T: JSONReadable>(_ type: T.Type) throws -> T
}

extension UnkeyedLiteralReading {
    mutating func decode(_ type: Bool.Type) throws -> Bool { try next(type) }
    mutating func decode(_ type: String.Type) throws -> String { try next(type) }
    mutating func decode(_ type: Double.Type) throws -> Double { try next(type) }
    mutating func decode(_ type: Float.Type) throws -> Float { try next(type) }
    mutating func decode(_ type: Int.Type) throws -> Int { try next(type) }
    mutating func decode(_ type: Int8.Type) throws -> Int8 { try next(type) }
    mutating func decode(_ type: Int16.Type) throws -> Int16 { try next(type) }
    mutating func decode(_ type: Int32.Type) throws -> Int32 { try next(type) }
    mutating func decode(_ type: Int64.Type) throws -> Int64 { try next(type) }
    mutating func decode(_ type: UInt.Type) throws -> UInt { try next(type) }
    mutating func decode(_ type: UInt8.Type) throws -> UInt8 { try next(type) }
    mutating func decode(_ type: UInt16.Type) throws -> UInt16 { try next(type) }
    mutating func decode(_ type: UInt32.Type) throws -> UInt32 { try next(type) }
    mutating func decode(_ type: UInt64.Type) throws -> UInt64 { try next(type) }
}

private struct ArrayReader: UnkeyedDecodingContainer, UnkeyedLiteralReading {
    let reader: JSONReader
    let array: Int
    /// The next element's index in the parsed values.
    private var cursor: Int
    private(set) var currentIndex = 0

    init(reader: JSONReader, array: Int) {
        self.reader = reader
        self.array = array
        cursor = array + 1
    }

    var codingPath: [any CodingKey] { reader.json.codingPath(to: array) }
    var isAtEnd: Bool { cursor >= Int(reader.json.values[array].next) }

    var count: Int? { reader.json.children(of: array).count }

    /// Reads the next element with `read` and moves past it once that succeeded.
    private mutating func advance<T>(_ type: T.Type, _ read: (JSONReader, Int) throws -> T) throws -> T {
        guard !isAtEnd else {
            throw DecodingError.valueNotFound(type, DecodingError.Context(
                codingPath: codingPath + [JSONKey(index: currentIndex)], debugDescription: "Unkeyed container is at end."))
        }
        let value = try read(reader, cursor)
        cursor = Int(reader.json.values[cursor].next)
        currentIndex += 1
        return value
    }

    mutating func decodeNil() throws -> Bool {
        guard !isAtEnd, reader.kind(at: cursor) == .null else { return false }
        return try advance(Bool.self) { _, _ in true }
    }

    mutating func next<T: JSONReadable>(_ type: T.Type) throws -> T { try advance(type) { try $0.literal(type, at: $1) } }

    mutating func decode<T: Decodable>(_ type: T.Type) throws -> T { try advance(type) { try $0.decode(type, at: $1) } }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type) throws -> KeyedDecodingContainer<NestedKey> {
        try advance(KeyedDecodingContainer<NestedKey>.self) { try ValueDecoder(reader: $0, value: $1).container(keyedBy: type) }
    }

    mutating func nestedUnkeyedContainer() throws -> any UnkeyedDecodingContainer {
        try advance((any UnkeyedDecodingContainer).self) { try ValueDecoder(reader: $0, value: $1).unkeyedContainer() }
    }

    mutating func superDecoder() throws -> any Decoder {
        try advance((any Decoder).self) { ValueDecoder(reader: $0, value: $1) }
    }
}

/// A single-value container's typed `decode` methods, all through `literal`.
private protocol ScalarLiteralReading {
    func literal<T: JSONReadable>(_ type: T.Type) throws -> T
}

extension ScalarLiteralReading {
    func decode(_ type: Bool.Type) throws -> Bool { try literal(type) }
    func decode(_ type: String.Type) throws -> String { try literal(type) }
    func decode(_ type: Double.Type) throws -> Double { try literal(type) }
    func decode(_ type: Float.Type) throws -> Float { try literal(type) }
    func decode(_ type: Int.Type) throws -> Int { try literal(type) }
    func decode(_ type: Int8.Type) throws -> Int8 { try literal(type) }
    func decode(_ type: Int16.Type) throws -> Int16 { try literal(type) }
    func decode(_ type: Int32.Type) throws -> Int32 { try literal(type) }
    func decode(_ type: Int64.Type) throws -> Int64 { try literal(type) }
    func decode(_ type: UInt.Type) throws -> UInt { try literal(type) }
    func decode(_ type: UInt8.Type) throws -> UInt8 { try literal(type) }
    func decode(_ type: UInt16.Type) throws -> UInt16 { try literal(type) }
    func decode(_ type: UInt32.Type) throws -> UInt32 { try literal(type) }
    func decode(_ type: UInt64.Type) throws -> UInt64 { try literal(type) }
}

private struct ScalarReader: SingleValueDecodingContainer, ScalarLiteralReading {
    let reader: JSONReader
    let value: Int

    var codingPath: [any CodingKey] { reader.json.codingPath(to: value) }

    func decodeNil() -> Bool { reader.kind(at: value) == .null }

    func literal<T: JSONReadable>(_ type: T.Type) throws -> T { try reader.literal(type, at: value) }

    func decode<T: Decodable>(_ type: T.Type) throws -> T { try reader.decode(type, at: value) }
}
