import Foundation
import Logging
import Migrations
import Postgres
import TestSupport
import Testing

@Suite("Migrations")
struct MigratorTests {
    let logger = TestDatabase.logger

    /// A pool on a new, empty database of its own.
    func freshPool(_ name: String, size: Int = 2) async throws -> ConnectionPool {
        let url = try await TestDatabase.recreate(named: "advocacy_test_\(name)")
        return ConnectionPool(configuration: .init(connection: .init(conninfo: url), size: size), logger: logger)
    }

    func repositorySQL() throws -> SQLTree {
        try SQLSource(directory: URL(fileURLWithPath: TestDatabase.sqlDirectory)).load()
    }

    @Test("migrate applies every migration and definition once and records them; a second run changes nothing")
    func appliesOnce() async throws {
        let pool = try await freshPool("once")
        let sql = try repositorySQL()
        #expect(!sql.migrations.isEmpty && !sql.definitions.isEmpty)
        let migrator = Migrator(tree: sql, logger: logger)
        let before = try await migrator.report(on: pool)
        #expect(before.migrations.allSatisfy { $0.state == .pending } && before.definitions.allSatisfy { $0.state == .new })
        let first = try await migrator.migrate(on: pool)
        #expect(first.applied.map(\.version) == sql.migrations.map(\.version))
        #expect(first.definitionsApplied == sql.definitions.count)
        let applied = try await SchemaFingerprint.read(on: pool)
        let second = try await migrator.migrate(on: pool)
        #expect(second.applied.isEmpty && second.definitionsApplied == 0)
        #expect(try await migrator.report(on: pool).isCurrent)
        #expect(try await SchemaFingerprint.read(on: pool) == applied)
        let recorded = try await pool.query("SELECT version, checksum = md5($1) FROM meta.schema_migrations ORDER BY version", [sql.migrations[0].sql])
        #expect(recorded.count == sql.migrations.count)
        #expect(try recorded[0].decode(Bool.self, at: 1))
        await pool.close()
    }

    @Test("every function of the service's schemas is created in exactly one file of SQL/")
    func oneFilePerFunction() async throws {
        let sql = try repositorySQL()
        let texts = sql.migrations.map { ("schema/\($0.name).sql", $0.sql) } + sql.definitions.map { ("definitions/\($0.path)", $0.sql) }
        let functions = try await TestDatabase.withPool(size: 1) { pool in
            try await pool.query(
                """
                SELECT n.nspname || '.' || p.proname FROM pg_catalog.pg_proc AS p JOIN pg_catalog.pg_namespace AS n ON n.oid = p.pronamespace
                WHERE n.nspname IN ('core', 'ingest', 'kpi', 'rollup') AND p.proname NOT LIKE 'queue\\_days\\_of\\_%'
                """
            ).map { try $0.decode(String.self, at: 0) }
        }
        #expect(functions.count > 80)
        for function in functions {
            let files = texts.filter { file in
                ["CREATE FUNCTION", "CREATE OR REPLACE FUNCTION"].contains { file.1.contains("\($0) \(function)(") }
            }.map(\.0)
            #expect(files.count == 1, "\(function) is created in \(files)")
            if function.hasPrefix("kpi.") || function.hasPrefix("rollup.") || function.hasPrefix("ingest.") {
                #expect(files == ["definitions/functions/\(function.replacingOccurrences(of: ".", with: "/")).sql"], "\(function): \(files)")
            }
        }
    }

    @Test("a database of the squashed history (0001 to 0016) upgrades to exactly what a fresh install has")
    func upgradeFromSquashedHistory() async throws {
        let history = try SquashedHistory.migrations()
        #expect(history.map(\.name) == Migrator.squashedHistory)
        let sql = try repositorySQL()

        let upgraded = try await freshPool("upgraded")
        try await Migrator(migrations: history, logger: logger).migrate(on: upgraded)
        let organization = try await TestDatabase.makeOrganization(on: upgraded)
        let outcome = try await Migrator(tree: sql, logger: logger).migrate(on: upgraded)
        #expect(!outcome.applied.contains { $0.version == 1 }, "the baseline is recorded, not applied, over the squashed history")
        #expect(outcome.applied.map(\.version) == sql.migrations.map(\.version).filter { $0 > 1 }, "the migrations after the baseline are applied")
        #expect(outcome.definitionsApplied == sql.definitions.count)
        #expect(try await Migrator(tree: sql, logger: logger).report(on: upgraded).isCurrent)
        let kept = try await upgraded.query("SELECT count(*) FROM core.organizations WHERE organization_id = $1", [organization])
        #expect(try kept[0].decode(Int.self, at: 0) == 1)

        let fresh = try await freshPool("fresh_install")
        try await Migrator(tree: sql, logger: logger).migrate(on: fresh)

        let expected = try await SchemaFingerprint.read(on: fresh)
        let actual = try await SchemaFingerprint.read(on: upgraded)
        #expect(expected.count > 500)
        for kind in Set(expected.map(\.kind)).union(actual.map(\.kind)).sorted() {
            let missing = expected.filter { $0.kind == kind }.subtracting(actual)
            let extra = actual.filter { $0.kind == kind }.subtracting(expected)
            #expect(missing.isEmpty && extra.isEmpty, "\(kind): only fresh \(missing.map(\.text).sorted()), only upgraded \(extra.map(\.text).sorted())")
        }
        await upgraded.close()
        await fresh.close()
    }

    @Test("a database stopped part-way through the squashed history is refused, naming where it stopped")
    func partialSquashedHistoryRefused() async throws {
        let pool = try await freshPool("partial_history")
        try await Migrator(migrations: Array(try SquashedHistory.migrations().prefix(3)), logger: logger).migrate(on: pool)
        let error = await #expect(throws: MigrationError.self) {
            try await Migrator(tree: try repositorySQL(), logger: logger).migrate(on: pool)
        }
        #expect(error?.message.contains("0003_kpis") == true)
        await pool.close()
    }

    @Test("several instances migrating at once apply each migration and the definitions exactly once")
    func concurrentInstances() async throws {
        let url = try await TestDatabase.recreate(named: "advocacy_test_concurrent")
        let sql = try repositorySQL()
        let outcomes = try await withThrowingTaskGroup(of: Migrator.Outcome.self) { group in
            for _ in 0..<4 {
                group.addTask {
                    let pool = ConnectionPool(configuration: .init(connection: .init(conninfo: url), size: 1), logger: logger)
                    let outcome = try await Migrator(tree: sql, logger: logger).migrate(on: pool)
                    await pool.close()
                    return outcome
                }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(outcomes.map(\.applied.count).reduce(0, +) == sql.migrations.count)
        #expect(outcomes.filter { $0.definitionsApplied > 0 }.count == 1)
    }

    @Test("a changed migration is refused")
    func changedMigrationRefused() async throws {
        let pool = try await freshPool("changed")
        let original = [Migration(version: 1, name: "0001_first", sql: "CREATE TABLE first (id int);")]
        try await Migrator(migrations: original, logger: logger).migrate(on: pool)
        let edited = [Migration(version: 1, name: "0001_first", sql: "CREATE TABLE first (id bigint);")]
        let error = await #expect(throws: MigrationError.self) {
            try await Migrator(migrations: edited, logger: logger).migrate(on: pool)
        }
        #expect(error?.message.contains("0001_first") == true)
        #expect(try await Migrator(migrations: edited, logger: logger).status(on: pool).first?.state == .changed)
        await pool.close()
    }

    @Test("a failing migration or definition rolls everything back, naming its file")
    func failingMigrationRollsBack() async throws {
        let pool = try await freshPool("failing")
        let good = Migration(version: 1, name: "0001_good", sql: "CREATE TABLE good (id int);")
        let bad = Migration(version: 2, name: "0002_bad", sql: "CREATE TABLE half (id int); SELECT no_such_function();")
        let error = await #expect(throws: MigrationError.self) {
            try await Migrator(migrations: [good, bad], logger: logger).migrate(on: pool)
        }
        #expect(error?.message.contains("0002_bad") == true)
        let badDefinition = try Definition(path: "views/public/broken.sql", sql: "CREATE OR REPLACE VIEW broken AS SELECT * FROM nowhere;")
        let definitionError = await #expect(throws: MigrationError.self) {
            try await Migrator(migrations: [good], definitions: [badDefinition], logger: logger).migrate(on: pool)
        }
        #expect(definitionError?.message.contains("views/public/broken.sql") == true)
        let tables = try await pool.query("SELECT to_regclass('good') IS NOT NULL, to_regclass('half') IS NOT NULL")
        #expect(try !tables[0].decode(Bool.self, at: 0))
        #expect(try !tables[0].decode(Bool.self, at: 1))
        let versions = try await pool.query("SELECT version FROM meta.schema_migrations").map { try $0.decode(Int.self, at: 0) }
        #expect(versions.isEmpty)
        await pool.close()
    }

    @Test("a function whose body names what does not exist is refused once all definitions are applied")
    func invalidFunctionRefused() async throws {
        let pool = try await freshPool("invalid_function")
        let schema = Migration(version: 1, name: "0001_schema", sql: "CREATE SCHEMA kpi;")
        // Defined before what it calls (paths sort so): valid, since every body is checked after all are made.
        let caller = try Definition(
            path: "functions/kpi/a_caller.sql",
            sql: "CREATE OR REPLACE FUNCTION kpi.a_caller() RETURNS int LANGUAGE sql AS $$ SELECT kpi.b_callee() $$;"
        )
        let callee = try Definition(
            path: "functions/kpi/b_callee.sql", sql: "CREATE OR REPLACE FUNCTION kpi.b_callee() RETURNS int LANGUAGE sql AS $$ SELECT 1 $$;"
        )
        try await Migrator(migrations: [schema], definitions: [caller, callee], logger: logger).migrate(on: pool)
        let answer = try await pool.query("SELECT kpi.a_caller()")
        #expect(try answer[0].decode(Int.self, at: 0) == 1)

        let broken = try Definition(
            path: "functions/kpi/a_caller.sql",
            sql: "CREATE OR REPLACE FUNCTION kpi.a_caller() RETURNS int LANGUAGE sql AS $$ SELECT count(*)::int FROM kpi.nowhere $$;"
        )
        let error = await #expect(throws: MigrationError.self) {
            try await Migrator(migrations: [schema], definitions: [broken, callee], logger: logger).migrate(on: pool)
        }
        #expect(error?.message.contains("kpi.a_caller") == true && error?.message.contains("nowhere") == true, "\(String(describing: error))")
        await pool.close()
    }

    @Test("a changed, new or removed definitions file makes the database not current until migrated again")
    func changedDefinitionReapplied() async throws {
        let pool = try await freshPool("definitions")
        let schema = Migration(version: 1, name: "0001_schema", sql: "CREATE SCHEMA kpi;")
        func answer(_ value: Int) throws -> Definition {
            try Definition(
                path: "functions/kpi/answer.sql",
                sql: "CREATE OR REPLACE FUNCTION kpi.answer() RETURNS int LANGUAGE sql AS $$ SELECT \(value) $$;"
            )
        }
        let extra = try Definition(path: "views/kpi/extra.sql", sql: "CREATE OR REPLACE VIEW kpi.extra AS SELECT 1 AS one;")
        try await Migrator(migrations: [schema], definitions: [try answer(1)], logger: logger).migrate(on: pool)

        let changed = Migrator(migrations: [schema], definitions: [try answer(2), extra], logger: logger)
        let report = try await changed.report(on: pool)
        #expect(!report.isCurrent)
        #expect(report.definitions.map(\.state) == [.changed, .new])
        #expect(try await changed.migrate(on: pool).definitionsApplied == 2)
        #expect(try await pool.query("SELECT kpi.answer()")[0].decode(Int.self, at: 0) == 2)
        #expect(try await changed.report(on: pool).isCurrent)

        let removed = Migrator(migrations: [schema], definitions: [try answer(2)], logger: logger)
        #expect(try await removed.report(on: pool).definitions.map(\.state) == [.current, .removed])
        try await removed.migrate(on: pool)
        #expect(try await removed.report(on: pool).definitions.map(\.state) == [.current])
        await pool.close()
    }

    @Test("a database with a migration this build does not know is refused")
    func unknownAppliedMigration() async throws {
        let pool = try await freshPool("newer")
        let newer = [
            Migration(version: 1, name: "0001_a", sql: "SELECT 1;"), Migration(version: 2, name: "0002_b", sql: "SELECT 2;"),
        ]
        try await Migrator(migrations: newer, logger: logger).migrate(on: pool)
        let error = await #expect(throws: MigrationError.self) {
            try await Migrator(migrations: Array(newer.prefix(1)), logger: logger).migrate(on: pool)
        }
        #expect(error?.message.contains("0002_b") == true)
        await pool.close()
    }

    @Test("schema files must be named NNNN_name.sql with distinct versions; definitions live in known folders")
    func fileNaming() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("sql-\(UUID().uuidString)")
        let schema = directory.appendingPathComponent("schema")
        let functions = directory.appendingPathComponent("definitions/functions/kpi")
        try FileManager.default.createDirectory(at: schema, withIntermediateDirectories: true)
        try FileManager.default.createDirectory(at: functions, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        func write(_ text: String, _ path: String) throws {
            try text.write(to: directory.appendingPathComponent(path), atomically: true, encoding: .utf8)
        }
        try write("SELECT 1;", "schema/0002_second.sql")
        try write("SELECT 1;", "schema/0001_first.sql")
        try write("notes", "schema/README.md")
        try write("SELECT 1;", "definitions/functions/kpi/b.sql")
        try write("SELECT 1;", "definitions/functions/kpi/a.sql")
        let tree = try SQLSource(directory: directory).load()
        #expect(tree.migrations.map(\.name) == ["0001_first", "0002_second"])
        #expect(tree.definitions.map(\.path) == ["functions/kpi/a.sql", "functions/kpi/b.sql"])

        try write("SELECT 1;", "schema/0002_clash.sql")
        let clash = #expect(throws: MigrationError.self) { try SQLSource(directory: directory).load() }
        #expect(clash?.message.contains("share version 2") == true)
        try FileManager.default.removeItem(at: schema.appendingPathComponent("0002_clash.sql"))

        try write("SELECT 1;", "schema/add_things.sql")
        let misnamed = #expect(throws: MigrationError.self) { try SQLSource(directory: directory).load() }
        #expect(misnamed?.message.contains("add_things.sql") == true)
        try FileManager.default.removeItem(at: schema.appendingPathComponent("add_things.sql"))

        try FileManager.default.createDirectory(at: directory.appendingPathComponent("definitions/macros"), withIntermediateDirectories: true)
        try write("SELECT 1;", "definitions/macros/x.sql")
        let unknown = #expect(throws: MigrationError.self) { try SQLSource(directory: directory).load() }
        #expect(unknown?.message.contains("definitions/macros/x.sql") == true)
    }

    @Test("definitions apply in a stated order: functions, views, triggers, policies, grants, then by path")
    func definitionOrder() throws {
        let paths = ["grants/a.sql", "views/fact/v.sql", "functions/rollup/f.sql", "policies/p.sql", "triggers/t.sql", "functions/core/g.sql"]
        let tree = SQLTree(migrations: [], definitions: try paths.map { try Definition(path: $0, sql: "") })
        #expect(tree.definitions.map(\.path) == [
            "functions/core/g.sql", "functions/rollup/f.sql", "views/fact/v.sql", "triggers/t.sql", "policies/p.sql", "grants/a.sql",
        ])
    }
}

/// The squashed history (0001 to 0016 as an earlier build applied them), kept as a fixture for the upgrade test.
enum SquashedHistory {
    static func migrations() throws -> [Migration] {
        let archive = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/squashed-history.tar.gz")
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("squashed-history-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder.appendingPathComponent("schema"), withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let tar = Process()
        tar.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        tar.arguments = ["tar", "-xzf", archive.path, "-C", folder.appendingPathComponent("schema").path]
        try tar.run()
        tar.waitUntilExit()
        guard tar.terminationStatus == 0 else { throw TestSetupError(message: "cannot unpack \(archive.path)") }
        return try SQLSource(directory: folder).load().migrations
    }
}

/// What a database defines, one comparable line per object: columns, constraints, indexes, functions (their
/// whole text), views, triggers, policies, row security and every privilege of the service's schemas.
struct SchemaFingerprint: Hashable, Sendable {
    let kind: String
    let text: String

    static func read(on pool: ConnectionPool) async throws -> Set<SchemaFingerprint> {
        let rows = try await pool.query(
            """
            WITH schemas AS (SELECT oid FROM pg_catalog.pg_namespace WHERE nspname IN ('core', 'fact', 'ingest', 'kpi', 'rollup', 'meta'))
            SELECT 'column', format('%s.%s %s not null %s default %s', a.attrelid::regclass, a.attname,
                   format_type(a.atttypid, a.atttypmod), a.attnotnull, pg_get_expr(d.adbin, d.adrelid)) || ' #' || a.attnum
            FROM pg_attribute AS a JOIN pg_class AS c ON c.oid = a.attrelid
            LEFT JOIN pg_attrdef AS d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
            WHERE c.relnamespace IN (SELECT oid FROM schemas) AND a.attnum > 0 AND NOT a.attisdropped AND c.relkind IN ('r', 'v')
            UNION ALL
            SELECT 'constraint', format('%s %s %s %s', conrelid::regclass, contypid::regtype, conname, pg_get_constraintdef(oid))
            FROM pg_constraint WHERE connamespace IN (SELECT oid FROM schemas)
            UNION ALL
            SELECT 'index', pg_get_indexdef(indexrelid) FROM pg_index
            WHERE indrelid IN (SELECT oid FROM pg_class WHERE relnamespace IN (SELECT oid FROM schemas))
            UNION ALL
            SELECT 'function', pg_get_functiondef(p.oid) FROM pg_proc AS p
            WHERE p.pronamespace IN (SELECT oid FROM schemas) AND p.prokind = 'f'
            UNION ALL
            SELECT 'view', format('%s %s', c.oid::regclass, pg_get_viewdef(c.oid)) FROM pg_class AS c
            WHERE c.relnamespace IN (SELECT oid FROM schemas) AND c.relkind = 'v'
            UNION ALL
            SELECT 'trigger', pg_get_triggerdef(t.oid) FROM pg_trigger AS t JOIN pg_class AS c ON c.oid = t.tgrelid
            WHERE c.relnamespace IN (SELECT oid FROM schemas) AND NOT t.tgisinternal
            UNION ALL
            SELECT 'policy', format('%s.%s %s %s %s %s %s', schemaname, tablename, policyname, permissive, roles, cmd, qual || ' / ' || with_check)
            FROM pg_policies
            UNION ALL
            SELECT 'row security', format('%s %s %s', oid::regclass, relrowsecurity, relforcerowsecurity) FROM pg_class
            WHERE relnamespace IN (SELECT oid FROM schemas) AND relkind = 'r'
            UNION ALL
            SELECT 'grant', format('%s %s to %s', c.oid::regclass, a.privilege_type, a.grantee::regrole)
            FROM pg_class AS c, aclexplode(c.relacl) AS a WHERE c.relnamespace IN (SELECT oid FROM schemas)
            UNION ALL
            SELECT 'grant', format('%s %s to %s', p.oid::regprocedure, a.privilege_type, a.grantee::regrole)
            FROM pg_proc AS p, aclexplode(p.proacl) AS a WHERE p.pronamespace IN (SELECT oid FROM schemas)
            UNION ALL
            SELECT 'grant', format('schema %s %s to %s', n.nspname, a.privilege_type, a.grantee::regrole)
            FROM pg_namespace AS n, aclexplode(n.nspacl) AS a WHERE n.oid IN (SELECT oid FROM schemas)
            UNION ALL
            SELECT 'comment', format('%s %s', p.oid::regprocedure, d.description)
            FROM pg_description AS d JOIN pg_proc AS p ON p.oid = d.objoid AND d.classoid = 'pg_proc'::regclass
            WHERE p.pronamespace IN (SELECT oid FROM schemas)
            UNION ALL
            SELECT 'comment', format('%s %s', c.oid::regclass, d.description)
            FROM pg_description AS d JOIN pg_class AS c ON c.oid = d.objoid AND d.classoid = 'pg_class'::regclass
            WHERE c.relnamespace IN (SELECT oid FROM schemas)
            """
        )
        return Set(try rows.map { SchemaFingerprint(kind: try $0.decode(String.self, at: 0), text: try $0.decode(String.self, at: 1)) })
    }
}
