import Foundation
@testable import HoushiHTTPClient
import Hummingbird
import Logging
import NIOCore
import Testing

/// The HTTP client against a real server on a local port.
@Suite struct HTTPClientTests {
    @Test func aRequestAndItsAnswerRoundTripOnOneKeptConnection() async throws {
        try await withServer { base in
            let client = try HTTPClient()
            let posted = try await client.execute(HTTPClientRequest("POST", url: base + "/echo",
                                                                    headers: [("Content-Type", "text/plain")],
                                                                    body: Array("李四 body".utf8)))
            #expect(posted.status == 200)
            #expect(String(decoding: posted.body, as: UTF8.self) == "POST /echo text/plain 李四 body")
            #expect(posted.headers["content-type"] == "text/plain")
            let got = try await client.execute(HTTPClientRequest("GET", url: base + "/echo?page=2&status=done"))
            #expect(String(decoding: got.body, as: UTF8.self) == "GET /echo?page=2&status=done - ")
            #expect(try client.idleConnections(to: HTTPClientRequest("GET", url: base).endpoint) == 1)
        }
    }

    @Test func aConnectionTheServerClosesIsNotKept() async throws {
        try await withServer { base in
            let client = try HTTPClient()
            let closing = try await client.execute(HTTPClientRequest("GET", url: base + "/close"))
            #expect(closing.status == 204)
            #expect(try client.idleConnections(to: HTTPClientRequest("GET", url: base).endpoint) == 0)
            #expect(try await client.execute(HTTPClientRequest("GET", url: base + "/echo")).status == 200)
        }
    }

    @Test func anIdleConnectionTheServerDroppedIsReplaced() async throws {
        try await withServer(idleTimeout: .milliseconds(100)) { base in
            let client = try HTTPClient()
            #expect(try await client.execute(HTTPClientRequest("GET", url: base + "/echo")).status == 200)
            try await Task.sleep(for: .milliseconds(400))
            #expect(try await client.execute(HTTPClientRequest("GET", url: base + "/echo")).status == 200)
        }
    }

    @Test func concurrentRequestsEachGetTheirOwnAnswer() async throws {
        try await withServer { base in
            let client = try HTTPClient()
            try await withThrowingTaskGroup(of: Void.self) { group in
                for number in 0..<50 {
                    group.addTask {
                        let request = try HTTPClientRequest("POST", url: base + "/echo", body: Array("\(number)".utf8))
                        let response = try await client.execute(request)
                        #expect(String(decoding: response.body, as: UTF8.self) == "POST /echo - \(number)")
                    }
                }
                try await group.waitForAll()
            }
        }
    }

    @Test func aSlowAnswerTimesOut() async throws {
        try await withServer { base in
            let client = try HTTPClient()
            await #expect(throws: HTTPClientError.TimedOut.self) {
                try await client.execute(HTTPClientRequest("GET", url: base + "/slow"), timeout: .milliseconds(200))
            }
        }
    }

    @Test func unreachableEndpointsAndBadURLsAreErrors() async throws {
        await #expect(throws: HTTPClientError.CannotConnect.self) {
            try await HTTPClient().execute(HTTPClientRequest("GET", url: "http://127.0.0.1:1/"))
        }
        #expect(throws: HTTPClientError.BadURL.self) { try HTTPClientRequest("POST", url: "ftp://sms.example/send") }
        #expect(try HTTPClientRequest("POST", url: "https://sms.example/send").endpoint
                == Endpoint(host: "sms.example", port: 443, tls: true))
        #expect(throws: HTTPClientError.BadURL.self) { try HTTPClientRequest("POST", url: "not a url") }
    }

    /// Runs `body` with the base URL of a local server: `/echo` answers "METHOD URI CONTENT-TYPE BODY",
    /// `/close` closes the connection after answering, `/slow` answers after two seconds.
    private func withServer(idleTimeout: TimeAmount? = nil,
                            _ body: @Sendable (String) async throws -> Void) async throws {
        let router = Router()
        router.on("/echo", method: .get) { request, _ in try await Self.echo(request) }
        router.on("/echo", method: .post) { request, _ in try await Self.echo(request) }
        router.get("/close") { _, _ in Response(status: .noContent, headers: [.connection: "close"]) }
        router.get("/slow") { _, _ in
            try await Task.sleep(for: .seconds(2))
            return Response(status: .noContent)
        }
        let (ports, port) = AsyncStream.makeStream(of: Int.self)
        let app = Application(router: router, server: .http1(configuration: .init(idleTimeout: idleTimeout)),
                              configuration: .init(address: .hostname("127.0.0.1", port: 0)),
                              onServerRunning: { port.yield($0.localAddress?.port ?? 0) },
                              logger: Logger(label: "http-client-tests", factory: { _ in SwiftLogNoOpLogHandler() }))
        let server = Task { try await app.runService() }
        defer { server.cancel() }
        var running = ports.makeAsyncIterator()
        let bound = try #require(await running.next())
        try await body("http://127.0.0.1:\(bound)")
    }

    @Sendable private static func echo(_ request: Request) async throws -> Response {
        let body = try await request.body.collect(upTo: 1 << 20)
        let contentType = request.headers[.contentType] ?? "-"
        let text = "\(request.method) \(request.uri) \(contentType) \(String(buffer: body))"
        return Response(status: .ok, headers: [.contentType: contentType], body: .init(byteBuffer: ByteBuffer(string: text)))
    }
}
