import FoundationEssentials
import HoushiContract
import Logging
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// Writes one JSON object per line to standard output: time, level, service, message, the
/// metadata (case id, message id, …) as fields in key order, and the error. Personal data never
/// belongs in metadata; see `Redact`.
public struct JSONLogHandler: LogHandler {
    public var metadata: Logger.Metadata = [:]
    public var logLevel: Logger.Level = .info
    private let label: String
    private static let output = Mutex(())
    /// The fields every line has; metadata under these keys is left out.
    private static let fixedKeys: Set<String> = ["time", "level", "service", "message", "error"]

    public init(label: String) { self.label = label }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        var line = line(for: event, at: Date())
        line.append(0x0A)
        Self.output.withLock { _ in
            line.withUnsafeBytes { bytes in
                var written = 0
                while written < bytes.count {
                    let result = write(STDOUT_FILENO, bytes.baseAddress! + written, bytes.count - written)
                    guard result > 0 || (result < 0 && errno == EINTR) else { return }
                    written += max(result, 0)
                }
            }
        }
    }

    /// The JSON object `event` is logged as, without the newline.
    func line(for event: LogEvent, at time: Date) -> [UInt8] {
        var object = JSONObjectWriter()
        object.field("time", .string(Timestamp(time, utcOffset: 0).rfc3339))
        object.field("level", .string(event.level.rawValue))
        object.field("service", .string(label))
        object.field("message", .string(event.message.description))
        let fields = if let extra = event.metadata, !extra.isEmpty {
            metadata.merging(extra, uniquingKeysWith: { $1 })
        } else {
            metadata
        }
        for (key, value) in fields.sorted(by: { $0.key < $1.key }) where !Self.fixedKeys.contains(key) {
            object.field(key, value)
        }
        if let error = event.error { object.field("error", .string(String(describing: error))) }
        return object.finished()
    }
}

/// Builds a JSON object's text field by field (log lines are written often enough that going
/// through `JSONEncoder` showed in profiles).
struct JSONObjectWriter {
    private var bytes: [UInt8]

    init() {
        bytes = [UInt8(ascii: "{")]
        bytes.reserveCapacity(512)
    }

    mutating func field(_ key: String, _ value: Logger.MetadataValue) {
        if bytes.count > 1 { bytes.append(UInt8(ascii: ",")) }
        bytes.appendJSONString(key)
        bytes.append(UInt8(ascii: ":"))
        appendValue(value)
    }

    /// The object's text, closed; the writer is done with it.
    mutating func finished() -> [UInt8] {
        bytes.append(UInt8(ascii: "}"))
        return bytes
    }

    private mutating func appendValue(_ value: Logger.MetadataValue) {
        switch value {
        case .string(let text): bytes.appendJSONString(text)
        case .stringConvertible(let convertible): bytes.appendJSONString(convertible.description)
        case .array(let values):
            bytes.append(UInt8(ascii: "["))
            for (index, element) in values.enumerated() {
                if index > 0 { bytes.append(UInt8(ascii: ",")) }
                appendValue(element)
            }
            bytes.append(UInt8(ascii: "]"))
        case .dictionary(let values):
            var nested = JSONObjectWriter()
            for (key, value) in values.sorted(by: { $0.key < $1.key }) { nested.field(key, value) }
            bytes += nested.finished()
        }
    }
}

extension LoggingSystem {
    /// Sets up logging once per process: JSON lines or plain text, at `level`.
    public static func bootstrap(format: LogFormat, level: Logger.Level) {
        bootstrap { label in
            var handler: any LogHandler = switch format {
            case .json: JSONLogHandler(label: label)
            case .text: StreamLogHandler.standardOutput(label: label)
            }
            handler.logLevel = level
            return handler
        }
    }
}
