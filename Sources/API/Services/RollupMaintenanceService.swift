import Computation
import Logging
import Metrics
import Postgres
import ServiceLifecycle

/// Recomputes the rollup days that ingestion queued, a few days a transaction, until none is left; then
/// looks again every `idle` interval. Any number of instances may run it: each organisation is maintained by
/// one of them at a time.
///
/// An organisation still receiving facts is left alone until its queue has been quiet for `settledFor`
/// (or its oldest day has waited `atMostBehind`): a burst of ingestion queues the same days again and again,
/// and recomputing them in between would take a core from the ingestion for work redone a moment later.
/// Reads do not wait for this: while days are queued, the KPI functions answer from the facts.
struct RollupMaintenanceService: Service {
    let pool: ConnectionPool
    let logger: Logger
    var daysPerTransaction = 4
    var idle: Duration = .milliseconds(500)
    var settledFor: Duration = .seconds(2)
    var atMostBehind: Duration = .seconds(60)
    /// How often the queue's size and age are read for the metrics.
    var sampleEvery: Duration = .seconds(5)

    func run() async throws {
        let metrics = MaintenanceMetrics()
        await cancelWhenGracefulShutdown {
            // The queue is watched apart from the work: a maintenance stuck on a lock or a huge day is exactly
            // when its growing age must show.
            await withTaskGroup(of: Void.self) { group in
                group.addTask { await watchQueue(metrics) }
                group.addTask { await maintain(metrics) }
                await group.next()
                group.cancelAll()
            }
        }
    }

    private func watchQueue(_ metrics: MaintenanceMetrics) async {
        while !Task.isCancelled {
            await metrics.sample(pool: pool, logger: logger)
            try? await Task.sleep(for: sampleEvery)
        }
    }

    private func maintain(_ metrics: MaintenanceMetrics) async {
        let clock = ContinuousClock()
        while !Task.isCancelled {
            let start = clock.now
            do {
                let done = try await Rollups.maintainQueued(
                    days: daysPerTransaction, settledFor: settledFor, atMostBehind: atMostBehind, pool: pool
                )
                if done > 0 {
                    metrics.pass(days: done, took: clock.now - start)
                    continue
                }
            } catch where Task.isCancelled {
                return  // shutting down: the statement was cancelled with the task, not a failure
            } catch let error as RollupMaintenanceError {
                metrics.failures.increment(by: error.failures.count)
                for failure in error.failures {
                    logger.error("rollup maintenance of an organisation failed; retrying",
                                 metadata: ["organization_id": "\(failure.organization)", "error": .error(failure.error)])
                }
                if error.done > 0 {
                    metrics.pass(days: error.done, took: clock.now - start)
                    continue
                }
            } catch {
                metrics.failures.increment()
                logger.error("rollup maintenance failed; retrying", metadata: ["error": .error(error)])
            }
            try? await Task.sleep(for: idle)
        }
    }
}

/// The queue's size and age (counts across organisations, never an organisation id), and what maintenance does.
private struct MaintenanceMetrics: Sendable {
    let organizations = Gauge(label: "rollup_queue_organizations")
    let days = Gauge(label: "rollup_queue_days")
    let oldestAge = Gauge(label: "rollup_queue_oldest_age_seconds")
    let duration = Metrics.Timer(label: "rollup_maintenance_duration_seconds")
    let maintained = Counter(label: "rollup_maintenance_days_total")
    let failures = Counter(label: "rollup_maintenance_failures_total")

    func pass(days count: Int, took elapsed: Duration) {
        maintained.increment(by: count)
        duration.record(duration: elapsed)
    }

    func sample(pool: ConnectionPool, logger: Logger) async {
        do {
            let status = try await Rollups.queueStatus(pool: pool)
            organizations.record(status.organizations)
            days.record(status.days)
            oldestAge.record(status.oldestAgeSeconds)
        } catch {
            logger.warning("reading the rollup queue for the metrics failed", metadata: ["error": .error(error)])
        }
    }
}
