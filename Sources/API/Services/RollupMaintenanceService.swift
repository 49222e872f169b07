import Computation
import Logging
import Postgres
import ServiceLifecycle

/// Recomputes the rollup days that ingestion queued, a few days a transaction, until none is left; then
/// looks again every `idle` interval. Any number of instances may run it: each organisation is maintained by
/// one of them at a time.
struct RollupMaintenanceService: Service {
    let pool: ConnectionPool
    let logger: Logger
    var daysPerTransaction = 4
    var idle: Duration = .milliseconds(500)

    func run() async throws {
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                do {
                    if try await Rollups.maintainQueued(days: daysPerTransaction, pool: pool) > 0 { continue }
                } catch is CancellationError {
                    return
                } catch {
                    logger.error("rollup maintenance failed; retrying", metadata: ["error": "\(error)"])
                }
                try? await Task.sleep(for: idle)
            }
        }
    }
}
