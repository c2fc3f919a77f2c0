import Foundation
import HoushiContract
import HoushiMessaging
@testable import HoushiRuntime
import Testing

@Suite struct ConfigurationTests {
    @Test func defaultsFitTheLocalRun() throws {
        let configuration = try ServiceConfiguration(department: .civilAffairs, environment: [:])
        #expect(configuration.httpPort == 8082)
        #expect(configuration.broker.nodes.map(\.host) == ["127.0.0.1"])
        #expect(configuration.databaseURL == "postgres://civil_affairs@127.0.0.1:5432/houshi")
        #expect(configuration.logFormat == .text)
        #expect(configuration.consumers == 1)
        #expect(configuration.consumerLinger == .milliseconds(10))
        #expect(configuration.databasePoolSize == 2)
        #expect(!configuration.sequentialScans)
    }

    @Test func readsVariablesAndSecretFiles() throws {
        let secret = FileManager.default.temporaryDirectory.appendingPathComponent("houshi-secret-\(UUID())")
        try "amqp://intake:s3cret@broker:5673/houshi\n".write(to: secret, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: secret) }
        let configuration = try ServiceConfiguration(department: .intake, environment: [
            "HOUSHI_AMQP_URL_FILE": secret.path, "HOUSHI_HTTP_PORT": "9000", "HOUSHI_LOG_FORMAT": "json",
            "HOUSHI_CONSUMERS": "4", "HOUSHI_CONSUMER_LINGER_MS": "0", "HOUSHI_DB_SEQSCAN": "on",
        ])
        #expect(configuration.broker == BrokerAddresses("amqp://intake:s3cret@broker:5673/houshi"))
        #expect(configuration.httpPort == 9000)
        #expect(configuration.logFormat == .json)
        #expect(configuration.consumers == 4)
        #expect(configuration.consumerLinger == .zero)
        #expect(configuration.sequentialScans)
    }

    @Test(arguments: [
        ("HOUSHI_AMQP_URL", "http://example"),
        ("HOUSHI_DATABASE_URL", "mysql://x"),
        ("HOUSHI_HTTP_PORT", "70000"),
        ("HOUSHI_CONSUMERS", "0"),
        ("HOUSHI_CONSUMER_LINGER_MS", "-1"),
        ("HOUSHI_LOG_FORMAT", "xml"),
        ("HOUSHI_DB_SEQSCAN", "yes"),
        ("HOUSHI_AMQP_URL_FILE", "/nonexistent/secret"),
        ("HOUSHI_HTTP_TLS_CERT", "/etc/cert.pem"),
        ("HOUSHI_HTTP_TLS_KEY", "/etc/key.pem"),
    ])
    func rejectsBadValuesNamingTheVariable(variable: String, value: String) {
        #expect {
            try ServiceConfiguration(department: .intake, environment: [variable: value])
        } throws: { error in
            (error as? ConfigurationError)?.variable == variable
        }
    }

    @Test func httpsNeedsACertificateAndItsKeyThatCanBeRead() throws {
        let plain = try ServiceConfiguration(department: .intake, environment: [:])
        #expect(plain.httpTLS == nil)
        let both = try ServiceConfiguration(department: .intake, environment: [
            "HOUSHI_HTTP_TLS_CERT": "/nonexistent/cert.pem", "HOUSHI_HTTP_TLS_KEY": "/nonexistent/key.pem",
        ])
        let tls = try #require(both.httpTLS)
        #expect(tls == HTTPServerTLS(certificateFile: "/nonexistent/cert.pem", keyFile: "/nonexistent/key.pem"))
        // The files are read when the server starts: one that is missing names its variable.
        #expect { try tls.serverConfiguration() } throws: { error in
            (error as? ConfigurationError)?.variable == "HOUSHI_HTTP_TLS_CERT"
        }
    }

    @Test func parsesAMQPURLs() throws {
        let url = try #require(AMQPURL("amqp://public-security:p%40ss@127.0.0.1:5682/%2F"))
        #expect(url.user == "public-security")
        #expect(url.password == "p@ss")
        #expect(url.port == 5682)
        #expect(url.vhost == "/")
        #expect(AMQPURL("amqp://u:p@host/houshi")?.vhost == "houshi")
        #expect(AMQPURL("amqp://u:p@host/my%20vhost")?.vhost == "my vhost")
        #expect(AMQPURL("amqp://u:p@ra%62bit/")?.host == "rabbit")
        #expect(AMQPURL("amqp://u:p@host/%FF") == nil)
        #expect(AMQPURL("amqp://u:p@host")?.port == 5672)
        #expect(url.tls == nil)
        #expect(!url.description.contains("p@ss") && !url.description.contains("p%40ss"))
    }

    @Test func parsesAMQPSURLs() throws {
        let url = try #require(AMQPURL("amqps://intake:s3cret@localhost/%2F?cacertfile=/run/tls/ca.pem"))
        #expect(url.port == 5671)
        #expect(url.tls == AMQPURL.TLS(caCertificateFile: "/run/tls/ca.pem"))
        #expect(url.description == "amqps://intake@localhost:5671/%2F")
        #expect(AMQPURL("amqps://u:p@host:5682")?.tls == AMQPURL.TLS(caCertificateFile: nil))
        // A setting that is not understood, or one that makes no sense without TLS, is refused.
        #expect(AMQPURL("amqps://u:p@host?verify=verify_none") == nil)
        #expect(AMQPURL("amqps://u:p@host?cacertfile=") == nil)
        #expect(AMQPURL("amqp://u:p@host?cacertfile=/ca.pem") == nil)
    }

    @Test func readsTheNodesOfABrokerCluster() throws {
        let configuration = try ServiceConfiguration(department: .intake, environment: [
            "HOUSHI_AMQP_URL": "amqp://intake:pw@a:5672/%2F, amqp://intake:pw@b:5673/%2F,amqp://intake:pw@c:5674/%2F",
        ])
        #expect(configuration.broker.nodes.map { "\($0.host):\($0.port)" } == ["a:5672", "b:5673", "c:5674"])
        #expect(configuration.broker.user == "intake")
        #expect(configuration.broker.description
            == "amqp://intake@a:5672/%2F,amqp://intake@b:5673/%2F,amqp://intake@c:5674/%2F")
        // One broker: the nodes share a user and vhost; an empty member is a typing mistake.
        #expect(BrokerAddresses("amqp://intake:pw@a/%2F,amqp://other:pw@b/%2F") == nil)
        #expect(BrokerAddresses("amqp://u:pw@a/%2F,amqp://u:pw@b/houshi") == nil)
        #expect(BrokerAddresses("amqp://u:pw@a/%2F,") == nil)
        #expect(BrokerAddresses("") == nil)
        #expect(throws: ConfigurationError.self) {
            try ServiceConfiguration(department: .intake, environment: ["HOUSHI_AMQP_URL": "amqp://u:pw@a/%2F,amqp://v:pw@b/%2F"])
        }
    }

    @Test(arguments: [
        (0, ["a", "b", "c"]),
        (1, ["b", "c", "a"]),
        (5, ["c", "a", "b"]),
        (-1, ["c", "a", "b"]),
    ])
    func triesEachNodeOnceFromTheGivenOne(start: Int, expected: [String]) throws {
        let broker = try #require(BrokerAddresses("amqp://u:p@a/%2F,amqp://u:p@b/%2F,amqp://u:p@c/%2F"))
        #expect(broker.attemptOrder(startingAt: start).map(\.host) == expected)
    }

    @Test func connectsToTheFirstNodeThatAnswers() throws {
        let broker = try #require(BrokerAddresses("amqp://u:p@a/%2F,amqp://u:p@b/%2F,amqp://u:p@c/%2F"))
        struct Refused: Error, CustomStringConvertible { let host: String; var description: String { "\(host) refused" } }
        var tried: [String] = []
        let reached = try broker.firstAnswering(startingAt: 2) { url in
            tried.append(url.host)
            guard url.host == "b" else { throw Refused(host: url.host) }
            return url.host
        }
        #expect(reached == "b" && tried == ["c", "a", "b"])
        // None answers: the error names every node's failure, in the order tried.
        #expect { try broker.firstAnswering(startingAt: 1) { url -> String in throw Refused(host: url.host) } } throws: { error in
            "\(error)" == "no broker node answered: b refused; c refused; a refused"
        }
    }
}

@Suite struct SupportTests {
    @Test func backoffDoublesUpToItsCap() {
        var backoff = Backoff(initial: .milliseconds(100), maximum: .milliseconds(500))
        #expect([backoff.next(), backoff.next(), backoff.next(), backoff.next()]
            == [.milliseconds(100), .milliseconds(200), .milliseconds(400), .milliseconds(500)])
        backoff.reset()
        #expect(backoff.next() == .milliseconds(100))
    }

    @Test func traceParentRoundTripsAndKeepsTheTraceAcrossHops() throws {
        let trace = TraceParent.start()
        let parsed = try #require(TraceParent(header: trace.description))
        #expect(parsed == trace)
        let child = trace.child()
        #expect(child.traceId == trace.traceId)
        #expect(child.spanId != trace.spanId)
        #expect(TraceParent(header: "00-00000000000000000000000000000000-0000000000000001-01") == nil)
        #expect(TraceParent(header: "01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01") == nil)
        #expect(TraceParent(header: "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7") == nil)
    }

    @Test func redactionKeepsOnlyWhatIdentifiesNobody() {
        #expect(Redact.idNumber("230883194103150243") == "230883********0243")
        #expect(Redact.phone("13904561234") == "139****1234")
        #expect(Redact.bankAccount("6217000130001234567") == "***************4567")
        #expect(Redact.phone("123") == "***")
        #expect(Redact.password(inURL: "postgres://intake:s3cret@db:5432/houshi") == "postgres://intake:***@db:5432/houshi")
        #expect(Redact.password(inURL: "postgres://intake@db/houshi") == "postgres://intake@db/houshi")
        #expect(Redact.password(inURL: "host=db password=s3cret") == "***")
    }

    @Test func describedConfigurationHoldsNoPassword() throws {
        let configuration = try ServiceConfiguration(department: .intake, environment: [
            "HOUSHI_AMQP_URL": "amqp://intake:amqp-s3cret@broker:5672/%2F",
            "HOUSHI_DATABASE_URL": "postgres://intake:pg-s3cret@db:5432/houshi",
        ])
        // As ServiceLifecycle prints a service that holds it.
        struct Service { let configuration: ServiceConfiguration }
        let printed = String(describing: Service(configuration: configuration))
        #expect(!printed.contains("s3cret"))
        #expect(printed.contains("postgres://intake:***@db:5432/houshi"))
    }

    @Test func readinessNeedsEveryExpectedPart() {
        let readiness = Readiness()
        #expect(!readiness.isReady)
        readiness.expect("consumer-0")
        readiness.expect("outbox-publisher")
        readiness.set("consumer-0", ready: true)
        #expect(!readiness.isReady)
        readiness.set("outbox-publisher", ready: true)
        #expect(readiness.isReady)
        readiness.set("consumer-0", ready: false)
        #expect(!readiness.isReady)
    }

    @Test func ownerThreadRunsJobsInOrderOnItsOwnThread() async throws {
        // The resource records the thread it was made on; every job must run on that thread.
        let owner = OwnerThread<(thread: pthread_t, log: [Int])>(name: "test-owner") { (pthread_self(), []) }
        for value in 1...5 {
            let onOwner = try await owner.run { resource in
                resource.log.append(value)
                return pthread_equal(resource.thread, pthread_self()) != 0
            }
            #expect(onOwner)
        }
        #expect(try await owner.run { $0.log } == [1, 2, 3, 4, 5])
        await owner.stop()
        await #expect(throws: CancellationError.self) { try await owner.run { $0.log } }
    }

    @Test func stopSignalWakesAWaiter() async {
        let stop = StopSignal()
        let started = ContinuousClock.now
        async let woke = onDedicatedThread(name: "waiter") { stop.wait(.seconds(30)) }
        try? await Task.sleep(for: .milliseconds(50))
        stop.set()
        #expect(await woke)
        #expect(ContinuousClock.now - started < .seconds(5))
    }
}

@Suite struct TopologyTests {
    @Test func everyServiceQueueDeadLettersAtLeastOnce() {
        for department in Department.allCases {
            let arguments = BrokerTopology.queueArguments(of: department)
            #expect(arguments["x-queue-type"] == .string("quorum"))
            #expect(arguments["x-dead-letter-exchange"] == .string(Topology.deadLetterExchange))
            #expect(arguments["x-dead-letter-routing-key"] == .string(Topology.queue(of: department)))
            #expect(arguments["x-dead-letter-strategy"] == .string("at-least-once"))
            #expect(arguments["x-overflow"] == .string("reject-publish"))
        }
    }

    @Test func everySubscriptionHasAProducerAndEveryRequestAConsumer() {
        let subscribed = Set(Department.allCases.flatMap(Topology.subscriptions(of:)))
        for item in Item.allCases {
            #expect(Topology.subscriptions(of: item.department).contains(.request(for: item)))
            #expect(subscribed.contains(.rejected(item)))
        }
        // Every subscription is Houshi's own type, or the one of the public contract intake reads.
        #expect(subscribed.subtracting(ContractCatalog.payloadTypes.keys) == [PublicFacts.subscriberOutcome])
    }
}
