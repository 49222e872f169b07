import Computation
import Logging
import Postgres
import ServiceLifecycle

/// Recomputes the rollup days that ingestion queued, a few days a transaction, until none is left; then
/// looks again every `idle` interval. Any number of instances may run it: each organisation is maintained by
/// one of them at a time.
///
/// An organisation still receiving facts is left alone until its queue has been quiet for `settledFor`
/// (or its oldest day has waited `atMostBehind`): a burst of ingestion queues the same days again and again,
/// and recomputing them in between would take a core from the ingestion for work redone a moment later.
/// Reads do not wait for this: a request recomputes the queued days it reads first.
struct RollupMaintenanceService: Service {
    let pool: ConnectionPool
    let logger: Logger
    var daysPerTransaction = 4
    var idle: Duration = .milliseconds(500)
    var settledFor: Duration = .seconds(2)
    var atMostBehind: Duration = .seconds(60)

    func run() async throws {
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                do {
                    let done = try await Rollups.maintainQueued(
                        days: daysPerTransaction, settledFor: settledFor, atMostBehind: atMostBehind, pool: pool
                    )
                    if done > 0 { continue }
                } catch is CancellationError {
                    return
                } catch let error as RollupMaintenanceError {
                    for failure in error.failures {
                        logger.error("rollup maintenance of an organisation failed; retrying",
                                     metadata: ["organization": "\(failure.organization)", "error": "\(failure.error)"])
                    }
                    if error.done > 0 { continue }
                } catch {
                    logger.error("rollup maintenance failed; retrying", metadata: ["error": "\(error)"])
                }
                try? await Task.sleep(for: idle)
            }
        }
    }
}
