import Foundation
import HoushiHTTPClient

/// Posts notices (and withdrawals) to intake the way a hospital's system should: retrying (with
/// the same body, so a retry can never open a second case or withdraw twice) while intake is
/// unreachable or answers 5xx.
struct IntakeClient: Sendable {
    let base: String
    let token: String
    /// The notice POST without its body.
    let noticePost: HTTPClientRequest
    /// How long to keep retrying one notice before giving up.
    let patience: Duration
    let http: HTTPClient

    /// What intake answered in the end, and how many tries failed first.
    struct Posted: Sendable {
        let opened: Bool
        /// The case the notice opened or found.
        let caseId: String?
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
        self.base = base
        self.token = token
        noticePost = try HTTPClientRequest("POST", url: base + "/v1/death-notices",
                                     headers: [("Content-Type", "application/json"), ("Authorization", "Bearer \(token)")])
        self.patience = patience
        self.http = http
    }

    func post(_ notice: Data) async throws -> Posted {
        var request = noticePost
        request.body = Array(notice)
        let (response, retries) = try await send(request)
        let caseId = (try? JSONSerialization.jsonObject(with: Data(response.body)) as? [String: Any])?["caseId"] as? String
        return Posted(opened: response.status == 201, caseId: caseId, retries: retries)
    }

    /// Withdraws the case (`POST /v1/cases/{id}/withdrawal`); returns how many tries failed first.
    func withdraw(caseId: String, reason: String) async throws -> Int {
        var request = try HTTPClientRequest("POST", url: "\(base)/v1/cases/\(caseId)/withdrawal",
                                            headers: [("Content-Type", "application/json"),
                                                      ("Authorization", "Bearer \(token)")])
        request.body = Array(try JSONSerialization.data(withJSONObject: ["reason": reason]))
        return try await send(request).retries
    }

    /// Sends the request until intake answers 2xx (returned, with the failed tries) or 4xx
    /// (`Refused`), retrying the same request meanwhile for `patience`.
    private func send(_ request: HTTPClientRequest) async throws -> (response: HTTPClientResponse, retries: Int) {
        let deadline = ContinuousClock.now + patience
        var retries = 0
        var pause = Duration.milliseconds(100)
        while true {
            let problem: String
            do {
                let response = try await http.execute(request)
                switch response.status {
                case 200..<300: return (response, retries)
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
