import FoundationEssentials

/// A value of an AMQP header table, as far as Houshi uses them.
public enum AMQPFieldValue: Sendable, Equatable, CustomStringConvertible {
    case string(String)
    case int(Int64)
    case bool(Bool)

    public var description: String {
        switch self {
        case .string(let value): value
        case .int(let value): String(value)
        case .bool(let value): String(value)
        }
    }
}

/// The AMQP basic properties Houshi sets and reads.
public struct MessageProperties: Sendable, Equatable {
    public var contentType: String?
    public var messageId: String?
    public var correlationId: String?
    public var type: String?
    public var appId: String?
    /// The broker user that published the message; RabbitMQ refuses a value other than the
    /// publishing connection's user, so a consumer may trust it.
    public var userId: String?
    public var timestamp: Date?
    public var persistent: Bool
    public var headers: [String: AMQPFieldValue]

    public init(contentType: String? = nil, messageId: String? = nil, correlationId: String? = nil,
                type: String? = nil, appId: String? = nil, userId: String? = nil, timestamp: Date? = nil,
                persistent: Bool = true,
                headers: [String: AMQPFieldValue] = [:]) {
        self.contentType = contentType
        self.messageId = messageId
        self.correlationId = correlationId
        self.type = type
        self.appId = appId
        self.userId = userId
        self.timestamp = timestamp
        self.persistent = persistent
        self.headers = headers
    }
}

/// A message delivered to a consumer; acknowledge it by `deliveryTag` on the same connection.
public struct Delivery: Sendable {
    public let deliveryTag: UInt64
    public let redelivered: Bool
    public let exchange: String
    public let routingKey: String
    public let properties: MessageProperties
    public let body: Data
}
