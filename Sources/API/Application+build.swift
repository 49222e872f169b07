import Hummingbird
import Ingestion
import Logging
import Migrations
import Postgres
import ServiceLifecycle

/// The request context of every route; a richer one (the caller's organisation and scopes) replaces it here.
public typealias AppRequestContext = BasicRequestContext

/// Builds the whole service: the connection pool, the routes, and the services run beside the server.
/// `advocacy serve` and the tests both call this, so what is tested is what runs.
public func buildApplication(_ settings: AppSettings) throws -> some ApplicationProtocol {
    var logger = Logger(label: "advocacy")
    logger.logLevel = settings.logLevel
    let migrations = try MigrationSource.locate(explicit: settings.migrationsDirectory).load()
    let pool = ConnectionPool(configuration: settings.database, logger: logger)
    let router = buildRouter(settings, pool: pool, migrator: Migrator(migrations: migrations, logger: logger), logger: logger)
    var app = Application(
        router: router,
        configuration: .init(address: .hostname(settings.host, port: settings.port), serverName: "advocacy"),
        logger: logger
    )
    // Services stop in reverse order: the server finishes its requests before the pool closes.
    app.addServices(ConnectionPoolService(pool: pool))
    return app
}

func buildRouter(_ settings: AppSettings, pool: ConnectionPool, migrator: Migrator, logger: Logger) -> Router<AppRequestContext> {
    let router = Router(context: AppRequestContext.self)
    router.addMiddleware {
        LogRequestsMiddleware(.info)
        MetricsMiddleware()
        ErrorMiddleware()
    }
    router.addRoutes(HealthController(pool: pool, migrator: migrator).endpoints)
    router.addRoutes(OpenAPIController().endpoints)

    let organizations = OrganizationDirectory(pool: pool)
    let store = EventStore(pool: pool, validator: EventValidator(futureTolerance: settings.futureTolerance), logger: logger)
    router.addRoutes(
        EventsController(store: store, organizations: organizations, limits: settings.ingestionLimits, pool: pool).endpoints,
        atPath: "v1"
    )
    router.addRoutes(LinksController(organizations: organizations, pool: pool).endpoints, atPath: "v1")
    router.addRoutes(KPIController(organizations: organizations, pool: pool).endpoints, atPath: "v1")
    router.addRoutes(SSIController(organizations: organizations, pool: pool).endpoints, atPath: "v1")
    router.addRoutes(ListsController(organizations: organizations, pool: pool).endpoints, atPath: "v1")
    return router
}
