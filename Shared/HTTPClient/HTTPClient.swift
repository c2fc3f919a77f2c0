import NIOConcurrencyHelpers
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL

/// A small HTTP/1.1 client over SwiftNIO, for `http://` and `https://` (the services' APIs in the
/// load tool and the tests). It keeps idle connections per endpoint for reuse.
///
/// FoundationNetworking's `URLSession` is not used: on Linux its libcurl sockets are watched by
/// dispatch sources whose teardown races the socket's close, and the process dies with SIGILL in
/// `_dispatch_source_refs_finalize_unregistration` (swift-corelibs-foundation #4791), most often
/// when a peer refuses or drops connections — exactly what retrying clients meet.
public final class HTTPClient: Sendable {
    /// One client for the whole process, on NIO's shared event loop group.
    public static let shared = try! HTTPClient()  // (the system's roots load when first used)

    private let group: any EventLoopGroup
    private let maximumIdlePerEndpoint: Int
    private let idle = NIOLockedValueBox<[Endpoint: [any Channel]]>([:])
    private let tls: NIOSSLContext

    /// A client whose `https://` peers must present a certificate that `trustRoots` vouch for
    /// (the system's by default), for the host name or address of the URL, over TLS 1.2 at least.
    public init(group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton, maximumIdlePerEndpoint: Int = 128,
                trustRoots: NIOSSLTrustRoots = .default) throws {
        self.group = group
        self.maximumIdlePerEndpoint = maximumIdlePerEndpoint
        var configuration = TLSConfiguration.makeClientConfiguration()
        configuration.minimumTLSVersion = .tlsv12
        configuration.trustRoots = trustRoots
        tls = try NIOSSLContext(configuration: configuration)
    }

    /// A client trusting the certificate authority in the PEM file at `path` (and no other).
    public convenience init(trustingCAFile path: String) throws {
        try self.init(trustRoots: .file(path))
    }

    /// Sends one request and reads its whole response. Throws when the endpoint cannot be reached,
    /// the connection drops before the response is complete, or `timeout` passes first; any HTTP
    /// status is a response, not an error.
    ///
    /// A request sent on a reused connection that the server had already closed is sent once more
    /// on a new connection (the server never saw it).
    public func execute(_ request: HTTPClientRequest, timeout: TimeAmount = .seconds(30)) async throws -> HTTPClientResponse {
        if let channel = takeIdle(request.endpoint) {
            do {
                return try await exchange(request, on: channel, timeout: timeout)
            } catch is HTTPClientError.ClosedBeforeResponse {
                // The server closed the idle connection first; a new one follows.
            }
        }
        return try await exchange(request, on: try await connect(request.endpoint), timeout: timeout)
    }

    private func exchange(_ request: HTTPClientRequest, on channel: any Channel,
                          timeout: TimeAmount) async throws -> HTTPClientResponse {
        let promise = channel.eventLoop.makePromise(of: HTTPClientResponse.self)
        let timer = channel.eventLoop.scheduleTask(in: timeout) {
            channel.pipeline.fireErrorCaught(HTTPClientError.TimedOut(timeout: timeout))
        }
        channel.writeAndFlush(HTTPExchangeHandler.Exchange(request: request, response: promise), promise: nil)
        do {
            let response = try await promise.futureResult.get()
            timer.cancel()
            if response.keepAlive { putIdle(channel, for: request.endpoint) } else { channel.close(promise: nil) }
            return response
        } catch {
            timer.cancel()
            channel.close(promise: nil)
            throw error
        }
    }

    private func connect(_ endpoint: Endpoint) async throws -> any Channel {
        do {
            return try await ClientBootstrap(group: group)
                .channelOption(.tcpOption(.tcp_nodelay), value: 1)
                .connectTimeout(.seconds(10))
                .channelInitializer { [tls] channel in
                    channel.eventLoop.makeCompletedFuture {
                        if endpoint.tls {
                            // (a host that is an address is checked against the certificate's addresses)
                            let name = endpoint.host.isIPAddress ? nil : endpoint.host
                            try channel.pipeline.syncOperations.addHandler(NIOSSLClientHandler(context: tls, serverHostname: name))
                        }
                        try channel.pipeline.syncOperations.addHTTPClientHandlers()
                        try channel.pipeline.syncOperations.addHandler(HTTPExchangeHandler())
                    }
                }
                .connect(host: endpoint.host, port: endpoint.port)
                .get()
        } catch {
            throw HTTPClientError.CannotConnect(endpoint: "\(endpoint)", reason: "\(error)")
        }
    }

    /// How many kept connections to `endpoint` wait for a request.
    func idleConnections(to endpoint: Endpoint) -> Int {
        idle.withLockedValue { $0[endpoint]?.count ?? 0 }
    }

    private func takeIdle(_ endpoint: Endpoint) -> (any Channel)? {
        idle.withLockedValue { idle in
            while let channel = idle[endpoint]?.popLast() {
                if channel.isActive { return channel }
            }
            return nil
        }
    }

    private func putIdle(_ channel: any Channel, for endpoint: Endpoint) {
        let kept = idle.withLockedValue { idle in
            guard idle[endpoint, default: []].count < maximumIdlePerEndpoint else { return false }
            idle[endpoint, default: []].append(channel)
            return true
        }
        if !kept { channel.close(promise: nil) }
    }
}

/// Where a request goes: host, port, and whether over TLS.
public struct Endpoint: Hashable, Sendable, CustomStringConvertible {
    public let host: String
    public let port: Int
    public let tls: Bool
    public var description: String { "\(tls ? "https" : "http")://\(host):\(port)" }
}

extension String {
    /// Whether the text is an IPv4 or IPv6 address rather than a host name.
    var isIPAddress: Bool { (try? SocketAddress(ipAddress: self, port: 0)) != nil }
}
