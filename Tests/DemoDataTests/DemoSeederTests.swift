import DemoData
import Foundation
import Postgres
import TestSupport
import Testing

@Suite("Demo organisation")
struct DemoSeederTests {
    static let endDate = Date(timeIntervalSince1970: 1_782_777_600)  // 2026-06-30

    func seed(slug: String, facts: Int, on pool: ConnectionPool) async throws -> DemoSummary {
        let plan = DemoPlan(facts: facts, seed: 7, endDate: Self.endDate, slug: slug)
        return try await DemoSeeder(plan: plan, logger: TestDatabase.logger).run(on: pool) { _, _ in }
    }

    /// A digest of everything the demo wrote for one organisation, without its id.
    func fingerprint(_ organization: UUID, on pool: ConnectionPool) async throws -> [String] {
        let queries = [
            "SELECT md5(string_agg(post_id || ambassador_id || network || coalesce(content_id, '') || posted_at, ',' ORDER BY post_id)) FROM fact.posts WHERE organization_id = $1",
            "SELECT sum(impressions)::text || '/' || sum(clicks) FROM fact.post_metric_observations WHERE organization_id = $1",
            "SELECT sum(total_score)::text FROM fact.ssi_snapshots WHERE organization_id = $1",
            "SELECT md5(string_agg(landing_url, ',' ORDER BY visit_id)) FROM fact.web_visits WHERE organization_id = $1",
            "SELECT sum(estimated_value)::text FROM fact.leads WHERE organization_id = $1",
            "SELECT count(*)::text FROM fact.application_stage_changes WHERE organization_id = $1",
        ]
        var result: [String] = []
        for query in queries {
            result.append(try await pool.query(query, [organization])[0].decode(String.self, at: 0))
        }
        return result
    }

    @Test("the same plan gives the same data, every fact table is filled, and the data is plausible")
    func deterministicAndPlausible() async throws {
        try await TestDatabase.withPool(size: 2) { pool in
            let suffix = UUID().uuidString.lowercased().prefix(8)
            let first = try await seed(slug: "demo-a-\(suffix)", facts: 20_000, on: pool)
            let second = try await seed(slug: "demo-b-\(suffix)", facts: 20_000, on: pool)
            #expect(first.organizationID != second.organizationID)
            #expect(try await fingerprint(first.organizationID, on: pool) == fingerprint(second.organizationID, on: pool))
            #expect(first.totalFacts > 15_000, "\(first)")
            for (table, count) in first.rows {
                #expect(count > 0, "\(table) is empty")
            }

            let organization = first.organizationID
            // Cumulative counters never go down from one observation to the next.
            let decreasing = try await pool.query(
                """
                SELECT count(*) FROM (
                    SELECT impressions < lag(impressions) OVER w OR reactions < lag(reactions) OVER w AS down
                    FROM fact.post_metric_observations WHERE organization_id = $1
                    WINDOW w AS (PARTITION BY post_id ORDER BY observed_at)
                ) AS steps WHERE down
                """,
                [organization]
            )[0].decode(Int.self, at: 0)
            #expect(decreasing == 0)
            // Advocacy-sourced leads are won several times as often as the others (seed 004 says 7x).
            let rates = try await pool.query(
                """
                SELECT source_channel = 'employee_advocacy' AS advocacy,
                       avg((EXISTS (SELECT 1 FROM fact.lead_stage_changes c
                                    WHERE c.organization_id = l.organization_id AND c.lead_id = l.lead_id
                                      AND c.stage = 'won'))::int)::float8 AS won_rate
                FROM fact.leads AS l WHERE organization_id = $1 GROUP BY 1 ORDER BY 1
                """,
                [organization]
            )
            let others = try rates[0].decode(Double.self, "won_rate")
            let advocacy = try rates[1].decode(Double.self, "won_rate")
            #expect(advocacy > others * 3, "advocacy \(advocacy) vs others \(others)")
            // Written through the ingest functions: people are keyed hashes of their identifiers under the
            // organisation's key, sections follow the careers rule, each member's first touch is kept.
            let ingested = try await pool.query(
                """
                SELECT (SELECT count(*) FROM fact.web_visits AS v JOIN core.organizations AS o USING (organization_id)
                        WHERE v.organization_id = $1
                          AND v.visitor_hash <> ALL (SELECT core.pseudonym(o.pseudonym_key, 'visitor-' || n) FROM generate_series(0, 20000) AS n)),
                       (SELECT count(*) FROM fact.web_visits WHERE organization_id = $1
                          AND (site_section = 'careers') <> (landing_url LIKE 'https://www.demo-corp.example/careers/%')),
                       (SELECT count(*) FROM fact.audience_touches AS t JOIN core.organizations AS o USING (organization_id)
                        WHERE t.organization_id = $1
                          AND t.member_hash <> ALL (SELECT core.pseudonym(o.pseudonym_key, 'member-' || n) FROM generate_series(0, 20000) AS n)),
                       (SELECT count(DISTINCT member_hash) FROM fact.audience_touches WHERE organization_id = $1)
                       - (SELECT count(*) FROM fact.audience_members WHERE organization_id = $1),
                       (SELECT count(*) FROM core.ambassadors WHERE organization_id = $1 AND (team IS NULL OR enrolled_at IS NULL))
                """,
                [organization]
            )[0]
            #expect(try (0..<5).map { try ingested.decode(Int.self, at: $0) } == [0, 0, 0, 0, 0])
            #expect(try await pool.query("SELECT count(*) FROM fact.web_visits WHERE organization_id = $1 AND site_section = 'careers'",
                                         [organization])[0].decode(Int.self, at: 0) > 0)

            // Nothing is dated after the end of the demo year.
            let late = try await pool.query(
                "SELECT count(*) FROM fact.posts WHERE organization_id = $1 AND posted_at >= '2026-07-01'", [organization]
            )[0].decode(Int.self, at: 0)
            #expect(late == 0)
        }
    }

    @Test("seeding again replaces the organisation instead of doubling it")
    func replaces() async throws {
        try await TestDatabase.withPool(size: 1) { pool in
            let slug = "demo-r-\(UUID().uuidString.lowercased().prefix(8))"
            let first = try await seed(slug: slug, facts: 5_000, on: pool)
            let again = try await seed(slug: slug, facts: 5_000, on: pool)
            // Nothing of the replaced organisation is left, in tables with or without a foreign key.
            let leftovers = try await pool.query(
                """
                SELECT (SELECT count(*) FROM fact.posts WHERE organization_id = $1)
                     + (SELECT count(*) FROM fact.post_metric_observations WHERE organization_id = $1)
                     + (SELECT count(*) FROM fact.web_visits WHERE organization_id = $1)
                     + (SELECT count(*) FROM core.ambassadors WHERE organization_id = $1)
                """,
                [first.organizationID]
            )[0].decode(Int.self, at: 0)
            #expect(leftovers == 0)
            let counts = try await pool.query(
                """
                SELECT (SELECT count(*) FROM core.organizations WHERE slug = $1),
                       (SELECT count(*) FROM fact.posts p JOIN core.organizations o USING (organization_id) WHERE o.slug = $1)
                """,
                [slug]
            )[0]
            #expect(try counts.decode(Int.self, at: 0) == 1)
            #expect(try counts.decode(Int.self, at: 1) == again.rows.first { $0.table == "fact.posts" }?.count)
        }
    }
}
