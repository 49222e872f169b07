import Foundation
import Postgres

/// The SSI views (`kpi.ssi_*` in `SQL/definitions/functions/kpi`), shaped for the API: the numbers are exactly
/// the ones a BI tool reads from the same functions. They read the SSI rows of the rollups (`rollup.ssi_days`), or
/// the snapshots while days up to the date are queued.
public enum SSIAnalytics {
    /// Everything the SSI page and `GET /v1/ssi` show at a date.
    public struct Overview: Sendable, Encodable {
        public let date: String
        public let team: String?
        /// Averages at the date, with the weekly and monthly change; nil when the database answered no row.
        public let summary: Record?
        public let bands: [Record]
        /// The first 50.
        public let leaderboard: [Record]
        /// The first 20, over [mostImprovedSince, date].
        public let mostImproved: [Record]
        public let goals: [Record]
        public let mostImprovedSince: String

        enum CodingKeys: String, CodingKey {
            case date, team, summary, bands, leaderboard, mostImproved = "most_improved", goals, mostImprovedSince = "most_improved_since"
        }
    }

    /// Summary, bands, leaderboard, most improved since `improvedSince`, and goals, at `date`: five reads run
    /// concurrently.
    public static func overview(
        organization: UUID, date: String, team: String?, improvedSince: String, pool: ConnectionPool
    ) async throws -> Overview {
        let base: [(any PostgresEncodable)?] = [organization, date, team]
        let parts: [(name: String, sql: String, parameters: [(any PostgresEncodable)?])] = [
            ("summary", "SELECT * FROM kpi.ssi_summary($1, $2::date, $3)", base),
            ("bands", "SELECT * FROM kpi.ssi_band_distribution($1, $2::date, $3)", base),
            ("leaderboard", "SELECT * FROM kpi.ssi_leaderboard($1, $2::date, $3) LIMIT 50", base),
            ("most_improved", "SELECT * FROM kpi.ssi_most_improved($1, $4::date, $2::date, $3) LIMIT 20", base + [improvedSince]),
            ("goals", """
                SELECT g.*
                FROM kpi.ssi_goal_progress($1, $2::date) AS g
                WHERE $3::text IS NULL OR EXISTS (
                    SELECT 1 FROM core.ambassadors AS a
                    WHERE a.organization_id = $1 AND a.ambassador_id = g.ambassador_id AND a.team = $3)
                """, base),
        ]
        let answers = try await withThrowingTaskGroup(of: (String, [Record]).self) { group in
            for part in parts {
                group.addTask {
                    (part.name, try Record.rows(of: try await pool.tenantQuery(organization, part.sql, part.parameters)))
                }
            }
            var answers: [String: [Record]] = [:]
            for try await (name, rows) in group { answers[name] = rows }
            return answers
        }
        return Overview(
            date: date, team: team, summary: answers["summary"]?.first, bands: answers["bands"] ?? [],
            leaderboard: answers["leaderboard"] ?? [], mostImproved: answers["most_improved"] ?? [], goals: answers["goals"] ?? [],
            mostImprovedSince: improvedSince
        )
    }

    /// The leaderboard at `date`: every ambassador with a snapshot.
    public static func leaderboard(organization: UUID, date: String, team: String?, pool: ConnectionPool) async throws -> [Record] {
        return try Record.rows(
            of: try await pool.tenantQuery(organization, "SELECT * FROM kpi.ssi_leaderboard($1, $2::date, $3)", [organization, date, team])
        )
    }

    /// The leaderboard at `date` as CSV.
    public static func leaderboardCSV(organization: UUID, date: String, team: String?, pool: ConnectionPool) async throws -> String {
        let rows = try await pool.tenantQuery(
            organization, "SELECT rank::text, ambassador_id, coalesce(team, ''), total_score::text, snapshot_date::text FROM kpi.ssi_leaderboard($1, $2::date, $3)",
            [organization, date, team]
        )
        return CSVText.table(
            header: ["rank", "ambassador_id", "team", "total_score", "snapshot_date"],
            rows: try rows.map { row in try (0..<5).map { try row.decode(String.self, at: $0) } }
        )
    }

    /// Sets (or replaces) an ambassador's goal.
    public static func setGoal(
        organization: UUID, ambassadorID: String, targetScore: String, targetDate: String, pool: ConnectionPool
    ) async throws {
        try await pool.tenantQuery(
            organization,
            """
            INSERT INTO core.ssi_goals (organization_id, ambassador_id, target_score, target_date)
            VALUES ($1, $2, $3::numeric, $4::date)
            ON CONFLICT (organization_id, ambassador_id) DO UPDATE
            SET target_score = excluded.target_score, target_date = excluded.target_date, set_at = now()
            """,
            [organization, ambassadorID, targetScore, targetDate]
        )
    }
}
