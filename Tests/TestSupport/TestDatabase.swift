import Access
import Foundation
import Logging
import Migrations
import Postgres

/// The PostgreSQL every test uses: a database created afresh for this test run and migrated once.
///
/// `DATABASE_URL` (set by `Deploy/test`) names a server and a database we may connect to; the tests
/// work in a database of their own beside it, `advocacy_test`, dropped and recreated at the start.
/// Tests run in parallel, so each one works in an organisation of its own.
public enum TestDatabase {
    public static let name = "advocacy_test"

    /// The URL of the server's maintenance connection, from the environment.
    public static var serverURL: String {
        get throws {
            guard let url = ProcessInfo.processInfo.environment["DATABASE_URL"], !url.isEmpty else {
                throw TestSetupError(message: "DATABASE_URL is not set: run the tests with Deploy/test")
            }
            return url
        }
    }

    /// The `SQL` folder of this checkout.
    public static let sqlDirectory = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("SQL").path

    public static let logger: Logger = {
        var logger = Logger(label: "tests")
        logger.logLevel = .warning
        return logger
    }()

    private static let ready = Task<String, any Error> {
        let url = try await recreate(named: name)
        let pool = ConnectionPool(configuration: .init(connection: .init(conninfo: url), size: 1), logger: logger)
        let sql = try SQLSource(directory: URL(fileURLWithPath: sqlDirectory)).load()
        try await Migrator(tree: sql, logger: logger).migrate(on: pool)
        await pool.close()
        return url
    }

    /// The URL of the migrated test database.
    public static var url: String {
        get async throws { try await ready.value }
    }

    /// A new pool on the migrated test database; close it at the end of the test.
    /// - Parameter role: act as this role (`advocacy_service`: bound by row-level security, as `serve` is).
    public static func makePool(size: Int = 4, statementTimeout: Duration? = nil, role: String? = nil) async throws -> ConnectionPool {
        let settings = PostgresConnection.Settings(conninfo: try await url, statementTimeout: statementTimeout, role: role)
        return ConnectionPool(configuration: .init(connection: settings, size: size), logger: logger)
    }

    /// Drops and creates an empty database named `name` on the test server. - Returns: its URL.
    public static func recreate(named name: String) async throws -> String {
        let admin = try PostgresConnection.connect(.init(conninfo: try serverURL))
        defer { admin.close() }
        try admin.execute("DROP DATABASE IF EXISTS \(name) WITH (FORCE)")
        try admin.execute("CREATE DATABASE \(name)")
        return try url(of: serverURL, database: name)
    }

    /// The same server with another database: the path of a URL, or a `dbname` keyword of a conninfo string.
    public static func url(of url: String, database: String) throws -> String {
        if url.hasPrefix("postgres://") || url.hasPrefix("postgresql://") {
            guard var components = URLComponents(string: url) else {
                throw TestSetupError(message: "DATABASE_URL is not a valid URL")
            }
            components.path = "/" + database
            guard let result = components.string else { throw TestSetupError(message: "cannot rebuild DATABASE_URL") }
            return result
        }
        return url + " dbname=\(database)"
    }

    /// Runs `body` with a fresh pool, closing it afterwards whatever happens.
    public static func withPool<T: Sendable>(
        size: Int = 4, statementTimeout: Duration? = nil, role: String? = nil, _ body: (ConnectionPool) async throws -> T
    ) async throws -> T {
        let pool = try await makePool(size: size, statementTimeout: statementTimeout, role: role)
        do {
            let value = try await body(pool)
            await pool.close()
            return value
        } catch {
            await pool.close()
            throw error
        }
    }

    /// Creates an organisation with a unique slug, so parallel tests never see each other's rows.
    public static func makeOrganization(on pool: ConnectionPool, prefix: String = "test") async throws -> UUID {
        let slug = "\(prefix)-\(UUID().uuidString.lowercased().prefix(18))"
        return try await pool.withConnection { try Organizations.create(.init(slug: slug, name: "Test organisation \(slug)"), on: $0) }
    }
}

extension TestDatabase {
    /// How many content items each organisation holds (for isolation tests).
    public static func countContent(_ organizations: UUID...) throws -> [Int] {
        try organizations.map { organization in
            let connection = try PostgresConnection.connect(.init(conninfo: try testURL()))
            return try connection.query("SELECT count(*) FROM core.content_items WHERE organization_id = $1", [organization])[0]
                .decode(Int.self, at: 0)
        }
    }

    /// The test database's URL, synchronously (after `url` has been awaited once).
    static func testURL() throws -> String { try url(of: serverURL, database: name) }
}

public struct TestSetupError: Error, CustomStringConvertible {
    public let message: String

    public init(message: String) {
        self.message = message
    }

    public var description: String { message }
}
