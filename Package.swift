// swift-tools-version: 6.0
import PackageDescription

// Data flows one way: HTTP (API) -> ingestion -> SQL -> computation -> HTTP.
// Every module below reaches PostgreSQL only through `Postgres`, our libpq client.
let package = Package(
    name: "advocacy-kpi",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "advocacy", targets: ["advocacy"]),
        .executable(name: "ingest-benchmark", targets: ["ingest-benchmark"]),
        .executable(name: "kpi-benchmark", targets: ["kpi-benchmark"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.37.0"),
        .package(url: "https://github.com/apple/swift-http-types.git", from: "1.8.0"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
    ],
    targets: [
        // libpq, the PostgreSQL C client library, found through pkg-config.
        .systemLibrary(
            name: "CLibPQ",
            pkgConfig: "libpq",
            providers: [.apt(["libpq-dev"])]
        ),
        // The PostgreSQL client: connections, a bounded pool on a dedicated thread pool, COPY, typed rows.
        .target(
            name: "Postgres",
            dependencies: [
                "CLibPQ",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ]
        ),
        // The words shared with the SQL, defined once: networks, channels, stages, granularities, rankings...
        .target(name: "Vocabulary"),
        // Applies SQL/schema (versioned, once each) then SQL/definitions (one object per file), under an advisory lock.
        .target(
            name: "Migrations",
            dependencies: ["Postgres", .product(name: "Logging", package: "swift-log")]
        ),
        // What an operator watches: structured (JSON) logs and the Prometheus registry behind GET /metrics.
        .target(
            name: "Telemetry",
            dependencies: [
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ]
        ),
        // Organisations, API keys with scopes, the audit log, erasure.
        .target(
            name: "Access",
            dependencies: ["Postgres", "Vocabulary"]
        ),
        // The write path: parse and validate event batches, refuse with typed reasons, store exactly once.
        .target(
            name: "Ingestion",
            dependencies: [
                "Postgres",
                "Vocabulary",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
            ]
        ),
        // The read path: periods, the KPIs computed by the kpi functions of SQL/definitions, shaped as JSON and CSV.
        .target(
            name: "Computation",
            dependencies: ["Postgres", "Vocabulary"]
        ),
        // Deterministic demo organisation, bulk-loaded through COPY.
        .target(
            name: "DemoData",
            dependencies: ["Access", "Postgres", "Vocabulary", .product(name: "Logging", package: "swift-log")]
        ),
        // The HTTP server: buildApplication, routes, middleware.
        .target(
            name: "API",
            dependencies: [
                "Access",
                "Computation",
                "Dashboards",
                "Ingestion",
                "Postgres",
                "Migrations",
                "Telemetry",
                "Vocabulary",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            resources: [.copy("Resources/openapi.yaml")]
        ),
        // The command line: serve, migrate, seed-demo.
        // Dashboards in the browser: server-rendered HTML and SVG from the same answers as the API.
        .target(name: "Dashboards", dependencies: ["Computation", "Postgres", "Vocabulary"]),
        .executableTarget(
            name: "advocacy",
            dependencies: [
                "API",
                "Access",
                "Computation",
                "DemoData",
                "Ingestion",
                "Migrations",
                "Postgres",
                "Telemetry",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            plugins: ["BuildInfo"]
        ),
        // Gives `advocacy --version` the git commit of the checkout it was built from.
        .plugin(name: "BuildInfo", capability: .buildTool()),
        // Benchmarks: each prints ratios against a baseline measured in the same run.
        .target(
            name: "BenchmarkSupport",
            dependencies: [.product(name: "AsyncHTTPClient", package: "async-http-client")]
        ),
        // Events over HTTP against psql \copy of the same rows.
        .executableTarget(
            name: "ingest-benchmark",
            dependencies: [
                "Access",
                "BenchmarkSupport",
                "Postgres",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
            ]
        ),
        // KPI endpoints' latency against the same KPIs computed by SQL straight from the raw tables.
        .executableTarget(
            name: "kpi-benchmark",
            dependencies: [
                "Access",
                "BenchmarkSupport",
                "Postgres",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
            ]
        ),

        // Shared test helpers: a fresh, migrated test database from DATABASE_URL; the application on it.
        .target(
            name: "TestSupport",
            dependencies: [
                "API",
                "Access",
                "Migrations",
                "Postgres",
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
            ],
            path: "Tests/TestSupport"
        ),
        .testTarget(name: "VocabularyTests", dependencies: ["Postgres", "TestSupport", "Vocabulary"]),
        .testTarget(name: "PostgresTests", dependencies: ["Postgres", "TestSupport"]),
        .testTarget(name: "MigrationsTests", dependencies: ["Migrations", "Postgres", "TestSupport"], exclude: ["Fixtures"]),
        .testTarget(
            name: "AccessTests",
            dependencies: ["API", "Access", "Migrations", "Postgres", "TestSupport", .product(name: "HummingbirdTesting", package: "hummingbird")]
        ),
        .testTarget(name: "IngestionTests", dependencies: ["Ingestion", "Postgres", "TestSupport"]),
        .testTarget(name: "ComputationTests", dependencies: ["Computation", "DemoData", "Ingestion", "Migrations", "Postgres", "TestSupport", "Vocabulary"]),
        .testTarget(name: "DemoDataTests", dependencies: ["DemoData", "Postgres", "TestSupport"]),
        .testTarget(
            name: "DashboardsTests",
            dependencies: ["API", "Access", "Dashboards", "TestSupport", .product(name: "HummingbirdTesting", package: "hummingbird")]
        ),
        .testTarget(
            name: "APITests",
            dependencies: [
                "API",
                "Dashboards",
                "Telemetry",
                "TestSupport",
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
            ]
        ),
    ],
    swiftLanguageModes: [.v6]
)
