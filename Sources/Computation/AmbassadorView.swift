import Foundation
import Postgres

/// One ambassador's own view (`GET /v1/me`): their numbers and ranks (`kpi.ambassador_summary`), their SSI with its
/// pillars and weekly change, their goal and the date their trend reaches it, what they could share next
/// (`kpi.content_suggestions`), and the organisation's first five by posts as ranks only (display names where the
/// organisation allows it). Nothing else of any other ambassador.
public enum AmbassadorView {
    public struct Me: Sendable, Encodable {
        public let period: Period
        public let summary: Record
        /// The latest snapshot on or before the period's end, with `weekly_change`; nil without one.
        public let ssi: Record?
        public let goal: Record?
        public let suggestions: [Record]
        /// The first five by posts: rank, posts, `you`, and `display_name` only where the organisation allows it.
        public let leaders: [Record]
    }

    /// - Returns: nil when the organisation has no such ambassador.
    public static func load(organization: UUID, ambassador: String, period: Period, pool: ConnectionPool) async throws -> Me? {
        let parameters: [(any PostgresEncodable)?] = [organization, ambassador, period.from, period.to]
        let atEnd: [(any PostgresEncodable)?] = [organization, ambassador, period.to]
        async let summary = pool.tenantQuery(organization, "SELECT * FROM kpi.ambassador_summary($1, $2, $3::date, $4::date)", parameters)
        async let ssi = pool.tenantQuery(
            organization,
            """
            SELECT s.snapshot_date, s.total_score, s.brand_score, s.people_score, s.insights_score, s.relationships_score,
                   s.industry_rank_top_pct, s.network_rank_top_pct, s.total_score - w.total_score AS weekly_change
            FROM kpi.ssi_latest($1, $3::date) AS s
            LEFT JOIN kpi.ssi_latest($1, $3::date - 7) AS w ON w.ambassador_id = s.ambassador_id
            WHERE s.ambassador_id = $2
            """,
            atEnd
        )
        async let goal = pool.tenantQuery(
            organization,
            """
            SELECT g.target_score, g.target_date, g.current_score, g.progress, g.trend_per_week, g.projected_date, g.on_track
            FROM kpi.ssi_goal_progress($1, $3::date) AS g
            WHERE g.ambassador_id = $2
            """,
            atEnd
        )
        async let suggestions = pool.tenantQuery(organization, "SELECT * FROM kpi.content_suggestions($1, $2, $3::date, $4::date, 5)", parameters)
        async let leaders = pool.tenantQuery(
            organization,
            """
            SELECT l.rank, l.posts, l.ambassador_id = $2 AS you, CASE WHEN o.ambassadors_see_names THEN a.display_name END AS display_name
            FROM kpi.ambassador_leaderboard_page($1, $3::date, $4::date, 'posts', NULL, NULL, NULL, NULL, NULL, 5, 0) AS l
            JOIN core.organizations AS o ON o.organization_id = $1
            LEFT JOIN core.ambassadors AS a ON a.organization_id = $1 AND a.ambassador_id = l.ambassador_id
            ORDER BY l.rank, l.ambassador_id
            """,
            parameters
        )
        guard let found = try Record.rows(of: try await summary).first else { return nil }
        return Me(
            period: period, summary: found, ssi: try Record.rows(of: try await ssi).first, goal: try Record.rows(of: try await goal).first,
            suggestions: try Record.rows(of: try await suggestions), leaders: try Record.rows(of: try await leaders)
        )
    }
}
