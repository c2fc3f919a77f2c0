import FoundationEssentials

/// Writes a value's JSON in one pass while `Encodable` walks it: keys in the order they are
/// encoded (a synthesized conformance's declaration order), no white space, slashes as they are.
///
/// Foundation's `JSONEncoder` builds a tree of the whole value first and writes it after (sorting
/// every object's keys when asked to). This encoder writes as it goes, so it asks one thing of a
/// conformance: a container is written to only while nothing encoded after it is still open
/// (what synthesized and ordinary hand-written conformances do); anything else is an
/// `EncodingError`. `Date`, `Data`, `URL` and `Decimal`, which Foundation's encoder writes in
/// forms of its own, are refused rather than written differently.
public struct StreamingJSONEncoder: Sendable {
    public init() {}

    public func encode<T: Encodable>(_ value: T) throws -> [UInt8] {
        let writer = JSONStreamWriter()
        try writer.encodeRoot(value)
        return writer.bytes
    }
}

/// The text written so far and the values still open in it, innermost last. Each open value has
/// a level number, ascending from the root; containers name the level they write into.
final class JSONStreamWriter {
    private(set) var bytes: [UInt8] = []
    private var open: [OpenValue] = []
    private var nextLevel = 0
    /// The first misuse found where the protocol gives no way to throw (opening a container).
    private var misuse: EncodingError?

    /// The level of a container that could not be opened: every write to it throws.
    static let invalidLevel = -1

    private struct OpenValue {
        let level: Int
        let key: (any CodingKey)?
        var content: Content
    }

    enum Content: Equatable {
        case nothing, object(count: Int), array(count: Int), scalar
    }

    init() {
        bytes.reserveCapacity(1024)
    }

    func encodeRoot<T: Encodable>(_ value: T) throws {
        do {
            try encodeValue(value, key: nil)
        } catch {
            throw misuse ?? error
        }
        if let misuse { throw misuse }
    }

    /// Writes `value` where the text stands: at the root, after a key, or as an array element.
    func encodeValue<T: Encodable>(_ value: T, key: (any CodingKey)?) throws {
        if hasFoundationJSONForm(T.self) {
            throw EncodingError.invalidValue(value, .init(
                codingPath: codingPath(to: open.last?.level ?? Self.invalidLevel) + [key].compactMap { $0 },
                debugDescription: "\(T.self) has no JSON form of its own in this encoder"))
        }
        let level = push(key: key, content: .nothing)
        try value.encode(to: ValueEncoder(writer: self, level: level))
        close(through: level)
    }

    // MARK: Positions

    /// Starts the member `key` of the object at `level`: a comma if needed, the key, the colon.
    func beginMember(_ key: some CodingKey, of level: Int) throws {
        let index = try focus(on: level)
        guard case .object(let count) = open[index].content else { throw misplaced(at: level, "a member") }
        if count > 0 { bytes.append(UInt8(ascii: ",")) }
        open[index].content = .object(count: count + 1)
        bytes.appendJSONString(key.stringValue)
        bytes.append(UInt8(ascii: ":"))
    }

    /// Starts the next element of the array at `level`; returns its index.
    @discardableResult
    func beginElement(of level: Int) throws -> Int {
        let index = try focus(on: level)
        guard case .array(let count) = open[index].content else { throw misplaced(at: level, "an element") }
        if count > 0 { bytes.append(UInt8(ascii: ",")) }
        open[index].content = .array(count: count + 1)
        return count
    }

    /// Claims the value at `level` for one single value.
    func beginScalar(at level: Int) throws {
        let index = try focus(on: level)
        guard case .nothing = open[index].content else { throw misplaced(at: level, "a single value") }
        open[index].content = .scalar
    }

    /// Makes the value at `level` an object (or keeps it one) and returns `level`.
    func openObject(at level: Int) -> Int { open(level, as: .object(count: 0)) }

    /// Makes the value at `level` an array (or keeps it one) and returns `level`.
    func openArray(at level: Int) -> Int { open(level, as: .array(count: 0)) }

    /// Opens a value inside the one at `level`, after `begin` wrote its position (a member's key
    /// or an element's comma), as `content`; returns its level.
    func openNested(in level: Int, key: @autoclosure () -> any CodingKey, content: Content,
                    begin: () throws -> Void) -> Int {
        do {
            try begin()
        } catch {
            return recordMisuse(error)
        }
        let nested = push(key: key(), content: .nothing)
        return content == .nothing ? nested : open(nested, as: content)
    }

    /// Elements written so far into the array at `level`.
    func count(at level: Int) -> Int {
        guard let index = open.lastIndex(where: { $0.level == level }), case .array(let count) = open[index].content
        else { return 0 }
        return count
    }

    func codingPath(to level: Int) -> [any CodingKey] {
        guard let index = open.lastIndex(where: { $0.level == level }) else { return [] }
        return open[...index].compactMap(\.key)
    }

    // MARK: Literals

    func appendNull() {
        bytes.append(contentsOf: "null".utf8)
    }

    func append(_ literal: some JSONLiteral, at level: Int) throws {
        guard literal.appendJSON(to: &bytes) else {
            throw EncodingError.invalidValue(literal, .init(codingPath: codingPath(to: level),
                                                            debugDescription: "\(literal) is not a JSON number"))
        }
    }

    // MARK: Open values

    private func push(key: (any CodingKey)?, content: Content) -> Int {
        nextLevel += 1
        open.append(OpenValue(level: nextLevel, key: key, content: content))
        return nextLevel
    }

    private func open(_ level: Int, as content: Content) -> Int {
        let index: Int
        do {
            index = try focus(on: level)
        } catch {
            return recordMisuse(error)
        }
        switch (open[index].content, content) {
        case (.nothing, .object):
            bytes.append(UInt8(ascii: "{"))
        case (.nothing, .array):
            bytes.append(UInt8(ascii: "["))
        case (.object, .object), (.array, .array):
            return level
        default:
            return recordMisuse(misplaced(at: level, "a second kind of container"))
        }
        open[index].content = content
        return level
    }

    /// Closes the values opened inside the one at `level`, which must still be open; returns its index.
    private func focus(on level: Int) throws -> Int {
        if let last = open.last, last.level == level { return open.count - 1 }
        guard open.contains(where: { $0.level == level }) else {
            throw EncodingError.invalidValue(level, .init(codingPath: [], debugDescription: """
                a container was written to after the value it belongs to was finished \
                (this encoder writes in one pass)
                """))
        }
        close(through: level + 1)
        return open.count - 1
    }

    /// Closes every open value from `level` inward, writing what ends each.
    private func close(through level: Int) {
        while let last = open.last, last.level >= level {
            open.removeLast()
            switch last.content {
            case .nothing: bytes.append(contentsOf: "{}".utf8)
            case .object: bytes.append(UInt8(ascii: "}"))
            case .array: bytes.append(UInt8(ascii: "]"))
            case .scalar: break
            }
        }
    }

    private func misplaced(at level: Int, _ what: String) -> EncodingError {
        .invalidValue(what, .init(codingPath: codingPath(to: level),
                                  debugDescription: "\(what) cannot be written into what is already here"))
    }

    private func recordMisuse(_ error: any Error) -> Int {
        if misuse == nil, let error = error as? EncodingError { misuse = error }
        return Self.invalidLevel
    }
}

// MARK: - Encoder and containers

/// A value whose JSON is a literal: written as is rather than through `Encodable`.
protocol JSONLiteral {
    /// Appends the literal; false when the value has none (a non-finite number).
    func appendJSON(to bytes: inout [UInt8]) -> Bool
}

extension Bool: JSONLiteral {
    func appendJSON(to bytes: inout [UInt8]) -> Bool {
        bytes.append(contentsOf: (self ? "true" : "false").utf8)
        return true
    }
}

extension String: JSONLiteral {
    func appendJSON(to bytes: inout [UInt8]) -> Bool {
        bytes.appendJSONString(self)
        return true
    }
}

extension JSONLiteral where Self: FixedWidthInteger {
    func appendJSON(to bytes: inout [UInt8]) -> Bool {
        bytes.append(contentsOf: description.utf8)
        return true
    }
}

extension JSONLiteral where Self: BinaryFloatingPoint & LosslessStringConvertible {
    /// Swift's shortest round-tripping form, without a trailing `.0` (as Foundation writes numbers).
    func appendJSON(to bytes: inout [UInt8]) -> Bool {
        guard isFinite else { return false }
        let text = description
        bytes.append(contentsOf: text.hasSuffix(".0") ? text.utf8.dropLast(2) : text.utf8[...])
        return true
    }
}

extension Int: JSONLiteral {}
extension Int8: JSONLiteral {}
extension Int16: JSONLiteral {}
extension Int32: JSONLiteral {}
extension Int64: JSONLiteral {}
extension UInt: JSONLiteral {}
extension UInt8: JSONLiteral {}
extension UInt16: JSONLiteral {}
extension UInt32: JSONLiteral {}
extension UInt64: JSONLiteral {}
extension Double: JSONLiteral {}
extension Float: JSONLiteral {}

/// A keyed container's typed `encode` methods, all through `put`.
private protocol KeyedLiteralWriting<Key> {
    associatedtype Key: CodingKey
    func put(_ literal: some JSONLiteral, forKey key: Key) throws
}

extension KeyedLiteralWriting {
    func encode(_ value: Bool, forKey key: Key) throws { try put(value, forKey: key) }
    func encode(_ value: String, forKey key: Key) throws { try put(value, forKey: key) }
    func encode(_ value: Double, forKey key: Key) throws { try put(value, forKey: key) }
    func encode(_ value: Float, forKey key: Key) throws { try put(value, forKey: key) }
    func encode(_ value: Int, forKey key: Key) throws { try put(value, forKey: key) }
    func encode(_ value: Int8, forKey key: Key) throws { try put(value, forKey: key) }
    func encode(_ value: Int16, forKey key: Key) throws { try put(value, forKey: key) }
    func encode(_ value: Int32, forKey key: Key) throws { try put(value, forKey: key) }
    func encode(_ value: Int64, forKey key: Key) throws { try put(value, forKey: key) }
    func encode(_ value: UInt, forKey key: Key) throws { try put(value, forKey: key) }
    func encode(_ value: UInt8, forKey key: Key) throws { try put(value, forKey: key) }
    func encode(_ value: UInt16, forKey key: Key) throws { try put(value, forKey: key) }
    func encode(_ value: UInt32, forKey key: Key) throws { try put(value, forKey: key) }
    func encode(_ value: UInt64, forKey key: Key) throws { try put(value, forKey: key) }
}

/// An unkeyed or single-value container's `encodeNil` and typed `encode` methods, each writing
/// its literal after `beginValue` found its place.
private protocol LiteralWriting {
    var writer: JSONStreamWriter { get }
    var level: Int { get }
    func beginValue() throws
}

extension LiteralWriting {
    func put(_ literal: some JSONLiteral) throws {
        try beginValue()
        try writer.append(literal, at: level)
    }

    func encodeNil() throws {
        try beginValue()
        writer.appendNull()
    }

    func encode(_ value: Bool) throws { try put(value) }
    func encode(_ value: String) throws { try put(value) }
    func encode(_ value: Double) throws { try put(value) }
    func encode(_ value: Float) throws { try put(value) }
    func encode(_ value: Int) throws { try put(value) }
    func encode(_ value: Int8) throws { try put(value) }
    func encode(_ value: Int16) throws { try put(value) }
    func encode(_ value: Int32) throws { try put(value) }
    func encode(_ value: Int64) throws { try put(value) }
    func encode(_ value: UInt) throws { try put(value) }
    func encode(_ value: UInt8) throws { try put(value) }
    func encode(_ value: UInt16) throws { try put(value) }
    func encode(_ value: UInt32) throws { try put(value) }
    func encode(_ value: UInt64) throws { try put(value) }
}

private struct ValueEncoder: Encoder {
    let writer: JSONStreamWriter
    let level: Int

    var codingPath: [any CodingKey] { writer.codingPath(to: level) }
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
        KeyedEncodingContainer(ObjectContainer<Key>(writer: writer, level: writer.openObject(at: level)))
    }

    func unkeyedContainer() -> any UnkeyedEncodingContainer {
        ArrayContainer(writer: writer, level: writer.openArray(at: level))
    }

    func singleValueContainer() -> any SingleValueEncodingContainer {
        ScalarContainer(writer: writer, level: level)
    }
}

private struct ObjectContainer<Key: CodingKey>: KeyedEncodingContainerProtocol, KeyedLiteralWriting {
    let writer: JSONStreamWriter
    let level: Int

    var codingPath: [any CodingKey] { writer.codingPath(to: level) }

    func put(_ literal: some JSONLiteral, forKey key: Key) throws {
        try writer.beginMember(key, of: level)
        try writer.append(literal, at: level)
    }

    mutating func encodeNil(forKey key: Key) throws {
        try writer.beginMember(key, of: level)
        writer.appendNull()
    }

    mutating func encode<T: Encodable>(_ value: T, forKey key: Key) throws {
        try writer.beginMember(key, of: level)
        try writer.encodeValue(value, key: key)
    }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type,
                                                        forKey key: Key) -> KeyedEncodingContainer<NestedKey> {
        KeyedEncodingContainer(ObjectContainer<NestedKey>(writer: writer, level: nested(key, .object(count: 0))))
    }

    mutating func nestedUnkeyedContainer(forKey key: Key) -> any UnkeyedEncodingContainer {
        ArrayContainer(writer: writer, level: nested(key, .array(count: 0)))
    }

    mutating func superEncoder() -> any Encoder { ValueEncoder(writer: writer, level: nested(JSONKey(name: "super"), .nothing)) }

    mutating func superEncoder(forKey key: Key) -> any Encoder {
        ValueEncoder(writer: writer, level: nested(key, .nothing))
    }

    private func nested(_ key: some CodingKey, _ content: JSONStreamWriter.Content) -> Int {
        writer.openNested(in: level, key: key, content: content) { try writer.beginMember(key, of: level) }
    }
}

private struct ArrayContainer: UnkeyedEncodingContainer, LiteralWriting {
    let writer: JSONStreamWriter
    let level: Int

    var codingPath: [any CodingKey] { writer.codingPath(to: level) }
    var count: Int { writer.count(at: level) }

    func beginValue() throws { try writer.beginElement(of: level) }

    mutating func encode<T: Encodable>(_ value: T) throws {
        let index = try writer.beginElement(of: level)
        try writer.encodeValue(value, key: JSONKey(index: index))
    }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type) -> KeyedEncodingContainer<NestedKey> {
        KeyedEncodingContainer(ObjectContainer<NestedKey>(writer: writer, level: nested(.object(count: 0))))
    }

    mutating func nestedUnkeyedContainer() -> any UnkeyedEncodingContainer {
        ArrayContainer(writer: writer, level: nested(.array(count: 0)))
    }

    mutating func superEncoder() -> any Encoder { ValueEncoder(writer: writer, level: nested(.nothing)) }

    private func nested(_ content: JSONStreamWriter.Content) -> Int {
        var index = 0
        return writer.openNested(in: level, key: JSONKey(index: index), content: content) {
            index = try writer.beginElement(of: level)
        }
    }
}

private struct ScalarContainer: SingleValueEncodingContainer, LiteralWriting {
    let writer: JSONStreamWriter
    let level: Int

    var codingPath: [any CodingKey] { writer.codingPath(to: level) }

    func beginValue() throws { try writer.beginScalar(at: level) }

    mutating func encode<T: Encodable>(_ value: T) throws {
        try writer.beginScalar(at: level)
        try writer.encodeValue(value, key: nil)
    }
}
