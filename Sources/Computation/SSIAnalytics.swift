import Foundation
import Postgres

/// The SSI views (`kpi.ssi_*` in `SQL/definitions/functions/kpi`), shaped for the API: PostgreSQL builds the
/// JSON, so the numbers are exactly the ones a BI tool reads from the same functions. They read the SSI spans
/// of the rollups (`rollup.ssi_spans`): each read first recomputes the queued days up to its date.
public enum SSIAnalytics {
    /// Summary, bands, leaderboard, most improved since `improvedSince`, and goals, at `date`: five reads run
    /// concurrently, each answering its part's JSON.
    public static func overview(
        organization: UUID, date: String, team: String?, improvedSince: String, pool: ConnectionPool, refresh: Bool = true
    ) async throws -> String {
        if refresh { try await Rollups.refresh(organization: organization, through: date, pool: pool) }
        let base: [(any PostgresEncodable)?] = [organization, date, team]
        let parts: [(name: String, sql: String, parameters: [(any PostgresEncodable)?])] = [
            ("summary", "SELECT row_to_json(s) FROM kpi.ssi_summary($1, $2::date, $3) AS s", base),
            ("bands", "SELECT coalesce(json_agg(b), '[]') FROM kpi.ssi_band_distribution($1, $2::date, $3) AS b", base),
            ("leaderboard", "SELECT coalesce(json_agg(l), '[]') FROM (SELECT * FROM kpi.ssi_leaderboard($1, $2::date, $3) LIMIT 50) AS l", base),
            ("most_improved", """
                SELECT coalesce(json_agg(m), '[]') FROM (SELECT * FROM kpi.ssi_most_improved($1, $4::date, $2::date, $3) LIMIT 20) AS m
                """, base + [improvedSince]),
            ("goals", """
                SELECT coalesce(json_agg(g), '[]')
                FROM kpi.ssi_goal_progress($1, $2::date) AS g
                WHERE $3::text IS NULL OR EXISTS (
                    SELECT 1 FROM core.ambassadors AS a
                    WHERE a.organization_id = $1 AND a.ambassador_id = g.ambassador_id AND a.team = $3)
                """, base),
        ]
        let answers = try await withThrowingTaskGroup(of: (String, String).self) { group in
            for part in parts {
                group.addTask {
                    let row = try await pool.tenantQuery(organization, "SELECT (\(part.sql))::text", part.parameters)[0]
                    return (part.name, try row.decode(String?.self, at: 0) ?? "null")
                }
            }
            var answers: [String: String] = [:]
            for try await (name, json) in group { answers[name] = json }
            return answers
        }
        var out = "{\"date\":\(JSONText.string(date)),\"team\":\(team.map(JSONText.string) ?? "null")"
        for part in parts { out += ",\(JSONText.string(part.name)):\(answers[part.name] ?? "null")" }
        return out + ",\"most_improved_since\":\(JSONText.string(improvedSince))}"
    }

    /// The leaderboard at `date` as a JSON array.
    public static func leaderboardJSON(organization: UUID, date: String, team: String?, pool: ConnectionPool) async throws -> String {
        try await Rollups.refresh(organization: organization, through: date, pool: pool)
        return try await pool.tenantQuery(
            organization, "SELECT coalesce(json_agg(l), '[]')::text FROM kpi.ssi_leaderboard($1, $2::date, $3) AS l", [organization, date, team]
        )[0].decode(String.self, at: 0)
    }

    /// The leaderboard at `date` as CSV.
    public static func leaderboardCSV(organization: UUID, date: String, team: String?, pool: ConnectionPool) async throws -> String {
        try await Rollups.refresh(organization: organization, through: date, pool: pool)
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
