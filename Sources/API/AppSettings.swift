import Access
import Foundation
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
    /// The primary: authentication, ingestion, maintenance, every write.
    public var database: ConnectionPool.Configuration
    /// Where the KPI reads and the dashboards go (a standby, or the primary), READ ONLY; nil: `database`'s URL.
    public var readDatabase: ConnectionPool.Configuration?
    /// The `SQL` folder: `/ready` reports whether its migrations and definitions are all applied.
    public var sqlDirectory: String?
    public var logLevel: Logger.Level
    /// Request limits of `POST /v1/events`.
    public var ingestionLimits: IngestionLimits
    /// How far in the future an event's timestamps may be, in seconds.
    public var futureTolerance: Double
    /// Timestamps and dates before this time (midnight UTC of a day) are refused.
    public var earliestDate: Date
    /// Connections that store ingested batches, apart from `database`'s: writing a batch is the database's
    /// CPU work, and more batches at once than it has cores to spare only contend for the same index pages;
    /// the reads (dashboards, KPIs) keep their own connections whatever the ingestion load.
    public var ingestionConnections: Int
    /// The reverse proxies whose X-Forwarded-For and X-Forwarded-Proto are believed (none by default).
    public var trustedProxies: TrustedProxies
    /// How long dashboard sessions last, in all and without a request.
    public var sessions: Sessions.Settings
    /// How long refused items (raw bytes that may name people) are kept.
    public var rejectionRetention: Duration
    /// Failed authentications a client address, or a key id given a wrong secret, may make within a minute
    /// before its attempts wait a minute (429).
    public var authenticationFailureLimit: Int

    public init(
        host: String = "127.0.0.1",
        port: Int = 8080,
        database: ConnectionPool.Configuration,
        readDatabase: ConnectionPool.Configuration? = nil,
        sqlDirectory: String? = nil,
        logLevel: Logger.Level = .info,
        ingestionLimits: IngestionLimits = IngestionLimits(),
        futureTolerance: Double = 3600,
        earliestDate: Date = EventValidator.defaultEarliest,
        ingestionConnections: Int = 4,
        trustedProxies: TrustedProxies = TrustedProxies(),
        sessions: Sessions.Settings = Sessions.Settings(),
        rejectionRetention: Duration = .seconds(90 * 86_400),
        authenticationFailureLimit: Int = 10
    ) {
        self.authenticationFailureLimit = authenticationFailureLimit
        self.rejectionRetention = rejectionRetention
        self.trustedProxies = trustedProxies
        self.sessions = sessions
        self.ingestionConnections = ingestionConnections
        self.ingestionLimits = ingestionLimits
        self.futureTolerance = futureTolerance
        self.earliestDate = earliestDate
        self.host = host
        self.port = port
        self.database = database
        self.readDatabase = readDatabase
        self.sqlDirectory = sqlDirectory
        self.logLevel = logLevel
    }
}
