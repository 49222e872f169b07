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

    func repositoryMigrations() throws -> [Migration] {
        try MigrationSource(directory: URL(fileURLWithPath: TestDatabase.migrationsDirectory)).load()
    }

    @Test("migrate applies every migration once, in order, and records it; a second run does nothing")
    func appliesOnce() async throws {
        let pool = try await freshPool("once")
        let migrations = try repositoryMigrations()
        #expect(!migrations.isEmpty)
        let migrator = Migrator(migrations: migrations, logger: logger)
        #expect(try await migrator.status(on: pool).allSatisfy { $0.state == .pending })
        let first = try await migrator.migrate(on: pool)
        #expect(first.map(\.version) == migrations.map(\.version))
        let second = try await migrator.migrate(on: pool)
        #expect(second.isEmpty)
        #expect(try await migrator.status(on: pool).allSatisfy { $0.state == .applied })
        let recorded = try await pool.query("SELECT version, checksum = md5($1) FROM meta.schema_migrations ORDER BY version", [migrations[0].sql])
        #expect(recorded.count == migrations.count)
        #expect(try recorded[0].decode(Bool.self, at: 1))
        await pool.close()
    }

    @Test("several instances migrating at once apply each migration exactly once")
    func concurrentInstances() async throws {
        let url = try await TestDatabase.recreate(named: "advocacy_test_concurrent")
        let migrations = try repositoryMigrations()
        let appliedCounts = try await withThrowingTaskGroup(of: Int.self) { group in
            for _ in 0..<4 {
                group.addTask {
                    let pool = ConnectionPool(configuration: .init(connection: .init(conninfo: url), size: 1), logger: logger)
                    let applied = try await Migrator(migrations: migrations, logger: logger).migrate(on: pool)
                    await pool.close()
                    return applied.count
                }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(appliedCounts.reduce(0, +) == migrations.count)
        #expect(appliedCounts.filter { $0 > 0 }.count == 1)
    }

    @Test("an applied migration whose file changed is refused with a message that names it")
    func changedMigrationRefused() async throws {
        let pool = try await freshPool("changed")
        let original = [Migration(version: 1, name: "0001_first", sql: "CREATE TABLE first (id int);")]
        try await Migrator(migrations: original, logger: logger).migrate(on: pool)
        let edited = [Migration(version: 1, name: "0001_first", sql: "CREATE TABLE first (id bigint);")]
        let error = await #expect(throws: MigrationError.self) {
            try await Migrator(migrations: edited, logger: logger).migrate(on: pool)
        }
        #expect(error?.message.contains("0001_first") == true)
        #expect(error?.message.contains("changed") == true)
        #expect(try await Migrator(migrations: edited, logger: logger).status(on: pool).first?.state == .changed)
        await pool.close()
    }

    @Test("a failing migration is rolled back whole and not recorded; the ones before it stay")
    func failingMigrationRollsBack() async throws {
        let pool = try await freshPool("failing")
        let migrations = [
            Migration(version: 1, name: "0001_good", sql: "CREATE TABLE good (id int);"),
            Migration(version: 2, name: "0002_bad", sql: "CREATE TABLE half (id int); SELECT no_such_function();"),
        ]
        let error = await #expect(throws: MigrationError.self) {
            try await Migrator(migrations: migrations, logger: logger).migrate(on: pool)
        }
        #expect(error?.message.contains("0002_bad") == true)
        let tables = try await pool.query("SELECT to_regclass('good') IS NOT NULL, to_regclass('half') IS NOT NULL")
        #expect(try tables[0].decode(Bool.self, at: 0))
        #expect(try !tables[0].decode(Bool.self, at: 1))
        let versions = try await pool.query("SELECT version FROM meta.schema_migrations").map { try $0.decode(Int.self, at: 0) }
        #expect(versions == [1])
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

    @Test("migration files must be named NNNN_name.sql, with distinct versions")
    func fileNaming() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("migrations-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        try "SELECT 1;".write(to: directory.appendingPathComponent("0002_second.sql"), atomically: true, encoding: .utf8)
        try "SELECT 1;".write(to: directory.appendingPathComponent("0001_first.sql"), atomically: true, encoding: .utf8)
        try "notes".write(to: directory.appendingPathComponent("README.md"), atomically: true, encoding: .utf8)
        #expect(try MigrationSource(directory: directory).load().map(\.name) == ["0001_first", "0002_second"])

        try "SELECT 1;".write(to: directory.appendingPathComponent("0002_clash.sql"), atomically: true, encoding: .utf8)
        let clash = #expect(throws: MigrationError.self) { try MigrationSource(directory: directory).load() }
        #expect(clash?.message.contains("share version 2") == true)
        try FileManager.default.removeItem(at: directory.appendingPathComponent("0002_clash.sql"))

        try "SELECT 1;".write(to: directory.appendingPathComponent("add_things.sql"), atomically: true, encoding: .utf8)
        let misnamed = #expect(throws: MigrationError.self) { try MigrationSource(directory: directory).load() }
        #expect(misnamed?.message.contains("add_things.sql") == true)
    }
}
