import Foundation
import Logging
import Postgres

/// Applies migrations in version order, each once, each in its own transaction, recording a checksum.
///
/// A session-level advisory lock serialises migrators, so several instances starting together are safe:
/// the first applies, the others wait and then find nothing to do. A migration that was applied and whose
/// file has changed since is refused: applied SQL is history, a change goes in a new migration.
public struct Migrator: Sendable {
    /// The advisory lock key: any constant the rest of the schema does not use.
    static let lockKey: Int64 = 0x4144_564F_4341_4359  // "ADVOCACY"

    public let migrations: [Migration]
    private let logger: Logger

    public init(migrations: [Migration], logger: Logger) {
        self.migrations = migrations
        self.logger = logger
    }

    public enum State: String, Sendable {
        case applied, pending, changed
    }

    public struct Status: Sendable {
        public let version: Int
        public let name: String
        public let state: State
    }

    /// Applies what is pending. - Returns: the migrations it applied.
    @discardableResult
    public func migrate(on pool: ConnectionPool) async throws -> [Migration] {
        let migrations = self.migrations
        let logger = self.logger
        return try await pool.withConnection { connection in
            try Self.migrate(migrations, on: connection, logger: logger)
        }
    }

    /// The state of every migration, known or recorded, without changing anything.
    public func status(on pool: ConnectionPool) async throws -> [Status] {
        let migrations = self.migrations
        return try await pool.withConnection { connection in
            try Self.status(of: migrations, on: connection)
        }
    }

    static func migrate(_ migrations: [Migration], on connection: PostgresConnection, logger: Logger) throws
        -> [Migration]
    {
        try connection.query("SELECT pg_advisory_lock($1)", [lockKey])
        defer { _ = try? connection.query("SELECT pg_advisory_unlock($1)", [lockKey]) }
        try connection.execute(
            """
            CREATE SCHEMA IF NOT EXISTS meta;
            CREATE TABLE IF NOT EXISTS meta.schema_migrations (
                version     integer PRIMARY KEY,
                name        text NOT NULL,
                checksum    text NOT NULL,          -- md5 of the file's text when it was applied
                applied_at  timestamptz NOT NULL DEFAULT now(),
                duration_ms integer NOT NULL
            );
            """
        )
        let statuses = try status(of: migrations, on: connection)
        if let changed = statuses.first(where: { $0.state == .changed }) {
            throw MigrationError(
                message: "migration \(changed.name) was applied, and its file has changed since",
                hint: "restore the file as it was and put the change in a new migration"
            )
        }
        let pending = Set(statuses.filter { $0.state == .pending }.map(\.version))
        var applied: [Migration] = []
        for migration in migrations where pending.contains(migration.version) {
            let start = ContinuousClock.now
            do {
                try connection.transaction { connection in
                    // A migration may backfill tables: it is not held to the statement timeout of requests.
                    try connection.execute("SET LOCAL statement_timeout = 0")
                    try connection.execute(migration.sql)
                    let elapsed = ContinuousClock.now - start
                    try connection.query(
                        """
                        INSERT INTO meta.schema_migrations (version, name, checksum, duration_ms)
                        VALUES ($1, $2, md5($3), $4)
                        """,
                        [migration.version, migration.name, migration.sql, Int(elapsed.components.seconds * 1000)]
                    )
                }
            } catch {
                throw MigrationError(message: "migration \(migration.name) failed and was rolled back: \(error)")
            }
            logger.info("applied migration", metadata: ["migration": "\(migration.name)"])
            applied.append(migration)
        }
        return applied
    }

    static func status(of migrations: [Migration], on connection: PostgresConnection) throws -> [Status] {
        let exists = try connection.query("SELECT to_regclass('meta.schema_migrations') IS NOT NULL")
        guard try exists[0].decode(Bool.self, at: 0) else {
            return migrations.map { Status(version: $0.version, name: $0.name, state: .pending) }
        }
        let recorded = try connection.query(
            """
            SELECT m.version, m.name, m.checksum = md5(f.sql) AS unchanged, f.sql IS NULL AS missing
            FROM meta.schema_migrations AS m
            LEFT JOIN unnest($1::integer[], $2::text[]) AS f (version, sql) USING (version)
            ORDER BY m.version
            """,
            [migrations.map(\.version), migrations.map(\.sql)]
        )
        var byVersion: [Int: Status] = [:]
        for row in recorded {
            let version = try row.decode(Int.self, "version")
            let name = try row.decode(String.self, "name")
            if try row.decode(Bool.self, "missing") {
                throw MigrationError(
                    message: "the database has migration \(name) applied, which SQL/migrations does not have",
                    hint: "this build is older than the database: run a build that has it"
                )
            }
            let unchanged = try row.decode(Bool.self, "unchanged")
            byVersion[version] = Status(version: version, name: name, state: unchanged ? .applied : .changed)
        }
        return migrations.map { byVersion[$0.version] ?? Status(version: $0.version, name: $0.name, state: .pending) }
    }
}
