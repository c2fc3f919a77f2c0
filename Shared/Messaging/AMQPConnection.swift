import CRabbitMQ
import FoundationEssentials
#if canImport(Glibc)
import Glibc
#endif

/// One broker connection with one channel, over librabbitmq-c. Not thread-safe and every call
/// blocks: it must have one owner thread at a time, off Swift concurrency's cooperative pool.
/// After any thrown `AMQPError` the connection is broken: `close()` it and connect anew.
public final class AMQPConnection {
    private var state: amqp_connection_state_t?
    private let channel: amqp_channel_t = 1
    private var nextPublishTag: UInt64 = 1
    private var unconfirmed = Set<UInt64>()
    /// The connection is unusable after an error (the broker may already have closed it).
    public private(set) var isBroken = false
    /// The broker user it logged in as: the `user_id` its messages may carry.
    public let user: String
    /// The node it is connected to, without the password (for logs).
    public let node: String

    /// Opens the connection, logs in and opens channel 1.
    /// - Parameters:
    ///   - name: shown by the broker as the connection's name (`connection_name`).
    ///   - heartbeat: seconds between heartbeats; the broker drops the connection after two missed.
    public init(url: AMQPURL, name: String, heartbeat: Int = 30, timeout: Duration = .seconds(10)) throws {
        user = url.user
        node = url.description
        guard let state = amqp_new_connection() else { throw AMQPError("cannot allocate a connection") }
        self.state = state
        do {
            let socket = try Self.socket(on: state, for: url)
            var openTimeout = timeval(timeout)
            let status = amqp_socket_open_noblock(socket, url.host, Int32(url.port), &openTimeout)
            guard status == AMQP_STATUS_OK.rawValue else {
                throw AMQPError("cannot connect to \(url): \(Self.statusText(status))")
            }
            var rpcTimeout = timeval(timeout)
            amqp_set_rpc_timeout(state, &rpcTimeout)
            let arena = CArena()
            var properties = arena.table(["connection_name": .string(name)])
            try check(houshi_amqp_login_plain(state, url.vhost, Int32(heartbeat), &properties, url.user, url.password),
                      "login to \(url)")
            amqp_channel_open(state, channel)
            try check(amqp_get_rpc_reply(state), "open channel")
        } catch {
            amqp_destroy_connection(state)
            self.state = nil
            throw error
        }
    }

    deinit { close() }

    /// A TCP socket, or for `amqps` a TLS socket that verifies the broker's certificate and name.
    private static func socket(on state: amqp_connection_state_t, for url: AMQPURL) throws -> OpaquePointer {
        guard let tls = url.tls else {
            guard let socket = amqp_tcp_socket_new(state) else { throw AMQPError("cannot allocate a socket") }
            return socket
        }
        guard let socket = amqp_ssl_socket_new(state) else { throw AMQPError("cannot allocate a TLS socket") }
        amqp_ssl_socket_set_verify_peer(socket, 1)
        amqp_ssl_socket_set_verify_hostname(socket, 1)
        let versions = amqp_ssl_socket_set_ssl_versions(socket, AMQP_TLSv1_2, AMQP_TLSvLATEST)
        guard versions == AMQP_STATUS_OK.rawValue else {
            throw AMQPError("cannot require TLS 1.2 or later: \(statusText(versions))")
        }
        if let file = tls.caCertificateFile {
            let status = amqp_ssl_socket_set_cacert(socket, file)
            guard status == AMQP_STATUS_OK.rawValue else {
                throw AMQPError("cannot read the CA certificates \(file): \(statusText(status))")
            }
        }
        return socket
    }

    /// Closes the channel and the connection (politely when still healthy) and frees them.
    public func close() {
        guard let state else { return }
        if !isBroken {
            amqp_channel_close(state, channel, AMQP_REPLY_SUCCESS)
            amqp_connection_close(state, AMQP_REPLY_SUCCESS)
        }
        amqp_destroy_connection(state)
        self.state = nil
        isBroken = true
    }

    // MARK: Topology

    public func declareExchange(_ name: String, type: String, passive: Bool = false) throws {
        let state = try liveState()
        let arena = CArena()
        amqp_exchange_declare(state, channel, arena.bytes(name), arena.bytes(type), passive ? 1 : 0, 1, 0, 0, amqp_empty_table)
        try check(amqp_get_rpc_reply(state), "declare exchange \(name)")
    }

    /// Deletes an exchange (and its bindings); `ifUnused` refuses while queues are bound to it.
    /// Needs the configure permission on it: a service user is refused (403).
    public func deleteExchange(_ name: String, ifUnused: Bool = false) throws {
        let state = try liveState()
        let arena = CArena()
        amqp_exchange_delete(state, channel, arena.bytes(name), ifUnused ? 1 : 0)
        try check(amqp_get_rpc_reply(state), "delete exchange \(name)")
    }

    /// Declares a durable queue; returns how many messages it holds.
    @discardableResult
    public func declareQueue(_ name: String, arguments: [String: AMQPFieldValue] = [:], passive: Bool = false) throws -> Int {
        let state = try liveState()
        let arena = CArena()
        let ok = amqp_queue_declare(state, channel, arena.bytes(name), passive ? 1 : 0, 1, 0, 0, arena.table(arguments))
        try check(amqp_get_rpc_reply(state), "declare queue \(name)")
        return Int(ok?.pointee.message_count ?? 0)
    }

    public func bindQueue(_ queue: String, exchange: String, routingKey: String) throws {
        let state = try liveState()
        let arena = CArena()
        amqp_queue_bind(state, channel, arena.bytes(queue), arena.bytes(exchange), arena.bytes(routingKey), amqp_empty_table)
        try check(amqp_get_rpc_reply(state), "bind \(queue) to \(exchange) with \(routingKey)")
    }

    /// Removes every ready message from the queue; returns how many.
    @discardableResult
    public func purgeQueue(_ name: String) throws -> Int {
        let state = try liveState()
        let arena = CArena()
        let ok = amqp_queue_purge(state, channel, arena.bytes(name))
        try check(amqp_get_rpc_reply(state), "purge \(name)")
        return Int(ok?.pointee.message_count ?? 0)
    }

    /// Deletes a queue and the messages in it; returns how many it held.
    @discardableResult
    public func deleteQueue(_ name: String) throws -> Int {
        let state = try liveState()
        let arena = CArena()
        let ok = amqp_queue_delete(state, channel, arena.bytes(name), 0, 0)
        try check(amqp_get_rpc_reply(state), "delete queue \(name)")
        return Int(ok?.pointee.message_count ?? 0)
    }

    // MARK: Consuming

    /// At most `count` unacknowledged deliveries at a time on this channel.
    public func setPrefetch(_ count: UInt16) throws {
        let state = try liveState()
        amqp_basic_qos(state, channel, 0, count, 0)
        try check(amqp_get_rpc_reply(state), "set prefetch")
    }

    /// Starts consuming with manual acknowledgements; read with `nextDelivery`.
    public func consume(queue: String) throws {
        let state = try liveState()
        let arena = CArena()
        amqp_basic_consume(state, channel, arena.bytes(queue), amqp_empty_bytes, 0, 0, 0, amqp_empty_table)
        try check(amqp_get_rpc_reply(state), "consume \(queue)")
    }

    /// Waits up to `timeout` for the next delivery; nil when none came.
    public func nextDelivery(timeout: Duration) throws -> Delivery? {
        let state = try liveState()
        amqp_maybe_release_buffers(state)
        var envelope = amqp_envelope_t()
        var wait = timeval(timeout)
        let reply = amqp_consume_message(state, &envelope, &wait, 0)
        switch reply.reply_type {
        case AMQP_RESPONSE_NORMAL:
            defer { amqp_destroy_envelope(&envelope) }
            return Delivery(
                deliveryTag: envelope.delivery_tag, redelivered: envelope.redelivered != 0,
                exchange: envelope.exchange.string, routingKey: envelope.routing_key.string,
                properties: MessageProperties(envelope.message.properties), body: envelope.message.body.data)
        case AMQP_RESPONSE_LIBRARY_EXCEPTION where reply.library_error == AMQP_STATUS_TIMEOUT.rawValue:
            return nil
        case AMQP_RESPONSE_LIBRARY_EXCEPTION where reply.library_error == AMQP_STATUS_UNEXPECTED_STATE.rawValue:
            // A frame other than a delivery: the broker closing the channel or cancelling the consumer.
            var frame = amqp_frame_t()
            let status = amqp_simple_wait_frame(state, &frame)
            guard status == AMQP_STATUS_OK.rawValue else { throw fail("read frame: \(Self.statusText(status))") }
            if frame.frame_type == UInt8(AMQP_FRAME_METHOD) {
                try failOnClose(frame.payload.method)
                if frame.payload.method.id == houshi_basic_cancel_method { throw fail("the broker cancelled the consumer") }
            }
            return nil
        default:
            try check(reply, "consume")
            return nil
        }
    }

    /// Fetches one message with `basic.get` (for tools and tests); nil when the queue is empty.
    public func get(queue: String, acknowledge: Bool) throws -> Delivery? {
        let state = try liveState()
        amqp_maybe_release_buffers(state)
        let arena = CArena()
        let reply = amqp_basic_get(state, channel, arena.bytes(queue), acknowledge ? 1 : 0)
        try check(reply, "get from \(queue)")
        guard reply.reply.id == houshi_basic_get_ok_method,
              let ok = reply.reply.decoded?.assumingMemoryBound(to: amqp_basic_get_ok_t.self).pointee
        else { return nil }
        var message = amqp_message_t()
        try check(amqp_read_message(state, channel, &message, 0), "read message")
        defer { amqp_destroy_message(&message) }
        return Delivery(deliveryTag: ok.delivery_tag, redelivered: ok.redelivered != 0, exchange: ok.exchange.string,
                        routingKey: ok.routing_key.string, properties: MessageProperties(message.properties),
                        body: message.body.data)
    }

    public func ack(_ deliveryTag: UInt64, multiple: Bool = false) throws {
        let status = amqp_basic_ack(try liveState(), channel, deliveryTag, multiple ? 1 : 0)
        guard status == AMQP_STATUS_OK.rawValue else { throw fail("ack: \(Self.statusText(status))") }
    }

    /// Returns a delivery to the queue (`requeue`) or lets the broker dead-letter it.
    public func reject(_ deliveryTag: UInt64, requeue: Bool) throws {
        let status = amqp_basic_reject(try liveState(), channel, deliveryTag, requeue ? 1 : 0)
        guard status == AMQP_STATUS_OK.rawValue else { throw fail("reject: \(Self.statusText(status))") }
    }

    // MARK: Publishing

    /// Puts the channel in confirm mode: every publish is then acknowledged by the broker.
    public func enableConfirms() throws {
        let state = try liveState()
        amqp_confirm_select(state, channel)
        try check(amqp_get_rpc_reply(state), "enable publisher confirms")
    }

    /// Publishes one message; in confirm mode returns its tag, settled by `waitForConfirms`.
    @discardableResult
    public func publish(exchange: String, routingKey: String, body: Data, properties: MessageProperties) throws -> UInt64 {
        let state = try liveState()
        let arena = CArena()
        var cProperties = arena.properties(properties)
        let status = amqp_basic_publish(state, channel, arena.bytes(exchange), arena.bytes(routingKey), 0, 0,
                                        &cProperties, arena.bytes(body))
        guard status == AMQP_STATUS_OK.rawValue else { throw fail("publish: \(Self.statusText(status))") }
        let tag = nextPublishTag
        nextPublishTag += 1
        unconfirmed.insert(tag)
        return tag
    }

    /// Waits until the broker has settled every publish so far. Returns the tags it refused
    /// (nack); throws on timeout or a broken connection, when nothing may be taken as sent.
    public func waitForConfirms(timeout: Duration = .seconds(30)) throws -> Set<UInt64> {
        let state = try liveState()
        let deadline = ContinuousClock.now + timeout
        var refused = Set<UInt64>()
        while !unconfirmed.isEmpty {
            let remaining = deadline - ContinuousClock.now
            guard remaining > .zero else { throw fail("timed out waiting for \(unconfirmed.count) publisher confirms") }
            var frame = amqp_frame_t()
            var wait = timeval(remaining)
            let status = amqp_simple_wait_frame_noblock(state, &frame, &wait)
            guard status == AMQP_STATUS_OK.rawValue else {
                throw fail("waiting for publisher confirms: \(Self.statusText(status))")
            }
            guard frame.frame_type == UInt8(AMQP_FRAME_METHOD) else { continue }
            let method = frame.payload.method
            try failOnClose(method)
            switch method.id {
            case houshi_basic_ack_method:
                let ack = method.decoded.assumingMemoryBound(to: amqp_basic_ack_t.self).pointee
                settle(ack.delivery_tag, multiple: ack.multiple != 0)
            case houshi_basic_nack_method:
                let nack = method.decoded.assumingMemoryBound(to: amqp_basic_nack_t.self).pointee
                refused.formUnion(settle(nack.delivery_tag, multiple: nack.multiple != 0))
            case houshi_basic_return_method:
                var message = amqp_message_t()
                try check(amqp_read_message(state, frame.channel, &message, 0), "read returned message")
                amqp_destroy_message(&message)
            default:
                continue
            }
        }
        return refused
    }

    /// Services heartbeats on an otherwise idle connection (a publisher between batches) and
    /// notices a broker that closed it. Call at least every heartbeat interval.
    public func keepAlive() throws {
        let state = try liveState()
        var frame = amqp_frame_t()
        var noWait = timeval(tv_sec: 0, tv_usec: 0)
        let status = amqp_simple_wait_frame_noblock(state, &frame, &noWait)
        switch status {
        case AMQP_STATUS_OK.rawValue where frame.frame_type == UInt8(AMQP_FRAME_METHOD):
            try failOnClose(frame.payload.method)
        case AMQP_STATUS_OK.rawValue, AMQP_STATUS_TIMEOUT.rawValue:
            return
        default:
            throw fail("connection check: \(Self.statusText(status))")
        }
    }

    @discardableResult
    private func settle(_ tag: UInt64, multiple: Bool) -> Set<UInt64> {
        let settled = multiple ? unconfirmed.filter { $0 <= tag } : unconfirmed.intersection([tag])
        unconfirmed.subtract(settled)
        return settled
    }

    // MARK: Errors

    private func liveState() throws -> amqp_connection_state_t {
        guard let state, !isBroken else { throw AMQPError("the broker connection is closed") }
        return state
    }

    private func fail(_ message: String, replyCode: Int? = nil) -> AMQPError {
        isBroken = true
        return AMQPError(replyCode: replyCode, message)
    }

    private func failOnClose(_ method: amqp_method_t) throws {
        switch method.id {
        case houshi_channel_close_method:
            let close = method.decoded.assumingMemoryBound(to: amqp_channel_close_t.self).pointee
            throw fail("the broker closed the channel: \(close.reply_text.string)", replyCode: Int(close.reply_code))
        case houshi_connection_close_method:
            let close = method.decoded.assumingMemoryBound(to: amqp_connection_close_t.self).pointee
            throw fail("the broker closed the connection: \(close.reply_text.string)", replyCode: Int(close.reply_code))
        default:
            return
        }
    }

    private func check(_ reply: amqp_rpc_reply_t, _ action: String) throws {
        switch reply.reply_type {
        case AMQP_RESPONSE_NORMAL:
            return
        case AMQP_RESPONSE_LIBRARY_EXCEPTION:
            throw fail("\(action): \(Self.statusText(reply.library_error))")
        case AMQP_RESPONSE_SERVER_EXCEPTION:
            try failOnClose(reply.reply)
            throw fail("\(action): unexpected broker reply \(reply.reply.id)")
        default:
            throw fail("\(action): no reply")
        }
    }

    private static func statusText(_ status: Int32) -> String {
        amqp_error_string2(status).map { String(cString: $0) } ?? "status \(status)"
    }
}

extension timeval {
    init(_ duration: Duration) {
        let (seconds, attoseconds) = duration.components
        self.init(tv_sec: Int(max(seconds, 0)), tv_usec: Int(max(attoseconds, 0) / 1_000_000_000_000))
    }
}
