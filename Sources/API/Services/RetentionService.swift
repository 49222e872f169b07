import Ingestion
import Logging
import Postgres
import ServiceLifecycle

/// Deletes refused items older than the retention period, once shortly after start and then every `interval`,
/// so `ingest.rejected_items` (raw bytes that may name people) cannot grow without end. Several instances may
/// run it: deleting what another one deleted already deletes nothing.
struct RetentionService: Service {
    let pool: ConnectionPool
    let logger: Logger
    let retention: Duration
    var interval: Duration = .seconds(3600)
    var firstRunAfter: Duration = .seconds(30)

    func run() async throws {
        await cancelWhenGracefulShutdown {
            var wait = firstRunAfter
            while !Task.isCancelled {
                do {
                    try await Task.sleep(for: wait)
                } catch {
                    return
                }
                wait = interval
                do {
                    let deleted = try await RejectedItems.deleteExpired(retention: retention, on: pool)
                    if deleted > 0 { logger.info("refused items past their retention deleted", metadata: ["deleted": "\(deleted)"]) }
                } catch {
                    logger.error("deleting expired refused items failed; retrying later", metadata: ["error": .error(error)])
                }
            }
        }
    }
}
