import CRabbitMQ
import FoundationEssentials
#if canImport(Glibc)
import Glibc
#endif

/// C memory for one librabbitmq-c call: strings, buffers and tables copied from Swift values,
/// freed together when the arena goes away. Keep the arena alive across the call that uses them.
final class CArena {
    private var allocations: [UnsafeMutableRawPointer] = []

    deinit { allocations.forEach { free($0) } }

    func bytes(_ string: String) -> amqp_bytes_t { bytes(Data(string.utf8)) }

    func bytes(_ data: Data) -> amqp_bytes_t {
        let memory = malloc(max(data.count, 1))!
        allocations.append(memory)
        data.copyBytes(to: memory.assumingMemoryBound(to: UInt8.self), count: data.count)
        return amqp_bytes_t(len: data.count, bytes: memory)
    }

    func table(_ fields: [String: AMQPFieldValue]) -> amqp_table_t {
        guard !fields.isEmpty else { return amqp_empty_table }
        let entries = UnsafeMutablePointer<amqp_table_entry_t>.allocate(capacity: fields.count)
        allocations.append(UnsafeMutableRawPointer(entries))
        for (index, (key, value)) in fields.sorted(by: { $0.key < $1.key }).enumerated() {
            var field = amqp_field_value_t()
            switch value {
            case .string(let text):
                field.kind = UInt8(AMQP_FIELD_KIND_UTF8.rawValue)
                field.value.bytes = bytes(text)
            case .int(let number):
                field.kind = UInt8(AMQP_FIELD_KIND_I64.rawValue)
                field.value.i64 = number
            case .bool(let flag):
                field.kind = UInt8(AMQP_FIELD_KIND_BOOLEAN.rawValue)
                field.value.boolean = flag ? 1 : 0
            }
            entries[index] = amqp_table_entry_t(key: bytes(key), value: field)
        }
        return amqp_table_t(num_entries: Int32(fields.count), entries: entries)
    }

    func properties(_ properties: MessageProperties) -> amqp_basic_properties_t {
        var result = amqp_basic_properties_t()
        func set(_ value: String?, _ flag: amqp_flags_t, _ field: WritableKeyPath<amqp_basic_properties_t, amqp_bytes_t>) {
            guard let value else { return }
            result[keyPath: field] = bytes(value)
            result._flags |= flag
        }
        set(properties.contentType, houshi_flag_content_type, \.content_type)
        set(properties.messageId, houshi_flag_message_id, \.message_id)
        set(properties.correlationId, houshi_flag_correlation_id, \.correlation_id)
        set(properties.type, houshi_flag_type, \.type)
        set(properties.appId, houshi_flag_app_id, \.app_id)
        set(properties.userId, houshi_flag_user_id, \.user_id)
        result.delivery_mode = properties.persistent ? 2 : 1
        result._flags |= houshi_flag_delivery_mode
        if let timestamp = properties.timestamp {
            result.timestamp = UInt64(max(0, timestamp.timeIntervalSince1970))
            result._flags |= houshi_flag_timestamp
        }
        if !properties.headers.isEmpty {
            result.headers = table(properties.headers)
            result._flags |= houshi_flag_headers
        }
        return result
    }
}

extension amqp_bytes_t {
    var data: Data {
        guard len > 0, let bytes else { return Data() }
        return Data(bytes: bytes, count: len)
    }

    var string: String { String(decoding: data, as: UTF8.self) }
}

extension MessageProperties {
    /// Reads the fields Houshi uses from a received message's properties.
    init(_ c: amqp_basic_properties_t) {
        func text(_ flag: amqp_flags_t, _ bytes: amqp_bytes_t) -> String? { c._flags & flag != 0 ? bytes.string : nil }
        var headers: [String: AMQPFieldValue] = [:]
        if c._flags & houshi_flag_headers != 0, let entries = c.headers.entries {
            for entry in UnsafeBufferPointer(start: entries, count: Int(c.headers.num_entries)) {
                if let value = AMQPFieldValue(entry.value) { headers[entry.key.string] = value }
            }
        }
        self.init(
            contentType: text(houshi_flag_content_type, c.content_type),
            messageId: text(houshi_flag_message_id, c.message_id),
            correlationId: text(houshi_flag_correlation_id, c.correlation_id),
            type: text(houshi_flag_type, c.type),
            appId: text(houshi_flag_app_id, c.app_id),
            userId: text(houshi_flag_user_id, c.user_id),
            timestamp: c._flags & houshi_flag_timestamp != 0 ? Date(timeIntervalSince1970: Double(c.timestamp)) : nil,
            persistent: c._flags & houshi_flag_delivery_mode != 0 && c.delivery_mode == 2,
            headers: headers)
    }
}

extension AMQPFieldValue {
    /// Strings, integers and booleans; nil for kinds Houshi does not use (tables, arrays, …).
    init?(_ field: amqp_field_value_t) {
        switch UInt32(field.kind) {
        case AMQP_FIELD_KIND_UTF8.rawValue, AMQP_FIELD_KIND_BYTES.rawValue: self = .string(field.value.bytes.string)
        case AMQP_FIELD_KIND_BOOLEAN.rawValue: self = .bool(field.value.boolean != 0)
        case AMQP_FIELD_KIND_I8.rawValue: self = .int(Int64(field.value.i8))
        case AMQP_FIELD_KIND_U8.rawValue: self = .int(Int64(field.value.u8))
        case AMQP_FIELD_KIND_I16.rawValue: self = .int(Int64(field.value.i16))
        case AMQP_FIELD_KIND_U16.rawValue: self = .int(Int64(field.value.u16))
        case AMQP_FIELD_KIND_I32.rawValue: self = .int(Int64(field.value.i32))
        case AMQP_FIELD_KIND_U32.rawValue: self = .int(Int64(field.value.u32))
        case AMQP_FIELD_KIND_I64.rawValue: self = .int(field.value.i64)
        case AMQP_FIELD_KIND_U64.rawValue, AMQP_FIELD_KIND_TIMESTAMP.rawValue: self = .int(Int64(clamping: field.value.u64))
        default: return nil
        }
    }
}
