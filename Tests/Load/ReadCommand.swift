import ArgumentParser
import Foundation
import Histogram
import HoushiHTTPClient

/// `houshi-load read`: times what a hospital's clerk reads, one request at a time: the
/// institution's case list (its first page, a page in the middle, its last page, and the first
/// page of each status) and the case view of cases found on pages all through the list. Exits 1
/// on any answer but 200.
struct ReadCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "read",
                                                    abstract: "Time the case list and the case view.")

    @OptionGroup var endpoints: Endpoints
    @Option(help: "Case list requests.") var lists = 120
    @Option(help: "Case view requests.") var views = 300
    @Option(help: "Also write the figures as JSON to this file.") var json: String?

    struct Unexpected: Error, CustomStringConvertible {
        let description: String
    }

    func run() async throws {
        let reader = Reader(base: endpoints.intake.hasSuffix("/") ? String(endpoints.intake.dropLast()) : endpoints.intake,
                            token: try endpoints.token(), http: try endpoints.httpClient())
        let first = try await reader.list("page=1").body
        let total = first["total"] as? Int ?? 0
        let pages = max(1, (total + 19) / 20)
        let queries = ["page=1", "page=\(max(1, pages / 2))", "page=\(pages)",
                       "status=open&page=1", "status=completed&page=1", "status=withdrawn&page=1"]
        var listTimes = Timings()
        for index in 0..<lists {
            listTimes.record(try await reader.list(queries[index % queries.count]).milliseconds)
        }
        // Cases from pages spread through the whole list, each viewed once.
        var caseIds: [String] = []
        for page in stride(from: 1, through: pages, by: max(1, pages / 15)) where caseIds.count < views {
            let cases = try await reader.list("page=\(page)").body["cases"] as? [[String: Any]] ?? []
            caseIds += cases.compactMap { $0["caseId"] as? String }
        }
        var viewTimes = Timings()
        for index in 0..<min(views, caseIds.count * 4) {
            viewTimes.record(try await reader.view(caseIds[index % caseIds.count]))
        }
        print("cases       \(total) of the institution, \(pages) pages of 20")
        print("case list   \(listTimes.line)  (\(lists) requests: first, middle and last page, each status)")
        print("case view   \(viewTimes.line)  (\(viewTimes.count) requests, cases from \(min(pages, 16)) pages)")
        try writeFigures(["cases": total, "list": listTimes.figures, "view": viewTimes.figures], to: json)
    }

    /// GETs on intake's case API with the institution's token.
    struct Reader {
        let base: String
        let token: String
        let http: HTTPClient

        func list(_ query: String) async throws -> (body: [String: Any], milliseconds: Double) {
            let (body, milliseconds) = try await get("/v1/cases?\(query)")
            guard let object = try JSONSerialization.jsonObject(with: body) as? [String: Any] else {
                throw Unexpected(description: "the case list is not a JSON object")
            }
            return (object, milliseconds)
        }

        func view(_ caseId: String) async throws -> Double {
            try await get("/v1/cases/\(caseId)").1
        }

        private func get(_ path: String) async throws -> (Data, Double) {
            let request = try HTTPClientRequest("GET", url: base + path, headers: [("Authorization", "Bearer \(token)")])
            let start = ContinuousClock.now
            let response = try await http.execute(request)
            let elapsed = ContinuousClock.now - start
            guard response.status == 200 else {
                throw Unexpected(description: "GET \(path) answered \(response.status): \(String(decoding: response.body, as: UTF8.self))")
            }
            return (Data(response.body), elapsed.seconds * 1000)
        }
    }

    /// Request times in milliseconds (an HdrHistogram of microseconds).
    struct Timings {
        private var histogram = Histogram<UInt64>(highestTrackableValue: 60_000_000, numberOfSignificantValueDigits: .three)
        var count: Int { Int(histogram.totalCount) }

        mutating func record(_ milliseconds: Double) {
            _ = histogram.record(UInt64((milliseconds * 1000).rounded()))
        }

        func milliseconds(atPercentile percentile: Double) -> Double {
            histogram.totalCount == 0 ? 0 : Double(histogram.valueAtPercentile(percentile)) / 1000
        }

        var line: String {
            String(format: "p50 %.1f  p90 %.1f  p99 %.1f  max %.1f ms", milliseconds(atPercentile: 50),
                   milliseconds(atPercentile: 90), milliseconds(atPercentile: 99), Double(histogram.maxRecorded) / 1000)
        }

        var figures: [String: Any] {
            ["count": count, "p50": milliseconds(atPercentile: 50), "p90": milliseconds(atPercentile: 90),
             "p99": milliseconds(atPercentile: 99), "max": Double(histogram.maxRecorded) / 1000]
        }
    }
}
