import Foundation
import HoushiContract
import HoushiHTTPClient

/// One running service executable, started the way operators start it, with its log in the
/// run directory. Stop it gracefully (SIGTERM) or kill it (SIGKILL) to test recovery.
final class ServiceProcess: @unchecked Sendable {
    /// Its executable's name: a department's, or a subscriber's service (`housing-fund`).
    let name: String
    let httpPort: Int
    /// Where it answers: `http(s)://127.0.0.1:<httpPort>`.
    let address: String
    let logFile: URL
    private let child: ChildProcess

    /// Starts a department's service; `overrides` replace variables of its env file.
    convenience init(_ department: Department, environment: TestEnvironment, httpPort: Int,
                     overrides: [String: String] = [:]) throws {
        try self.init(named: department.rawValue, environment: environment, httpPort: httpPort, overrides: overrides)
    }

    /// Starts the service of the executable `name`, with its env file; `overrides` replace its variables.
    init(named name: String, environment: TestEnvironment, httpPort: Int, overrides: [String: String] = [:]) throws {
        self.name = name
        self.httpPort = httpPort
        address = environment.serviceAddress(port: httpPort)
        let logs = environment.runDirectory.appendingPathComponent("logs")
        try FileManager.default.createDirectory(at: logs, withIntermediateDirectories: true)
        logFile = logs.appendingPathComponent("test-\(name)-\(httpPort).log")
        var variables = ProcessInfo.processInfo.environment.merging(try environment.serviceEnvironment(named: name)) { $1 }
        variables["HOUSHI_HTTP_PORT"] = String(httpPort)
        variables["HOUSHI_LOG_FORMAT"] = "json"
        variables.merge(overrides) { $1 }
        let command = environment.serviceCommand(named: name)
        if let home = command.home { variables["HOME"] = home }
        child = try ChildProcess(command.executable, command.arguments, environment: variables, output: logFile)
    }

    deinit { child.signal(SIGKILL) }

    var isRunning: Bool { child.isRunning }

    /// The service's process id.
    var pid: pid_t { child.pid }

    /// Waits until `/readyz` answers 200.
    func waitUntilReady(timeout: Duration = .seconds(60)) async throws {
        try await eventually(timeout: timeout, "\(name) to be ready (log: \(logFile.path))") {
            guard child.isRunning else { throw Exited(name: name, log: logFile) }
            return (try? await HTTP.get("\(address)/readyz").status) == 200
        }
    }

    /// SIGTERM, then waits for a clean exit; returns the exit status.
    @discardableResult
    func terminate() async -> Int32 {
        child.signal(SIGTERM)
        return await child.waitForExit()
    }

    /// SIGKILL: dies at once, whatever it was doing.
    func kill() async {
        child.signal(SIGKILL)
        await child.waitForExit()
    }

    /// The log so far.
    var log: String { (try? String(contentsOf: logFile, encoding: .utf8)) ?? "" }

    struct Exited: Error, CustomStringConvertible {
        let name: String
        let log: URL
        var description: String {
            "\(name) exited; its log:\n" + ((try? String(contentsOf: log, encoding: .utf8)) ?? "")
        }
    }
}

/// The tests' HTTP calls, over the shared client, trusting the run's CA (and only it) when the
/// run speaks TLS.
enum HTTP {
    private static let client: HTTPClient = {
        guard let environment = try? TestEnvironment.load(), environment.tls, let ca = try? environment.tlsCA else {
            return .shared
        }
        return try! HTTPClient(trustingCAFile: ca.path)
    }()

    struct Reply: Sendable {
        let status: Int
        let headers: [String: String]
        let body: Data

        var json: [String: Any]? { (try? JSONSerialization.jsonObject(with: body)) as? [String: Any] }
    }

    static func get(_ url: String, headers: [String: String] = [:]) async throws -> Reply {
        try await send("GET", url, headers: headers, body: nil)
    }

    static func post(_ url: String, headers: [String: String] = [:], body: Data) async throws -> Reply {
        try await send("POST", url, headers: headers, body: body)
    }

    static func send(_ method: String, _ url: String, headers: [String: String], body: Data?) async throws -> Reply {
        let request = try HTTPClientRequest(method, url: url, headers: headers.map { ($0.key, $0.value) },
                                            body: body.map(Array.init))
        let response = try await client.execute(request, timeout: .seconds(10))
        return Reply(status: response.status, headers: response.headers, body: Data(response.body))
    }
}
