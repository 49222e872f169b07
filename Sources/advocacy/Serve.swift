import API
import Access
import ArgumentParser
import Hummingbird
import Ingestion
import Logging
import Migrations
import Postgres
import ServiceLifecycle
import Telemetry

struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Run the HTTP service until SIGTERM or SIGINT.")

    @Option(help: "Address to listen on [env: HTTP_HOST] (default: 127.0.0.1)")
    var host: String?

    @Option(help: "Port to listen on [env: HTTP_PORT] (default: 8080)")
    var port: Int?

    @Option(help: "Largest request body of POST /v1/events, in bytes [env: INGEST_MAX_BODY_BYTES] (default: 10485760)")
    var maxBodyBytes: Int?

    @Option(help: "Most events in one request [env: INGEST_MAX_EVENTS] (default: 10000)")
    var maxEvents: Int?

    @Option(help: "Largest single event, in bytes [env: INGEST_MAX_EVENT_BYTES] (default: 32768)")
    var maxEventBytes: Int?

    @Option(help: "How far ahead of the server's clock a timestamp may be [env: INGEST_FUTURE_TOLERANCE_SECONDS] (default: 3600)")
    var futureToleranceSeconds: Int?

    @Option(help: "Connections that store ingested batches, apart from the pool's [env: INGEST_CONNECTIONS] (default: 4)")
    var ingestConnections: Int?

    @Option(help: "Role the service acts as: owns nothing, bound by row-level security [env: DATABASE_SERVICE_ROLE] (default: advocacy_service; empty: the connecting user)")
    var serviceRole: String?

    @Option(help: "Reverse proxies whose X-Forwarded-For/-Proto are believed: addresses or CIDR ranges, comma-separated [env: TRUSTED_PROXIES] (default: none)")
    var trustedProxies: String?

    @Option(help: "Longest a dashboard session lasts, in minutes [env: SESSION_LIFETIME_MINUTES] (default: 480)")
    var sessionLifetimeMinutes: Int?

    @Option(help: "Dashboard sessions end after this many minutes without a request [env: SESSION_IDLE_MINUTES] (default: 60)")
    var sessionIdleMinutes: Int?

    @Option(help: "Days refused items are kept before they are deleted [env: REJECTION_RETENTION_DAYS] (default: 90)")
    var rejectionRetentionDays: Int?

    @Option(help: "Failed authentications from one address, or with one key id, within a minute before it waits a minute (429) [env: AUTH_FAILURE_LIMIT] (default: 10)")
    var authFailureLimit: Int?

    @Option(help: "Where GET /metrics listens, host:port or off; not behind API keys, so loopback by default [env: METRICS_ADDRESS] (default: 127.0.0.1:9464)")
    var metricsAddress: String?

    @Option(help: "On SIGTERM, how long requests in flight may take to finish before they are cut [env: SHUTDOWN_GRACE_SECONDS] (default: 30)")
    var shutdownGraceSeconds: Int?

    @OptionGroup var earliest: EarliestDateOption
    @OptionGroup var database: DatabaseOptions
    @OptionGroup var logging: LoggingOptions

    func run() async throws {
        let logger = try logging.makeLogger(label: "advocacy")
        func setting(_ flag: Int?, _ variable: String, _ fallback: Int) throws -> Int {
            let value = try flag ?? environment(variable).map { try parseInt($0, variable) } ?? fallback
            guard value > 0 else { throw ValidationError("\(variable) must be positive, not \(value)") }
            return value
        }
        let limits = IngestionLimits(
            maxBodyBytes: try setting(maxBodyBytes, "INGEST_MAX_BODY_BYTES", 10 << 20),
            maxEvents: try setting(maxEvents, "INGEST_MAX_EVENTS", 10_000),
            maxEventBytes: try setting(maxEventBytes, "INGEST_MAX_EVENT_BYTES", 32 << 10)
        )
        let role = (serviceRole ?? environment("DATABASE_SERVICE_ROLE") ?? "advocacy_service").nilIfEmpty
        let settings = AppSettings(
            host: host ?? environment("HTTP_HOST") ?? "127.0.0.1",
            port: try port ?? environment("HTTP_PORT").map { try parseInt($0, "HTTP_PORT") } ?? 8080,
            database: try database.poolConfiguration(applicationName: "advocacy-serve", role: role),
            readDatabase: try database.readPoolConfiguration(applicationName: "advocacy-serve-read", role: role),
            sqlDirectory: database.resolvedSQLDirectory,
            logLevel: logger.logLevel,
            ingestionLimits: limits,
            futureTolerance: Double(try setting(futureToleranceSeconds, "INGEST_FUTURE_TOLERANCE_SECONDS", 3600)),
            earliestDate: try earliest.resolved(),
            ingestionConnections: try setting(ingestConnections, "INGEST_CONNECTIONS", 4),
            trustedProxies: try TrustedProxies(parsing: trustedProxies ?? environment("TRUSTED_PROXIES") ?? ""),
            sessions: Sessions.Settings(
                lifetime: .seconds(60 * (try setting(sessionLifetimeMinutes, "SESSION_LIFETIME_MINUTES", 480))),
                idle: .seconds(60 * (try setting(sessionIdleMinutes, "SESSION_IDLE_MINUTES", 60)))
            ),
            rejectionRetention: .seconds(86_400 * (try setting(rejectionRetentionDays, "REJECTION_RETENTION_DAYS", 90))),
            authenticationFailureLimit: try setting(authFailureLimit, "AUTH_FAILURE_LIMIT", 10)
        )
        // nil when set to `off`; the default when not set at all.
        let metrics: MetricsAddress? = try (metricsAddress ?? environment("METRICS_ADDRESS")).map(MetricsAddress.parse) ?? .default
        let grace = try setting(shutdownGraceSeconds, "SHUTDOWN_GRACE_SECONDS", 30)

        try await requireCurrentSchema(settings, logger: logger)
        MetricsExport.bootstrap()
        MetricsExport.recordBuild(version: Advocacy.version, commit: buildCommit)
        var services: [any Service] = []
        if let metrics {
            services.append(buildMetricsApplication(host: metrics.host, port: metrics.port, logger: logger))
            logger.info("metrics at http://\(metrics.host.contains(":") ? "[\(metrics.host)]" : metrics.host):\(metrics.port)/metrics")
        }
        // Last in, first out: on SIGTERM the API stops taking requests and finishes those in flight first.
        services.append(try buildApplication(settings))
        var configuration = ServiceGroupConfiguration(services: services, gracefulShutdownSignals: [.sigterm, .sigint], logger: logger)
        configuration.maximumGracefulShutdownDuration = .seconds(grace)
        try await ServiceGroup(configuration: configuration).run()
    }

    /// Refuses to start on a database migrated by another build: older (run `advocacy migrate`) or newer.
    private func requireCurrentSchema(_ settings: AppSettings, logger: Logger) async throws {
        let sql = try SQLSource.locate(explicit: settings.sqlDirectory).load()
        var check = settings.database
        check.size = 1
        let pool = ConnectionPool(configuration: check, logger: logger)
        do {
            try await Migrator(tree: sql, logger: logger).requireCurrent(on: pool)
            await pool.close()
        } catch {
            await pool.close()
            if let error = error as? PostgresError {
                throw StartupRefused(reason: "the database cannot be checked: \(error.message)"
                    + (error.sqlState == "22023" ? " (the service role is made by `advocacy migrate`: run it first)" : ""))
            }
            throw StartupRefused(reason: "\(error)")
        }
    }
}

/// Why `serve` did not start: printed as it is, without the usage text of a mistyped flag.
struct StartupRefused: Error, CustomStringConvertible {
    let reason: String

    var description: String { "not starting: \(reason)" }
}
