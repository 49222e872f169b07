import ArgumentParser
import Foundation
import Ingestion
import API
import Logging
import Postgres
import Telemetry

/// Settings are read here and only here: each flag falls back to an environment variable, then a default.
func environment(_ name: String) -> String? {
    ProcessInfo.processInfo.environment[name].flatMap { $0.isEmpty ? nil : $0 }
}

struct DatabaseOptions: ParsableArguments {
    @Option(name: .customLong("database-url"), help: "postgres:// URL or libpq conninfo string [env: DATABASE_URL]")
    var url: String?

    @Option(name: .customLong("pool-size"), help: "Connections (and threads) in the pool; serve's background work holds up to 3 of them [env: DATABASE_POOL_SIZE] (default: 8)")
    var poolSize: Int?

    @Option(
        name: .customLong("statement-timeout-ms"),
        help: "Cancel statements running longer than this [env: DATABASE_STATEMENT_TIMEOUT_MS] (default: 30000; 0 = none)"
    )
    var statementTimeoutMilliseconds: Int?

    @Option(
        name: .customLong("read-database-url"),
        help: "Where reads go: a URL or conninfo, e.g. a multi-host one with target_session_attrs=prefer-standby [env: READ_DATABASE_URL] (default: the database URL)"
    )
    var readURL: String?

    @Option(name: .customLong("sql"), help: "The SQL folder (schema/ and definitions/) [env: SQL_DIR] (default: found from here)")
    var sqlDirectory: String?

    var resolvedSQLDirectory: String? { sqlDirectory ?? environment("SQL_DIR") }

    /// The pool that writes (ingestion, maintenance, keys, migrations): always on a primary, so
    /// `target_session_attrs=read-write` is added unless the URL names its own.
    /// - Parameter role: the role to act as after connecting (the service's, bound by row-level security).
    func poolConfiguration(applicationName: String, role: String? = nil) throws -> ConnectionPool.Configuration {
        guard let given = url ?? environment("DATABASE_URL") else {
            throw ValidationError(
                "no database given: set DATABASE_URL or pass --database-url (Deploy/db start prints one)"
            )
        }
        return try configuration(
            PostgresConnection.Settings.conninfo(given, adding: "target_session_attrs", "read-write"),
            applicationName: applicationName, role: role, readOnly: false
        )
    }

    /// The pool that reads (KPIs, dashboards): `READ_DATABASE_URL` as given (a standby, or the primary when
    /// none is up), every transaction READ ONLY.
    func readPoolConfiguration(applicationName: String, role: String?) throws -> ConnectionPool.Configuration {
        guard let given = readURL ?? environment("READ_DATABASE_URL") ?? url ?? environment("DATABASE_URL") else {
            throw ValidationError("no database given: set DATABASE_URL or pass --database-url (Deploy/db start prints one)")
        }
        return try configuration(given, applicationName: applicationName, role: role, readOnly: true)
    }

    private func configuration(_ conninfo: String, applicationName: String, role: String?, readOnly: Bool) throws
        -> ConnectionPool.Configuration
    {
        let size = try poolSize ?? environment("DATABASE_POOL_SIZE").map { try parseInt($0, "DATABASE_POOL_SIZE") } ?? 8
        guard (1...200).contains(size) else { throw ValidationError("the pool size must be 1 to 200, not \(size)") }
        let timeout = try statementTimeoutMilliseconds
            ?? environment("DATABASE_STATEMENT_TIMEOUT_MS").map { try parseInt($0, "DATABASE_STATEMENT_TIMEOUT_MS") }
            ?? 30_000
        guard timeout >= 0 else { throw ValidationError("the statement timeout cannot be negative") }
        return ConnectionPool.Configuration(
            connection: .init(
                conninfo: conninfo,
                statementTimeout: timeout == 0 ? nil : .milliseconds(timeout),
                applicationName: applicationName,
                role: role,
                readOnly: readOnly
            ),
            size: size
        )
    }
}

struct EarliestDateOption: ParsableArguments {
    @Option(name: .customLong("earliest-date"), help: "Refuse timestamps and dates before this day, YYYY-MM-DD [env: EARLIEST_DATE] (default: 2000-01-01)")
    var earliestDate: String?

    /// Midnight UTC of the earliest accepted day.
    func resolved() throws -> Date {
        guard let text = earliestDate ?? environment("EARLIEST_DATE") else { return EventValidator.defaultEarliest }
        guard let date = EventValidator.midnight(of: text) else {
            throw ValidationError("EARLIEST_DATE must be a date written YYYY-MM-DD, not \"\(text)\"")
        }
        return date
    }
}

struct LoggingOptions: ParsableArguments {
    @Option(name: .customLong("log-level"), help: "trace, debug, info, notice, warning, error [env: LOG_LEVEL] (default: info)")
    var level: String?

    @Option(name: .customLong("log-format"), help: "text, or json: one object a line [env: LOG_FORMAT] (default: text)")
    var format: String?

    /// Sets the process's log format and level (once, at start-up) and returns the command's logger.
    func makeLogger(label: String) throws -> Logger {
        let name = level ?? environment("LOG_LEVEL") ?? "info"
        guard let level = Logger.Level(rawValue: name) else {
            throw ValidationError("unknown log level \"\(name)\"")
        }
        let formatName = format ?? environment("LOG_FORMAT") ?? "text"
        guard let format = LogFormat(rawValue: formatName) else {
            throw ValidationError("LOG_FORMAT must be text or json, not \"\(formatName)\"")
        }
        format.bootstrap(level: level)
        var logger = Logger(label: label)
        logger.logLevel = level
        return logger
    }
}

/// Where `GET /metrics` listens: `host:port` (`[::1]:9464` for IPv6), or `off`.
struct MetricsAddress: Equatable {
    let host: String
    let port: Int

    static let `default` = MetricsAddress(host: "127.0.0.1", port: 9464)

    /// nil for `off`.
    static func parse(_ text: String) throws -> MetricsAddress? {
        if text == "off" { return nil }
        let invalid = ValidationError("METRICS_ADDRESS must be host:port (e.g. 127.0.0.1:9464, [::1]:9464) or off, not \"\(text)\"")
        guard let colon = text.lastIndex(of: ":") else { throw invalid }
        var host = String(text[..<colon])
        if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        guard !host.isEmpty, let port = Int(text[text.index(after: colon)...]), (0...65_535).contains(port) else { throw invalid }
        return MetricsAddress(host: host, port: port)
    }
}

func parseInt(_ text: String, _ name: String) throws -> Int {
    guard let value = Int(text) else { throw ValidationError("\(name) must be a whole number, not \"\(text)\"") }
    return value
}

extension String {
    var nilIfEmpty: String? { isEmpty ? nil : self }
}

extension TrustedProxies {
    /// A comma-separated list of addresses and CIDR ranges; empty: none.
    init(parsing list: String) throws {
        let items = list.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        self.init(try items.map { item in
            guard let range = AddressRange(item) else {
                throw ValidationError("TRUSTED_PROXIES: \"\(item)\" is not an IP address or a CIDR range such as 10.0.0.0/8")
            }
            return range
        })
    }
}
