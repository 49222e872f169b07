import Ingestion
import Logging
import Postgres

extension AppSettings {
    public typealias Limits = IngestionLimits
}

/// Everything the server needs to start; the command line fills it from flags and the environment.
public struct AppSettings: Sendable {
    public var host: String
    public var port: Int
    public var database: ConnectionPool.Configuration
    /// The `SQL/migrations` folder: `/ready` reports whether all of it is applied.
    public var migrationsDirectory: String?
    public var logLevel: Logger.Level
    /// Request limits of `POST /v1/events`.
    public var ingestionLimits: IngestionLimits
    /// How far in the future an event's timestamps may be, in seconds.
    public var futureTolerance: Double

    public init(
        host: String = "127.0.0.1",
        port: Int = 8080,
        database: ConnectionPool.Configuration,
        migrationsDirectory: String? = nil,
        logLevel: Logger.Level = .info,
        ingestionLimits: IngestionLimits = IngestionLimits(),
        futureTolerance: Double = 3600
    ) {
        self.ingestionLimits = ingestionLimits
        self.futureTolerance = futureTolerance
        self.host = host
        self.port = port
        self.database = database
        self.migrationsDirectory = migrationsDirectory
        self.logLevel = logLevel
    }
}
