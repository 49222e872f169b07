import Foundation
import HTTPTypes
import Hummingbird
import Postgres
import Synchronization

/// How far behind the primary the read pool's data is, so a dashboard can say so: 0 on the primary, or on a
/// standby that has replayed all it received; otherwise the time since the last transaction it replayed was
/// committed. Asked of the read pool at most once a second, whatever the request rate.
final class ReplicaLag: Sendable {
    let pool: ConnectionPool
    let maximumAge: Duration
    private let cached = Mutex<(value: Double?, at: ContinuousClock.Instant)?>(nil)

    init(pool: ConnectionPool, maximumAge: Duration = .seconds(1)) {
        self.pool = pool
        self.maximumAge = maximumAge
    }

    /// Seconds behind the primary; nil when the standby cannot tell (it has replayed nothing yet).
    func seconds() async throws -> Double? {
        let now = ContinuousClock.now
        if let cached = cached.withLock({ $0 }), now - cached.at < maximumAge { return cached.value }
        let value = try await pool.query(
            """
            SELECT CASE
                WHEN NOT pg_is_in_recovery() THEN 0
                WHEN pg_last_wal_receive_lsn() IS NOT DISTINCT FROM pg_last_wal_replay_lsn() THEN 0
                ELSE extract(epoch FROM now() - pg_last_xact_replay_timestamp())::float8
            END
            """
        )[0].decode(Double?.self, at: 0)
        cached.withLock { $0 = (value, now) }
        return value
    }

    static let header = HTTPField.Name("X-Replica-Lag-Seconds")

    /// Adds the header to `response` (left out when the lag cannot be told).
    func annotate(_ response: inout Response) async throws {
        guard let header = Self.header, let seconds = try await seconds() else { return }
        response.headers[header] = String(format: "%.3f", max(0, seconds))
    }
}

/// Adds `X-Replica-Lag-Seconds` to the answers of GET requests that read through the read pool.
struct ReplicaLagMiddleware: RouterMiddleware {
    typealias Context = AppRequestContext
    let lag: ReplicaLag

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var response = try await next(request, context)
        if request.method == .get { try await lag.annotate(&response) }
        return response
    }
}
