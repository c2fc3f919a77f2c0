import Foundation
import HoushiContract

/// The broker, database and binaries `deploy/local/test` prepared: `HOUSHI_TEST_ENV_DIR` holds
/// one env file per service plus `admin.env`; `HOUSHI_BIN_DIR` holds the built executables.
struct TestEnvironment: Sendable {
    let envDirectory: URL
    let binDirectory: URL
    let admin: [String: String]

    struct Missing: Error, CustomStringConvertible {
        let variable: String
        var description: String { "\(variable) is not set: run the tests with deploy/local/test" }
    }

    static func load() throws -> TestEnvironment {
        let environment = ProcessInfo.processInfo.environment
        guard let env = environment["HOUSHI_TEST_ENV_DIR"] else { throw Missing(variable: "HOUSHI_TEST_ENV_DIR") }
        guard let bin = environment["HOUSHI_BIN_DIR"] else { throw Missing(variable: "HOUSHI_BIN_DIR") }
        let directory = URL(fileURLWithPath: env)
        return TestEnvironment(envDirectory: directory, binDirectory: URL(fileURLWithPath: bin),
                               admin: try readEnvFile(directory.appendingPathComponent("admin.env")))
    }

    /// The variables a service runs with (its own broker user and database role).
    func serviceEnvironment(_ department: Department) throws -> [String: String] {
        try Self.readEnvFile(envDirectory.appendingPathComponent("\(department.rawValue).env"))
    }

    func adminValue(_ name: String) throws -> String {
        guard let value = admin[name] else { throw Missing(variable: "\(name) in admin.env") }
        return value
    }

    var runDirectory: URL { URL(fileURLWithPath: admin["HOUSHI_RUN_DIR"] ?? envDirectory.deletingLastPathComponent().path) }

    func binary(_ name: String) -> URL { binDirectory.appendingPathComponent(name) }

    /// `KEY=value` lines; blank lines and `#` comments are skipped.
    static func readEnvFile(_ url: URL) throws -> [String: String] {
        var values: [String: String] = [:]
        for line in try String(contentsOf: url, encoding: .utf8).split(separator: "\n") {
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            guard !trimmed.isEmpty, !trimmed.hasPrefix("#"), let equals = trimmed.firstIndex(of: "=") else { continue }
            values[String(trimmed[..<equals])] = String(trimmed[trimmed.index(after: equals)...])
        }
        return values
    }

    /// The repository's root folder.
    static let repository = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
}

/// Runs a command to completion and returns its standard output; throws on a non-zero exit.
@discardableResult
func runCommand(_ executable: URL, _ arguments: [String], environment: [String: String]) async throws -> String {
    try await Task.detached {
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        let output = Pipe()
        let errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        try process.run()
        let stdout = output.fileHandleForReading.readDataToEndOfFile()
        let stderr = errors.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw CommandFailed(command: ([executable.path] + arguments).joined(separator: " "),
                                status: process.terminationStatus,
                                output: String(decoding: stdout + stderr, as: UTF8.self))
        }
        return String(decoding: stdout, as: UTF8.self)
    }.value
}

struct CommandFailed: Error, CustomStringConvertible {
    let command: String
    let status: Int32
    let output: String
    var description: String { "\(command) exited with \(status):\n\(output)" }
}

/// Polls `condition` every 100 ms until it holds or `timeout` passes.
func eventually(timeout: Duration = .seconds(30), _ what: String,
                _ condition: () async throws -> Bool) async throws {
    let deadline = ContinuousClock.now + timeout
    while ContinuousClock.now < deadline {
        if try await condition() { return }
        try await Task.sleep(for: .milliseconds(100))
    }
    throw TimedOut(what: what, timeout: timeout)
}

struct TimedOut: Error, CustomStringConvertible {
    let what: String
    let timeout: Duration
    var description: String { "timed out after \(timeout) waiting for \(what)" }
}
