import ArgumentParser
import Migrations
import Postgres

struct Migrate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Apply pending SQL migrations, then the definitions that changed, in one transaction (safe to run from several instances at once)."
    )

    @Flag(help: "Only list each migration and definitions file with its state.")
    var status = false

    @OptionGroup var database: DatabaseOptions
    @OptionGroup var logging: LoggingOptions

    func run() async throws {
        let logger = try logging.makeLogger(label: "advocacy.migrate")
        let sql = try SQLSource.locate(explicit: database.resolvedSQLDirectory).load()
        let pool = ConnectionPool(configuration: try database.poolConfiguration(applicationName: "advocacy-migrate"), logger: logger)
        let migrator = Migrator(tree: sql, logger: logger)
        do {
            if status {
                let report = try await migrator.report(on: pool)
                for entry in report.migrations {
                    print("\(entry.state.rawValue.padding(toLength: 8, withPad: " ", startingAt: 0)) schema/\(entry.name).sql")
                }
                for entry in report.definitions {
                    print("\(entry.state.rawValue.padding(toLength: 8, withPad: " ", startingAt: 0)) definitions/\(entry.path)")
                }
            } else {
                let outcome = try await migrator.migrate(on: pool)
                if outcome.applied.isEmpty && outcome.definitionsApplied == 0 {
                    print("database is up to date (\(sql.migrations.count) migrations, \(sql.definitions.count) definitions)")
                } else {
                    print("applied \(outcome.applied.count) migration(s) and \(outcome.definitionsApplied) definitions file(s)")
                }
            }
        } catch {
            await pool.close()
            throw error
        }
        await pool.close()
    }
}
