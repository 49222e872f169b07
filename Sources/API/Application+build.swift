import Hummingbird
import Ingestion
import Logging
import Migrations
import Postgres
import ServiceLifecycle

/// Builds the whole service: the connection pool, the routes, and the services run beside the server.
/// `advocacy serve` and the tests both call this, so what is tested is what runs.
public func buildApplication(_ settings: AppSettings) throws -> some ApplicationProtocol {
    var logger = Logger(label: "advocacy")
    logger.logLevel = settings.logLevel
    let sql = try SQLSource.locate(explicit: settings.sqlDirectory).load()
    var primary = settings.database
    primary.name = "primary"
    let pool = ConnectionPool(configuration: primary, logger: logger)
    var ingestion = settings.database
    ingestion.name = "ingestion"
    ingestion.size = settings.ingestionConnections
    ingestion.connection.applicationName += "-ingest"
    let ingestionPool = ConnectionPool(configuration: ingestion, logger: logger)
    var reads = settings.readDatabase ?? settings.database
    reads.connection.readOnly = true
    reads.name = "read"
    if settings.readDatabase == nil { reads.connection.applicationName += "-read" }
    let readPool = ConnectionPool(configuration: reads, logger: logger)
    let router = buildRouter(
        settings, pool: pool, ingestionPool: ingestionPool, readPool: readPool, migrator: Migrator(tree: sql, logger: logger), logger: logger
    )
    var app = Application(
        router: router,
        configuration: .init(address: .hostname(settings.host, port: settings.port), serverName: "advocacy"),
        logger: logger
    )
    // Services stop in reverse order: the server finishes its requests before the pool closes.
    app.addServices(
        ConnectionPoolService(pool: pool), ConnectionPoolService(pool: ingestionPool), ConnectionPoolService(pool: readPool),
        RollupMaintenanceService(pool: pool, logger: logger),
        RetentionService(pool: pool, logger: logger, retention: settings.rejectionRetention)
    )
    return app
}

/// - Parameters:
///   - pool: the primary's connections: authentication, sessions, keys, erasure, every write but ingestion.
///   - ingestionPool: the connections that store ingested batches (`AppSettings.ingestionConnections`).
///   - readPool: the READ ONLY connections of the KPI reads and the dashboards (a standby, or the primary).
func buildRouter(
    _ settings: AppSettings, pool: ConnectionPool, ingestionPool: ConnectionPool, readPool: ConnectionPool, migrator: Migrator,
    logger: Logger
) -> Router<AppRequestContext> {
    let router = Router(context: AppRequestContext.self)
    let served = RouteTable()
    router.addMiddleware {
        RequestObservationMiddleware()
        ClientMiddleware(proxies: settings.trustedProxies)
        SecurityHeadersMiddleware()
        ErrorMiddleware()
        MethodNotAllowedMiddleware(table: served)
    }
    router.addRoutes(HealthController(pool: pool, migrator: migrator).endpoints)
    router.addRoutes(OpenAPIController().endpoints)
    // One limiter for keys and sessions, API and dashboards: a guesser cannot switch doors.
    let credentials = Credentials(pool: pool, limiter: FailureLimiter(maximumFailures: settings.authenticationFailureLimit), sessions: settings.sessions)
    let lag = ReplicaLag(pool: readPool)
    router.addRoutes(DashboardController(pool: pool, reads: readPool, lag: lag, credentials: credentials).endpoints)

    // Everything under /v1 acts for the organisation of the caller's API key.
    let v1 = router.group("v1").add(middleware: APIKeyAuthenticator(credentials: credentials))
    let store = EventStore(pool: ingestionPool, validator: EventValidator(futureTolerance: settings.futureTolerance, earliest: settings.earliestDate), logger: logger)
    v1.addRoutes(EventsController(store: store, limits: settings.ingestionLimits, pool: pool).endpoints)
    v1.addRoutes(LinksController(pool: pool).endpoints)
    v1.addRoutes(KeysController(pool: pool).endpoints)
    v1.addRoutes(OrganizationController(pool: pool).endpoints)
    v1.addRoutes(ErasureController(pool: pool).endpoints)
    // The KPI reads: from the read pool, saying how far behind the primary its data is.
    let reading = v1.group().add(middleware: ReplicaLagMiddleware(lag: lag))
    reading.addRoutes(KPIController(pool: readPool).endpoints)
    reading.addRoutes(SSIController(pool: pool, reads: readPool).endpoints)
    reading.addRoutes(SSIChallengesController(pool: pool, reads: readPool).endpoints)
    reading.addRoutes(MeController(reads: readPool).endpoints)
    reading.addRoutes(ListsController(pool: readPool).endpoints)
    served.record(router.routes.map { (path: $0.path.description, method: $0.method.rawValue) })
    return router
}
