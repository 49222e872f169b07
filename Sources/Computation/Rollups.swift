import Foundation
import Postgres

/// The rollup tables (schema `rollup`, see `SQL/schema`) are kept by `rollup.maintain`: days queued by the
/// fact triggers are recomputed from the raw facts, by the background service only, on the primary. Reads
/// never write: while days up to a period's end are queued, the KPI functions answer from the facts
/// (`rollup.settled`), so an answer never lags behind the facts committed before it.
public enum Rollups {
    /// How long one transaction of background maintenance may run.
    static let backgroundStatementTimeout = "10min"

    /// How many distinct days of the organisation are queued for maintenance.
    public static func queuedDays(organization: UUID, pool: ConnectionPool) async throws -> Int {
        try await pool.tenantQuery(
            organization, "SELECT count(DISTINCT day) FROM rollup.dirty_days WHERE organization_id = $1", [organization]
        )[0].decode(Int.self, at: 0)
    }

    /// The queue across organisations, in counts only (for metrics: no organisation id).
    public struct QueueStatus: Sendable {
        public let organizations: Int
        public let days: Int
        /// How long the oldest queued entry has waited, in seconds; 0 when the queue is empty.
        public let oldestAgeSeconds: Double
    }

    public static func queueStatus(pool: ConnectionPool) async throws -> QueueStatus {
        let row = try await pool.query("SELECT organizations, days, oldest_age_seconds FROM rollup.queue_status()")[0]
        return QueueStatus(
            organizations: try row.decode(Int.self, "organizations"), days: try row.decode(Int.self, "days"),
            oldestAgeSeconds: try row.decode(Double.self, "oldest_age_seconds")
        )
    }

    /// Recomputes every queued day of the organisation up to `through` now, waiting for another maintainer of
    /// the organisation to finish first: for tools and tests that need the rollups current. Reads never call
    /// this: while days are queued, the KPI functions answer from the facts (`rollup.settled`).
    public static func maintainAll(organization: UUID, through: String, pool: ConnectionPool) async throws {
        try await pool.tenantQuery(organization, "SELECT rollup.maintain($1, NULL, $2::date, 2147483647, true)", [organization, through])
    }

    /// One round of background maintenance: for every organisation with queued days, at most `days` of them
    /// in one transaction; an organisation another instance is maintaining is skipped. Returns the days done.
    /// - Parameters:
    ///   - settledFor: leave an organisation whose queue grew less than this long ago (ingestion is still
    ///     touching the same days; recomputing them now would be redone a moment later)...
    ///   - atMostBehind: ...unless its oldest queued day has waited this long.
    public static func maintainQueued(
        days: Int, settledFor: Duration = .zero, atMostBehind: Duration = .zero, pool: ConnectionPool
    ) async throws -> Int {
        let organizations = try await pool.query(
            "SELECT o FROM rollup.organizations_to_maintain($1 * interval '1 s', $2 * interval '1 s') AS o",
            [settledFor.inSeconds, atMostBehind.inSeconds]
        ).map { try $0.decode(UUID.self, at: 0) }
        var done = 0
        var failures: [RollupMaintenanceError.Failure] = []
        for organization in organizations {
            // One organisation's failure must not hold back the others'.
            do {
                done += try await maintain(organization, days: days, pool: pool)
            } catch is CancellationError {
                throw CancellationError()
            } catch {
                failures.append(.init(organization: organization, error: error))
            }
        }
        guard failures.isEmpty else { throw RollupMaintenanceError(failures: failures, done: done) }
        return done
    }

    private static func maintain(_ organization: UUID, days: Int, pool: ConnectionPool) async throws -> Int {
        let count = try await pool.tenantTransaction(organization) { connection in
            // Background work, not a request: the pool's statement timeout is for requests. Cancelled at
            // 30 s, a slow transaction (a busy machine, a big day, a bad plan) loses all its work
            // and is started again from the beginning, over and over.
            try connection.execute("SET LOCAL statement_timeout = '\(Self.backgroundStatementTimeout)'")
            return try connection.query("SELECT rollup.maintain($1, NULL, NULL, $2, false)", [organization, days])[0]
                .decode(Int.self, at: 0)
        }
        return max(count, 0)
    }
}

/// Organisations whose queued days could not be maintained in a pass, and what the pass did for the others.
public struct RollupMaintenanceError: Error, CustomStringConvertible {
    public struct Failure: Sendable {
        public let organization: UUID
        public let error: any Error
    }

    public let failures: [Failure]
    /// Days recomputed for the other organisations.
    public let done: Int

    public var description: String {
        failures.map { "organisation \($0.organization): \($0.error)" }.joined(separator: "; ")
    }
}

extension Duration {
    var inSeconds: Double {
        let (seconds, attoseconds) = components
        return Double(seconds) + Double(attoseconds) / 1e18
    }
}
