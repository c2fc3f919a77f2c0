import Foundation
import HoushiContract
import HoushiMessaging
import HoushiRuntime
import HoushiStorage

/// The credentials each service runs with, from its env file: to act as that service in tests.
extension TestEnvironment {
    /// The service's broker URL (its own broker user).
    func amqpURL(of department: Department) throws -> AMQPURL {
        let text = try serviceEnvironment(department)["HOUSHI_AMQP_URL"] ?? ""
        guard let url = AMQPURL(text) else { throw Missing(variable: "HOUSHI_AMQP_URL in \(department.rawValue).env") }
        return url
    }

    /// The service's database URL (its own role).
    func databaseURL(of department: Department) throws -> String {
        guard let url = try serviceEnvironment(department)["HOUSHI_DATABASE_URL"] else {
            throw Missing(variable: "HOUSHI_DATABASE_URL in \(department.rawValue).env")
        }
        return url
    }

    /// Every password inside a URL of the env files (the services' and the administrator's).
    func passwords() throws -> Set<String> {
        let files = try Department.allCases.map(serviceEnvironment) + [admin]
        return Set(files.flatMap(\.values).compactMap { URLComponents(string: $0)?.password }.filter { !$0.isEmpty })
    }
}

/// Runs one broker operation as the user of `url`, on a connection of its own (a refusal
/// closes the channel) and a thread of its own. Returns nil when the broker allowed it, else
/// the broker's reply code (403 access refused, 406 precondition failed, …).
func brokerReplyCode(as url: AMQPURL, _ operation: @escaping @Sendable (AMQPConnection) throws -> Void) async throws -> Int? {
    try await onDedicatedThread(name: "broker-attempt") { () -> Result<Int?, any Error> in
        Result {
            let connection = try AMQPConnection(url: url, name: "integration tests as \(url.user)")
            defer { connection.close() }
            do {
                try operation(connection)
                return nil
            } catch let error as AMQPError where error.replyCode != nil {
                return error.replyCode
            }
        }
    }.get()
}

/// Runs `body` on a database connection of its own as the role of `url`, on a thread of its own.
func withDatabaseConnection<T: Sendable>(url: String, _ body: @escaping @Sendable (PostgresConnection) throws -> T) async throws -> T {
    try await onDedicatedThread(name: "database-as-role") { () -> Result<T, any Error> in
        Result { try body(try PostgresConnection(url: url)) }
    }.get()
}
