import Foundation
import HoushiHTTPClient

/// Posts notices to intake the way a hospital's system should: retrying (with the same body, so
/// a retry can never open a second case) while intake is unreachable or answers 5xx.
struct IntakeClient: Sendable {
    /// The notice POST without its body.
    let noticePost: HTTPClientRequest
    /// How long to keep retrying one notice before giving up.
    let patience: Duration
    let http: HTTPClient

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

    init(baseURL: String, token: String, http: HTTPClient, patience: Duration = .seconds(180)) throws {
        let base = baseURL.hasSuffix("/") ? String(baseURL.dropLast()) : baseURL
        noticePost = try HTTPClientRequest("POST", url: base + "/v1/death-notices",
                                     headers: [("Content-Type", "application/json"), ("Authorization", "Bearer \(token)")])
        self.patience = patience
        self.http = http
    }

    func post(_ notice: Data) async throws -> Posted {
        var request = noticePost
        request.body = Array(notice)
        let deadline = ContinuousClock.now + patience
        var retries = 0
        var pause = Duration.milliseconds(100)
        while true {
            let problem: String
            do {
                let response = try await http.execute(request)
                switch response.status {
                case 201, 200: return Posted(opened: response.status == 201, retries: retries)
                case 400..<500 where response.status != 429:
                    throw Refused(status: response.status, body: String(decoding: response.body, as: UTF8.self))
                default: problem = "HTTP \(response.status)"
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
