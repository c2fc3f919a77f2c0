import FoundationEssentials
import HoushiContract
import Logging
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// Writes one JSON object per line to standard output: time, level, service, message, and the
/// metadata (case id, message id, …) as fields. Personal data never belongs in metadata; see `Redact`.
public struct JSONLogHandler: LogHandler {
    public var metadata: Logger.Metadata = [:]
    public var logLevel: Logger.Level = .info
    private let label: String
    private static let output = Mutex(())
    private static let encoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }()

    public init(label: String) { self.label = label }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        var fields: [String: JSONValue] = [:]
        for (key, value) in metadata.merging(event.metadata ?? [:], uniquingKeysWith: { $1 }) {
            fields[key] = Self.json(value)
        }
        fields["time"] = .string(Date().formatted(.iso8601.year().month().day().time(includingFractionalSeconds: true)))
        fields["level"] = .string(event.level.rawValue)
        fields["service"] = .string(label)
        fields["message"] = .string(event.message.description)
        if let error = event.error { fields["error"] = .string(String(describing: error)) }
        guard var line = try? Self.encoder.encode(fields) else { return }
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

    private static func json(_ value: Logger.MetadataValue) -> JSONValue {
        switch value {
        case .string(let text): .string(text)
        case .stringConvertible(let convertible): .string(convertible.description)
        case .array(let values): .array(values.map(json))
        case .dictionary(let values): .object(values.mapValues(json))
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
