import Postgres
import ServiceLifecycle

/// Keeps the pool open while the service runs, and closes it (after in-flight work) on shutdown.
struct ConnectionPoolService: Service {
    let pool: ConnectionPool

    func run() async throws {
        // Cancellation and graceful shutdown both end the wait; either way the pool closes.
        try? await gracefulShutdown()
        await pool.close()
    }
}
