import Foundation
import Postgres

/// The rollup tables (schema `rollup`, see `SQL/schema`) are kept by `rollup.maintain`: days queued by the
/// fact triggers are recomputed from the raw facts. The background service recomputes whatever is queued;
/// a read first recomputes the queued days it is about to read, so an answer never lags behind the facts
/// committed before it.
public enum Rollups {
    /// How long one transaction of background maintenance may run.
    static let backgroundStatementTimeout = "10min"

    /// The most queued days a read recomputes itself. More (a backfill of past years) is the background
    /// maintenance's work: a read that took it on would run past the statement timeout, holding one of the
    /// connections all tenants share, again and again until the background caught up.
    public static let readMaintenanceLimit = 62

    /// How many distinct days of the organisation are queued for maintenance.
    public static func queuedDays(organization: UUID, pool: ConnectionPool) async throws -> Int {
        try await pool.tenantQuery(
            organization, "SELECT count(DISTINCT day) FROM rollup.dirty_days WHERE organization_id = $1", [organization]
        )[0].decode(Int.self, at: 0)
    }

    /// Recomputes the queued days up to `through` for a read (a period's numbers also depend on the days before
    /// it: SSI states, who was seen before), waiting for another maintainer of the organisation to finish
    /// first. Nothing queued: one index probe, no lock.
    /// - Parameter atMost: the most queued days to take on (nil: all, for tools and tests that need every day
    ///   maintained now).
    /// - Throws: `RollupsBehind` when more than `atMost` days are queued up to `through`.
    public static func refresh(
        organization: UUID, through: String, atMost: Int? = readMaintenanceLimit, pool: ConnectionPool
    ) async throws {
        try await pool.tenantTransaction(organization) { connection in
            if let atMost {
                let queued = try connection.query(
                    """
                    SELECT count(*) FROM (
                        SELECT DISTINCT day FROM rollup.dirty_days WHERE organization_id = $1 AND day <= $2::date LIMIT $3
                    ) AS q
                    """,
                    [organization, through, atMost + 1], prepared: true
                )[0].decode(Int.self, at: 0)
                guard queued <= atMost else { throw RollupsBehind(organization: organization) }
                guard queued > 0 else { return }
            }
            try connection.query("SELECT rollup.maintain($1, NULL, $2::date, 2147483647, true)", [organization, through])
        }
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

/// More days are queued than a read recomputes itself (`Rollups.readMaintenanceLimit`): the background
/// maintenance is catching up after a backfill; the read is worth retrying in a while.
public struct RollupsBehind: Error, CustomStringConvertible {
    public let organization: UUID

    public var description: String {
        "more than \(Rollups.readMaintenanceLimit) days of organisation \(organization) are queued for rollup maintenance"
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
