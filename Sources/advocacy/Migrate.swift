import ArgumentParser
import Migrations
import Postgres

struct Migrate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Apply pending SQL migrations, each once, in order (safe to run from several instances at once)."
    )

    @Flag(help: "Only list each migration and whether it is applied.")
    var status = false

    @OptionGroup var database: DatabaseOptions
    @OptionGroup var logging: LoggingOptions

    func run() async throws {
        let logger = try logging.makeLogger(label: "advocacy.migrate")
        let migrations = try MigrationSource.locate(explicit: database.resolvedMigrationsDirectory).load()
        let pool = ConnectionPool(configuration: try database.poolConfiguration(applicationName: "advocacy-migrate"), logger: logger)
        let migrator = Migrator(migrations: migrations, logger: logger)
        do {
            if status {
                for entry in try await migrator.status(on: pool) {
                    print("\(entry.state.rawValue.padding(toLength: 8, withPad: " ", startingAt: 0)) \(entry.name)")
                }
            } else {
                let applied = try await migrator.migrate(on: pool)
                print(applied.isEmpty ? "database is up to date (\(migrations.count) migrations)" : "applied \(applied.count) migration(s)")
            }
        } catch {
            await pool.close()
            throw error
        }
        await pool.close()
    }
}
