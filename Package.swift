// swift-tools-version:6.1
import PackageDescription

let package = Package(
    name: "Houshi",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "intake", targets: ["Intake"]),
        .executable(name: "public-security", targets: ["PublicSecurity"]),
        .executable(name: "civil-affairs", targets: ["CivilAffairs"]),
        .executable(name: "social-security", targets: ["SocialSecurity"]),
        .executable(name: "housing-fund", targets: ["HousingFund"]),
        .executable(name: "houshi-load", targets: ["HoushiLoad"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        // Without its default traits: FullFoundation would link Foundation and ICU into every
        // service (about 9 MiB resident each), ConfigurationSupport builds swift-configuration.
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1", traits: []),
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
        .package(url: "https://github.com/apple/swift-crypto.git", from: "4.5.2"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/HdrHistogram/hdrhistogram-swift.git", from: "0.2.0"),
        // Staff pages: bcrypt and sessions, HTML templates that escape by default, form-data.
        .package(url: "https://github.com/hummingbird-project/hummingbird-auth.git", from: "2.5.0"),
        .package(url: "https://github.com/hummingbird-project/swift-mustache.git", from: "2.1.1"),
        .package(url: "https://github.com/vapor/multipart-kit.git", from: "4.7.1"),
        .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.37.0"),
        // TLS for the services' HTTP listener (HummingbirdTLS) and the tests' and load tool's client.
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.37.6"),
    ],
    targets: [
        // C shims over the system libraries.
        .systemLibrary(name: "CRabbitMQ", path: "Shared/CRabbitMQ", pkgConfig: "librabbitmq",
                       providers: [.apt(["librabbitmq-dev"])]),
        .target(name: "CThreads", path: "Shared/CThreads"),
        .systemLibrary(name: "CLibPQ", path: "Shared/CLibPQ", pkgConfig: "libpq",
                       providers: [.apt(["libpq-dev"])]),

        // Text forms (hex digits, UUIDs) read and written without Foundation's formatters.
        .target(name: "HoushiText", path: "Shared/Text"),
        // The message contract every service shares.
        .target(name: "HoushiContract", dependencies: ["HoushiText"], path: "Shared/Contract", exclude: ["asyncapi.yaml", "public-facts.asyncapi.yaml"]),
        // AMQP over librabbitmq-c.
        .target(name: "HoushiMessaging",
                dependencies: ["CRabbitMQ", .product(name: "Logging", package: "swift-log")],
                path: "Shared/Messaging"),
        // PostgreSQL over libpq.
        .target(name: "HoushiStorage",
                dependencies: ["CLibPQ", "HoushiText", .product(name: "Logging", package: "swift-log")],
                path: "Shared/Storage"),
        // A small HTTP/1.1 client (SMS webhook, load tool, tests).
        .target(name: "HoushiHTTPClient",
                dependencies: [
                    .product(name: "NIOCore", package: "swift-nio"),
                    .product(name: "NIOPosix", package: "swift-nio"),
                    .product(name: "NIOHTTP1", package: "swift-nio"),
                    .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                    .product(name: "NIOSSL", package: "swift-nio-ssl"),
                ],
                path: "Shared/HTTPClient"),
        // Configuration, logging, inbox/outbox processing, health endpoints, lifecycle.
        .target(name: "HoushiRuntime",
                dependencies: [
                    "HoushiContract", "HoushiMessaging", "HoushiStorage", "HoushiText", "CThreads",
                    .product(name: "ArgumentParser", package: "swift-argument-parser"),
                    .product(name: "Logging", package: "swift-log"),
                    .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                    .product(name: "Hummingbird", package: "hummingbird"),
                    .product(name: "HummingbirdCore", package: "hummingbird"),
                    .product(name: "HummingbirdTLS", package: "hummingbird"),
                    .product(name: "Metrics", package: "swift-metrics"),
                    .product(name: "Prometheus", package: "swift-prometheus"),
                ],
                path: "Shared/Runtime"),

        // Signed-in pages: templates, sessions in the schema, sign-in, CSRF, forms; officers' consoles.
        .target(name: "HoushiWeb",
                dependencies: ["HoushiRuntime", "HoushiStorage", "HoushiContract",
                               .product(name: "Hummingbird", package: "hummingbird"),
                               .product(name: "HummingbirdAuth", package: "hummingbird-auth"),
                               .product(name: "HummingbirdBcrypt", package: "hummingbird-auth"),
                               .product(name: "Mustache", package: "swift-mustache"),
                               .product(name: "MultipartKit", package: "multipart-kit")],
                path: "Shared/Web", exclude: ["Templates", "Static"]),

        .executableTarget(name: "Intake",
                          dependencies: ["HoushiRuntime", "HoushiWeb",
                                         .product(name: "AsyncHTTPClient", package: "async-http-client"),
                                         .product(name: "Crypto", package: "swift-crypto")],
                          path: "Services/Intake", exclude: ["openapi.yaml", "Pages/Templates", "Pages/Static"]),
        .executableTarget(name: "PublicSecurity", dependencies: ["HoushiRuntime", "HoushiWeb"], path: "Services/PublicSecurity",
                          exclude: ["Calendar", "Pages/Templates"]),
        .executableTarget(name: "CivilAffairs", dependencies: ["HoushiRuntime", "HoushiWeb"], path: "Services/CivilAffairs",
                          exclude: ["Pages/Templates", "Pages/Static"]),
        .executableTarget(name: "SocialSecurity", dependencies: ["HoushiRuntime", "HoushiWeb"], path: "Services/SocialSecurity",
                          exclude: ["Rules", "Pages/Templates"]),
        // The reference subscriber of the public facts: on the same runtime, none of the four changed.
        .executableTarget(name: "HousingFund", dependencies: ["HoushiRuntime"], path: "Services/HousingFund"),

        // The load, chaos and benchmark tool (deploy/local/chaos, deploy/local/bench).
        .executableTarget(name: "HoushiLoad",
                          dependencies: ["HoushiRuntime", "HoushiHTTPClient",
                                         .product(name: "Histogram", package: "hdrhistogram-swift"),
                                         .product(name: "NIOPosix", package: "swift-nio")],
                          path: "Tests/Load"),

        .testTarget(name: "ContractTests", dependencies: ["HoushiContract"], path: "Tests/ContractTests",
                    exclude: ["validate_fixtures.py"],
                    resources: [.copy("Fixtures")]),
        .testTarget(name: "WebTests", dependencies: ["HoushiWeb", "HoushiContract"], path: "Tests/WebTests"),
        .testTarget(name: "RuntimeTests", dependencies: ["HoushiRuntime", "HoushiMessaging"], path: "Tests/RuntimeTests"),
        .testTarget(name: "IntakeTests",
                    dependencies: ["Intake", "HoushiWeb", .product(name: "NIOEmbedded", package: "swift-nio"),
                                   .product(name: "MultipartKit", package: "multipart-kit"),
                                   .product(name: "Crypto", package: "swift-crypto")],
                    path: "Tests/IntakeTests"),
        .testTarget(name: "CivilAffairsTests",
                    dependencies: ["CivilAffairs", "HoushiContract", "HoushiWeb", .product(name: "NIOCore", package: "swift-nio")],
                    path: "Tests/CivilAffairsTests"),
        .testTarget(name: "SocialSecurityTests", dependencies: ["SocialSecurity", "HoushiContract", "HoushiRuntime"],
                    path: "Tests/SocialSecurityTests"),
        .testTarget(name: "HousingFundTests", dependencies: ["HousingFund", "HoushiContract", "HoushiRuntime"],
                    path: "Tests/HousingFundTests"),
        .testTarget(name: "PublicSecurityTests", dependencies: ["PublicSecurity", "HoushiContract", "HoushiRuntime"],
                    path: "Tests/PublicSecurityTests"),
        .testTarget(name: "HTTPClientTests",
                    dependencies: ["HoushiHTTPClient", .product(name: "Hummingbird", package: "hummingbird"),
                                   .product(name: "Logging", package: "swift-log")],
                    path: "Tests/HTTPClientTests"),
        .testTarget(name: "IntegrationTests",
                    dependencies: ["HoushiRuntime", "HoushiContract", "HoushiMessaging", "HoushiStorage", "HoushiHTTPClient",
                                   .product(name: "Crypto", package: "swift-crypto")],
                    path: "Tests/IntegrationTests", exclude: ["Support/sms_sink.py"]),
    ],
    swiftLanguageModes: [.v6]
)
