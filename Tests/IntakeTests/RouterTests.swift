import Foundation
import HoushiContract
@testable import HoushiRuntime
import Crypto
import Hummingbird
@testable import Intake
import Logging
import NIOEmbedded
import Prometheus
import Testing

/// The intake's routes in process, without a network or a database: what must be answered before
/// any database is asked.
@Suite struct RouterTests {
    /// The intake's router over a database nobody reaches (these requests must not need one).
    static func router() throws -> Router<BasicRequestContext> {
        let configuration = try ServiceConfiguration(department: .intake, environment: [
            "HOUSHI_DATABASE_URL": "postgres://nobody@127.0.0.1:1/none",
        ])
        let context = ServiceContext(
            configuration: configuration,
            database: Database(url: configuration.databaseURL, schema: "intake", size: 1, name: "router-tests"),
            logger: Logger(label: "router-tests"), metrics: PrometheusCollectorRegistry())
        let router = Router()
        router.addHealthRoutes(readiness: Readiness())
        try IntakeService.addRoutes(to: router, context: context, sealKey: SealKey(privateKey: .init()))
        return router
    }

    /// Sends one request through the router; thrown HTTP errors become their responses, as the server makes them.
    static func respond(_ method: HTTPRequest.Method, _ path: String, headers: HTTPFields = [:], body: String = "",
                        router: Router<BasicRequestContext>? = nil) async throws -> (status: HTTPResponse.Status, body: String) {
        let reply = try await respondFully(method, path, headers: headers, body: body, router: router)
        return (reply.status, reply.body)
    }

    /// As `respond`, with the response's headers.
    static func respondFully(_ method: HTTPRequest.Method, _ path: String, headers: HTTPFields = [:], body: String = "",
                             router: Router<BasicRequestContext>? = nil)
        async throws -> (status: HTTPResponse.Status, headers: HTTPFields, body: String) {
        let router = try router ?? Self.router()
        let request = Request(head: HTTPRequest(method: method, scheme: "http", authority: "localhost", path: path,
                                                headerFields: headers),
                              body: RequestBody(buffer: ByteBuffer(string: body)))
        let context = BasicRequestContext(source: .init(channel: EmbeddedChannel(), logger: Logger(label: "router-tests")))
        let response: Response
        do {
            response = try await router.buildResponder().respond(to: request, context: context)
        } catch let error as any HTTPResponseError {
            response = try error.response(from: request, context: context)
        }
        let writer = CollectingWriter()
        try await response.body.write(writer)
        return (response.status, response.headers, String(buffer: writer.buffer))
    }

    @Test("a request that finds no database connection in time gets 503 with Retry-After, in both languages")
    func busyPoolAnswers503() async throws {
        let router = Router()
        router.add(middleware: JSONErrorMiddleware())
        router.get("/busy") { _, _ -> String in throw PoolBusy(reason: .timedOut) }
        let reply = try await Self.respondFully(.get, "/busy", router: router)
        #expect(reply.status == .serviceUnavailable)
        #expect(reply.headers[.retryAfter] == "2")
        #expect(reply.body.contains(#""error":"busy""#) && reply.body.contains("服务繁忙"), "\(reply.body)")
    }

    @Test func noticesWithoutATokenAreRefused() async throws {
        let reply = try await Self.respond(.post, "/v1/death-notices", headers: [.contentType: "application/json"],
                                           body: "{}")
        #expect(reply.status == .unauthorized)
        #expect(reply.body.contains(#""error":"unauthorized""#))
        #expect(try await Self.respond(.get, "/v1/cases", headers: [.authorization: "Basic eDp5"]).status == .unauthorized)
    }

    @Test func theOpenAPIDocumentDescribesEveryRoute() async throws {
        let reply = try await Self.respond(.get, "/openapi.yaml")
        #expect(reply.status == .ok)
        for path in ["/v1/death-notices:", "/v1/cases:", "/v1/cases/{caseId}:", "openapi: 3.0.3"] {
            #expect(reply.body.contains(path), "\(path)")
        }
    }

    @Test func healthAnswersWithoutTheDatabase() async throws {
        #expect(try await Self.respond(.get, "/healthz").status == .ok)
        #expect(try await Self.respond(.get, "/readyz").status == .serviceUnavailable)
        #expect(try await Self.respond(.get, "/nowhere").status == .notFound)
    }
}

/// Collects a response body in memory.
final class CollectingWriter: ResponseBodyWriter {
    var buffer = ByteBuffer()

    func write(_ buffer: ByteBuffer) async throws {
        var copy = buffer
        self.buffer.writeBuffer(&copy)
    }

    func finish(_ trailingHeaders: HTTPFields?) async throws {}
}
