import Foundation
import Logging
import Postgres
import Synchronization

/// Brings a database to the SQL of this build, in one transaction under an advisory lock:
///
/// 1. the pending versioned migrations of `SQL/schema`, in version order, each once (an applied file that has
///    changed since is refused: applied SQL is history, a change goes in a new migration);
/// 2. then, when any definitions file is new, changed or gone since the last run, or a migration was just
///    applied, every file of `SQL/definitions`, in a stated order: functions, views, triggers, policies,
///    grants, and by path within each. Functions are created without checking their bodies (so their order
///    does not matter), then every function of the service's schemas is validated once all exist.
///
/// The session-level advisory lock serialises migrators, so several instances starting together are safe: the
/// first applies, the others wait and then find nothing to do.
public struct Migrator: Sendable {
    /// The advisory lock key: any constant the rest of the schema does not use.
    static let lockKey: Int64 = 0x4144_564F_4341_4359  // "ADVOCACY"

    /// The schemas whose functions are validated after the definitions are applied.
    static let definedSchemas = ["core", "ingest", "kpi", "rollup"]

    /// The versioned history that `0001_baseline.sql` replaced (squashed before any release). A database
    /// migrated by a build of that history holds exactly these names; its tables are the baseline's, so the
    /// baseline is recorded as applied in their place and the definitions are applied over it.
    public static let squashedHistory = [
        "0001_core_schema", "0002_ingestion", "0003_kpis", "0004_ssi", "0005_leaderboards_and_series", "0006_access",
        "0007_row_level_security", "0008_erasure", "0009_breakdowns_and_value", "0010_rollups",
        "0011_rollups_per_entity_and_ssi_spans", "0012_ingestion_that_stores", "0013_kpis_of_several_periods",
        "0014_rollup_lookups_under_row_security", "0015_rollup_queue_follows_its_organisations",
        "0016_ingestion_without_needless_work",
    ]

    public let tree: SQLTree
    private let logger: Logger
    /// The build's checksums, computed once per process: a readiness probe then sends no SQL text.
    private let checksums = ChecksumCache()

    public init(tree: SQLTree, logger: Logger) {
        self.tree = tree
        self.logger = logger
    }

    public init(migrations: [Migration], definitions: [Definition] = [], logger: Logger) {
        self.init(tree: SQLTree(migrations: migrations, definitions: definitions), logger: logger)
    }

    public enum State: String, Sendable {
        case applied, pending, changed
    }

    /// A versioned migration, known or recorded.
    public struct Status: Sendable {
        public let version: Int
        public let name: String
        public let state: State
    }

    /// A definitions file against what the database last applied.
    public struct DefinitionStatus: Sendable {
        public enum State: String, Sendable {
            case current, changed, new, removed
        }

        public let path: String
        public let state: State
    }

    /// Everything `migrate --status` lists.
    public struct Report: Sendable {
        public let migrations: [Status]
        public let definitions: [DefinitionStatus]

        /// Every migration applied and every definition as this build has it.
        public var isCurrent: Bool {
            migrations.allSatisfy { $0.state == .applied } && definitions.allSatisfy { $0.state == .current }
        }
    }

    /// What `migrate` did.
    public struct Outcome: Sendable {
        public let applied: [Migration]
        /// The definitions files applied: all of them, or none when nothing had changed.
        public let definitionsApplied: Int
    }

    /// Applies what is pending. - Returns: the migrations it applied and how many definitions.
    @discardableResult
    public func migrate(on pool: ConnectionPool) async throws -> Outcome {
        let tree = self.tree
        let logger = self.logger
        return try await pool.withConnection { connection in
            try Self.migrate(tree, on: connection, logger: logger)
        }
    }

    /// The state of every migration and definition, known or recorded, without changing anything.
    public func report(on pool: ConnectionPool) async throws -> Report {
        let (tree, cache) = (self.tree, checksums)
        return try await pool.withConnection { connection in
            let checksums = try cache.value { try Checksums(of: tree, on: connection) }
            return try Self.report(of: tree, checksums: checksums, on: connection)
        }
    }

    /// Throws unless the database is exactly this build's: every migration applied, none unknown to the build
    /// (a newer build migrated it), every definition as this build has it. The service calls this before it
    /// listens, so an instance of the wrong build never starts serving.
    public func requireCurrent(on pool: ConnectionPool) async throws {
        let report = try await report(on: pool)  // throws when the database has a migration this build lacks
        let pending = report.migrations.filter { $0.state != .applied }
        if let changed = pending.first(where: { $0.state == .changed }) {
            throw MigrationError(
                message: "the database's migration \(changed.name) differs from this build's file",
                hint: "this build and the database's do not share a history: deploy the build that migrated it"
            )
        }
        if !pending.isEmpty {
            throw MigrationError(
                message: "the database is older than this build: \(pending.count) migration(s) not applied "
                    + "(\(pending.map(\.name).joined(separator: ", ")))",
                hint: "run `advocacy migrate` with this build first"
            )
        }
        let differing = report.definitions.filter { $0.state != .current }
        if !differing.isEmpty {
            throw MigrationError(
                message: "\(differing.count) SQL definition(s) of the database differ from this build's "
                    + "(\(differing.prefix(3).map { "\($0.path): \($0.state.rawValue)" }.joined(separator: ", ")))",
                hint: "run `advocacy migrate` with this build, or deploy the build that last migrated the database"
            )
        }
    }

    /// The state of every versioned migration, known or recorded, without changing anything.
    public func status(on pool: ConnectionPool) async throws -> [Status] {
        try await report(on: pool).migrations
    }

    static func migrate(_ tree: SQLTree, on connection: PostgresConnection, logger: Logger) throws -> Outcome {
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
            CREATE TABLE IF NOT EXISTS meta.schema_definitions (
                path        text PRIMARY KEY,       -- under SQL/definitions
                checksum    text NOT NULL,          -- md5 of the file's text when it was last applied
                applied_at  timestamptz NOT NULL DEFAULT now()
            );
            """
        )
        return try connection.transaction { connection in
            // A migration may backfill tables: it is not held to the statement timeout of requests.
            try connection.execute("SET LOCAL statement_timeout = 0")
            try adoptSquashedHistory(of: tree, on: connection, logger: logger)
            let checksums = try Checksums(of: tree, on: connection)
            let report = try report(of: tree, checksums: checksums, on: connection)
            if let changed = report.migrations.first(where: { $0.state == .changed }) {
                throw MigrationError(
                    message: "migration \(changed.name) was applied, and its file has changed since",
                    hint: "restore the file as it was and put the change in a new migration"
                )
            }
            let pending = Set(report.migrations.filter { $0.state == .pending }.map(\.version))
            var applied: [Migration] = []
            for migration in tree.migrations where pending.contains(migration.version) {
                let start = ContinuousClock.now
                do {
                    try connection.execute(migration.sql)
                } catch {
                    throw MigrationError(message: "migration \(migration.name) failed, nothing was applied: \(error)")
                }
                let elapsed = ContinuousClock.now - start
                try connection.query(
                    """
                    INSERT INTO meta.schema_migrations (version, name, checksum, duration_ms)
                    VALUES ($1, $2, md5($3), $4)
                    """,
                    [migration.version, migration.name, migration.sql, Int(elapsed.components.seconds * 1000)]
                )
                logger.info("applied migration", metadata: ["migration": "\(migration.name)"])
                applied.append(migration)
            }
            let definitionsChanged = report.definitions.contains { $0.state != .current }
            guard definitionsChanged || !applied.isEmpty else {
                return Outcome(applied: applied, definitionsApplied: 0)
            }
            try applyDefinitions(tree.definitions, checksums: checksums.definitions, on: connection)
            logger.info("applied definitions", metadata: ["files": "\(tree.definitions.count)"])
            return Outcome(applied: applied, definitionsApplied: tree.definitions.count)
        }
    }

    /// Applies every definition in order, validates the functions once all exist, and records the checksums.
    static func applyDefinitions(_ definitions: [Definition], checksums: [String], on connection: PostgresConnection) throws {
        try connection.execute("SET LOCAL check_function_bodies = off")
        for definition in definitions {
            do {
                try connection.execute(definition.sql)
            } catch {
                throw MigrationError(message: "definition \(definition.path) failed, nothing was applied: \(error)")
            }
        }
        try connection.execute("SET LOCAL check_function_bodies = on")
        let functions = try connection.query(
            """
            SELECT p.oid::bigint AS oid, n.nspname || '.' || p.proname AS name, l.lanname AS language
            FROM pg_catalog.pg_proc AS p
            JOIN pg_catalog.pg_namespace AS n ON n.oid = p.pronamespace
            JOIN pg_catalog.pg_language AS l ON l.oid = p.prolang
            WHERE n.nspname = ANY ($1::text[]) AND l.lanname IN ('sql', 'plpgsql')
            ORDER BY 2
            """,
            [definedSchemas]
        )
        for function in functions {
            let oid = try function.decode(Int64.self, "oid")
            let name = try function.decode(String.self, "name")
            let validator = try function.decode(String.self, "language") == "sql" ? "fmgr_sql_validator" : "plpgsql_validator"
            do {
                try connection.query("SELECT pg_catalog.\(validator)($1::oid)", [oid])
            } catch {
                let file = "functions/\(name.replacingOccurrences(of: ".", with: "/")).sql"
                throw MigrationError(message: "function \(name) (definitions/\(file)) is not valid, nothing was applied: \(error)")
            }
        }
        try connection.query(
            """
            WITH current (path, checksum) AS (SELECT f.path, f.checksum FROM unnest($1::text[], $2::text[]) AS f (path, checksum)),
            gone AS (DELETE FROM meta.schema_definitions AS d WHERE NOT EXISTS (SELECT FROM current AS c WHERE c.path = d.path))
            INSERT INTO meta.schema_definitions (path, checksum)
            SELECT path, checksum FROM current
            ON CONFLICT (path) DO UPDATE SET checksum = excluded.checksum, applied_at = now()
            """,
            [definitions.map(\.path), checksums]
        )
    }

    /// Replaces the squashed history's records by the baseline's (see `squashedHistory`).
    static func adoptSquashedHistory(of tree: SQLTree, on connection: PostgresConnection, logger: Logger) throws {
        let names = try connection.query("SELECT name FROM meta.schema_migrations ORDER BY version")
            .map { try $0.decode(String.self, at: 0) }
        guard let first = names.first, first == squashedHistory[0] else { return }
        guard names == squashedHistory else {
            throw MigrationError(
                message: "the database stopped at migration \(names.last ?? first) of the history that 0001_baseline replaced",
                hint: "migrate it to 0016_ingestion_without_needless_work with an earlier build first"
            )
        }
        guard let baseline = tree.migrations.first, baseline.version == 1 else {
            throw MigrationError(message: "the database holds the squashed history, and this build has no baseline migration")
        }
        try connection.execute("DELETE FROM meta.schema_migrations")
        try connection.query(
            "INSERT INTO meta.schema_migrations (version, name, checksum, duration_ms) VALUES (1, $1, md5($2), 0)",
            [baseline.name, baseline.sql]
        )
        logger.info("recorded the baseline in place of the squashed history", metadata: ["baseline": "\(baseline.name)"])
    }

    static func report(of tree: SQLTree, checksums: Checksums, on connection: PostgresConnection) throws -> Report {
        let exists = try connection.query(
            "SELECT to_regclass('meta.schema_migrations') IS NOT NULL, to_regclass('meta.schema_definitions') IS NOT NULL"
        )
        let definitions: [DefinitionStatus]
        if try exists[0].decode(Bool.self, at: 1) {
            definitions = try definitionStatus(of: tree.definitions, checksums: checksums.definitions, on: connection)
        } else {
            definitions = tree.definitions.map { DefinitionStatus(path: $0.path, state: .new) }
        }
        guard try exists[0].decode(Bool.self, at: 0) else {
            return Report(
                migrations: tree.migrations.map { Status(version: $0.version, name: $0.name, state: .pending) },
                definitions: definitions
            )
        }
        let recorded = try connection.query(
            """
            SELECT m.version, m.name, m.checksum = f.checksum AS unchanged, f.checksum IS NULL AS missing
            FROM meta.schema_migrations AS m
            LEFT JOIN unnest($1::integer[], $2::text[]) AS f (version, checksum) USING (version)
            ORDER BY m.version
            """,
            [tree.migrations.map(\.version), checksums.migrations]
        )
        var byVersion: [Int: Status] = [:]
        for row in recorded {
            let version = try row.decode(Int.self, "version")
            let name = try row.decode(String.self, "name")
            if try row.decode(Bool.self, "missing") {
                if squashedHistory.contains(name) {
                    // An earlier build's history, adopted by `migrate`: the baseline is what it holds.
                    return Report(
                        migrations: tree.migrations.map { Status(version: $0.version, name: $0.name, state: .pending) },
                        definitions: definitions
                    )
                }
                throw MigrationError(
                    message: "the database has migration \(name) applied, which SQL/schema does not have",
                    hint: "this build is older than the database: run a build that has it"
                )
            }
            let unchanged = try row.decode(Bool.self, "unchanged")
            byVersion[version] = Status(version: version, name: name, state: unchanged ? .applied : .changed)
        }
        return Report(
            migrations: tree.migrations.map {
                byVersion[$0.version] ?? Status(version: $0.version, name: $0.name, state: .pending)
            },
            definitions: definitions
        )
    }

    static func definitionStatus(
        of definitions: [Definition], checksums: [String], on connection: PostgresConnection
    ) throws -> [DefinitionStatus] {
        let rows = try connection.query(
            """
            SELECT coalesce(f.path, d.path) AS path,
                   CASE WHEN d.path IS NULL THEN 'new' WHEN f.path IS NULL THEN 'removed'
                        WHEN d.checksum = f.checksum THEN 'current' ELSE 'changed' END AS state
            FROM unnest($1::text[], $2::text[], $3::integer[]) AS f (path, checksum, ordinal)
            FULL JOIN meta.schema_definitions AS d ON d.path = f.path
            ORDER BY f.ordinal NULLS LAST, d.path
            """,
            [definitions.map(\.path), checksums, Array(definitions.indices)]
        )
        return try rows.map { row in
            let state = try row.decode(String.self, "state")
            return DefinitionStatus(path: try row.decode(String.self, "path"), state: DefinitionStatus.State(rawValue: state) ?? .changed)
        }
    }
}

/// The md5 of each file's text, as the database records it when applying the file.
struct Checksums: Sendable {
    let migrations: [String]
    let definitions: [String]

    /// Computed by PostgreSQL (Foundation has no md5 here), in the tree's order.
    init(of tree: SQLTree, on connection: PostgresConnection) throws {
        func md5(_ texts: [String]) throws -> [String] {
            try connection.query(
                "SELECT md5(t.text) FROM unnest($1::text[]) WITH ORDINALITY AS t (text, n) ORDER BY t.n", [texts]
            ).map { try $0.decode(String.self, at: 0) }
        }
        migrations = try md5(tree.migrations.map(\.sql))
        definitions = try md5(tree.definitions.map(\.sql))
    }
}

/// Holds a value computed on first use; shared by the copies of a `Migrator`.
final class ChecksumCache: Sendable {
    private let cached = Mutex<Checksums?>(nil)

    func value(_ compute: () throws -> Checksums) rethrows -> Checksums {
        if let known = cached.withLock({ $0 }) { return known }
        let computed = try compute()
        cached.withLock { $0 = computed }
        return computed
    }
}
