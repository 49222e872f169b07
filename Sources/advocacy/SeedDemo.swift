import ArgumentParser
import Computation
import DemoData
import Foundation
import Postgres

struct SeedDemo: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "seed-demo",
        abstract: "Create (or replace) the demo organisation with deterministic data, loaded through COPY."
    )

    @Option(help: "About how many fact rows to create (up to 10 million and more for benchmarks).")
    var facts = 300_000

    @Option(help: "Random seed: the same seed and end date give the same data.")
    var seed: UInt64 = 2026

    @Option(help: "Last day of the demo year, YYYY-MM-DD (default: today, UTC).")
    var endDate: String?

    @Option(help: "The demo organisation's slug.")
    var slug = "demo"

    @OptionGroup var database: DatabaseOptions
    @OptionGroup var logging: LoggingOptions

    func run() async throws {
        let logger = try logging.makeLogger(label: "advocacy.seed")
        var end = DemoPlan.today()
        if let endDate {
            guard endDate.count == 10, let parsed = Date(postgresText: endDate) else {
                throw ValidationError("--end-date must be a date like 2026-06-30, not \"\(endDate)\"")
            }
            end = parsed
        }
        let plan = DemoPlan(facts: facts, seed: seed, endDate: end, slug: slug)
        let pool = ConnectionPool(configuration: try database.poolConfiguration(applicationName: "advocacy-seed"), logger: logger)
        let progress = ProgressBar(label: "seeding")
        let started = ContinuousClock.now
        do {
            let summary = try await DemoSeeder(plan: plan, logger: logger).run(on: pool) { done, total in
                progress.update(done: done, total: total)
            }
            progress.finish()
            let seconds = (ContinuousClock.now - started).components.seconds
            print("demo organisation \"\(slug)\" (\(summary.organizationID)): \(summary.totalFacts) facts in \(seconds) s")
            print(summary)
            // The dashboards read rollups: build them now rather than on the first requests.
            let rollupStart = ContinuousClock.now
            let rollups = ProgressBar(label: "rollups")
            // A year of ten million facts takes minutes: no statement timeout for this one-off build.
            var configuration = try database.poolConfiguration(applicationName: "advocacy-seed")
            configuration.connection.statementTimeout = nil
            let rollupPool = ConnectionPool(configuration: configuration, logger: logger)
            let queued = try await Rollups.queuedDays(organization: summary.organizationID, pool: pool)
            var done = 0
            while case let count = try await Rollups.maintainQueued(days: 32, pool: rollupPool), count > 0 {
                done += count
                rollups.update(done: min(done, queued), total: max(queued, 1))
            }
            await rollupPool.close()
            rollups.finish()
            print("rollups: \(done) days in \((ContinuousClock.now - rollupStart).components.seconds) s")
        } catch {
            progress.finish()
            await pool.close()
            throw error
        }
        await pool.close()
    }
}
