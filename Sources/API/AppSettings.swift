import Logging
import Postgres

/// Everything the server needs to start; the command line fills it from flags and the environment.
public struct AppSettings: Sendable {
    public var host: String
    public var port: Int
    public var database: ConnectionPool.Configuration
    /// The `SQL/migrations` folder: `/ready` reports whether all of it is applied.
    public var migrationsDirectory: String?
    public var logLevel: Logger.Level

    public init(
        host: String = "127.0.0.1",
        port: Int = 8080,
        database: ConnectionPool.Configuration,
        migrationsDirectory: String? = nil,
        logLevel: Logger.Level = .info
    ) {
        self.host = host
        self.port = port
        self.database = database
        self.migrationsDirectory = migrationsDirectory
        self.logLevel = logLevel
    }
}
