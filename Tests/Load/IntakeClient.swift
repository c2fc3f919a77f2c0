import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// Posts notices to intake the way a hospital's system should: retrying (with the same body, so
/// a retry can never open a second case) while intake is unreachable or answers 5xx.
struct IntakeClient: Sendable {
    let endpoint: URL
    let token: String
    let session: URLSession
    /// How long to keep retrying one notice before giving up.
    let patience: Duration

    /// What intake answered in the end, and how many tries failed first.
    struct Posted: Sendable {
        let opened: Bool
        let retries: Int
    }

    /// A 4xx answer: the notice itself is wrong, retrying cannot help.
    struct Refused: Error, CustomStringConvertible {
        let status: Int
        let body: String
        var description: String { "intake answered \(status): \(body)" }
    }

    struct GaveUp: Error, CustomStringConvertible {
        let lastProblem: String
        var description: String { "intake did not take the notice: \(lastProblem)" }
    }

    init(baseURL: String, token: String, connections: Int, patience: Duration = .seconds(180)) {
        endpoint = URL(string: baseURL)!.appendingPathComponent("v1/death-notices")
        self.token = token
        let configuration = URLSessionConfiguration.ephemeral
        configuration.httpMaximumConnectionsPerHost = connections
        configuration.timeoutIntervalForRequest = 30
        session = URLSession(configuration: configuration)
        self.patience = patience
    }

    func post(_ notice: Data) async throws -> Posted {
        var request = URLRequest(url: endpoint)
        request.httpMethod = "POST"
        request.httpBody = notice
        request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        request.setValue("Bearer \(token)", forHTTPHeaderField: "Authorization")
        let deadline = ContinuousClock.now + patience
        var retries = 0
        var pause = Duration.milliseconds(100)
        while true {
            let problem: String
            do {
                let (data, response) = try await session.data(for: request)
                let status = (response as? HTTPURLResponse)?.statusCode ?? 0
                switch status {
                case 201, 200: return Posted(opened: status == 201, retries: retries)
                case 400..<500 where status != 429: throw Refused(status: status, body: String(decoding: data, as: UTF8.self))
                default: problem = "HTTP \(status)"
                }
            } catch let error as Refused {
                throw error
            } catch {
                problem = "\(error)"
            }
            guard ContinuousClock.now < deadline else { throw GaveUp(lastProblem: problem) }
            retries += 1
            try await Task.sleep(for: pause)
            pause = min(pause * 2, .seconds(2))
        }
    }
}
