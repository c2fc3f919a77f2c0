import NIOCore
import NIOHTTP1

/// Writes one request at a time and completes its promise with the whole response, or fails it
/// when the connection closes, errs or times out first.
final class HTTPExchangeHandler: ChannelDuplexHandler {
    typealias InboundIn = HTTPClientResponsePart
    typealias OutboundIn = Exchange
    typealias OutboundOut = HTTPClientRequestPart

    /// A request and the promise of its response.
    struct Exchange: Sendable {
        let request: HTTPClientRequest
        let response: EventLoopPromise<HTTPClientResponse>
    }

    private enum State {
        case idle
        case awaitingHead(EventLoopPromise<HTTPClientResponse>)
        case readingBody(EventLoopPromise<HTTPClientResponse>, HTTPResponseHead, ByteBuffer)
    }

    private var state = State.idle

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        let exchange = unwrapOutboundIn(data)
        guard case .idle = state else {
            exchange.response.fail(ChannelError.inappropriateOperationForState)
            return
        }
        state = .awaitingHead(exchange.response)
        let request = exchange.request
        var head = HTTPRequestHead(version: .http1_1, method: HTTPMethod(rawValue: request.method), uri: request.target)
        head.headers.add(name: "Host", value: "\(request.endpoint)")
        for field in request.headers { head.headers.add(name: field.name, value: field.value) }
        head.headers.add(name: "Content-Length", value: String(request.body?.count ?? 0))
        context.write(wrapOutboundOut(.head(head)), promise: nil)
        if let body = request.body, !body.isEmpty {
            context.write(wrapOutboundOut(.body(.byteBuffer(context.channel.allocator.buffer(bytes: body)))), promise: nil)
        }
        let sent = context.eventLoop.makePromise(of: Void.self)
        sent.futureResult.assumeIsolated().whenFailure { _ in
            // The connection was gone before the request left.
            self.fail(HTTPClientError.ClosedBeforeResponse(), context: context)
        }
        context.write(wrapOutboundOut(.end(nil)), promise: sent)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch (unwrapInboundIn(data), state) {
        case (.head(let head), .awaitingHead(let promise)):
            state = .readingBody(promise, head, context.channel.allocator.buffer(capacity: 0))
        case (.body(var part), .readingBody(let promise, let head, var body)):
            body.writeBuffer(&part)
            state = .readingBody(promise, head, body)
        case (.end, .readingBody(let promise, let head, let body)):
            state = .idle
            let headers = Dictionary(head.headers.map { ($0.name.lowercased(), $0.value) }) { $1 }
            promise.succeed(HTTPClientResponse(status: Int(head.status.code), headers: headers,
                                               body: Array(body.readableBytesView), keepAlive: head.isKeepAlive))
        default:
            // An answer nobody asked for: this connection cannot be trusted.
            fail(ChannelError.inappropriateOperationForState, context: context)
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        if case .readingBody = state {
            fail(HTTPClientError.ClosedInResponse(), context: context)
        } else {
            fail(HTTPClientError.ClosedBeforeResponse(), context: context)
        }
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        fail(error, context: context)
    }

    private func fail(_ error: any Error, context: ChannelHandlerContext) {
        switch state {
        case .idle:
            break
        case .awaitingHead(let promise), .readingBody(let promise, _, _):
            state = .idle
            promise.fail(error)
        }
        context.close(promise: nil)
    }
}
