import DemoData
import Foundation
import Ingestion
import Migrations
import Postgres
import TestSupport
import Testing
import Vocabulary

@testable import Computation

/// The rollups must give exactly what the raw facts give: every KPI and every series, for random periods,
/// after late facts of every kind, and with several maintainers at work at once.
@Suite("Rollups")
struct RollupTests {
    static let endDate = Date(timeIntervalSince1970: 1_782_777_600)  // 2026-06-30
    static let granularities = Granularity.names

    /// A demo organisation with generated data (its days queued by the triggers, not yet maintained).
    func demo(_ pool: ConnectionPool, seed: UInt64, facts: Int = 20_000) async throws -> UUID {
        let slug = "rollup-\(UUID().uuidString.lowercased().prefix(12))"
        let plan = DemoPlan(facts: facts, seed: seed, endDate: Self.endDate, slug: slug)
        return try await DemoSeeder(plan: plan, logger: TestDatabase.logger).run(on: pool) { _, _ in }.organizationID
    }

    /// Periods drawn from `seed` over the demo year and around it (before any fact, after the last, one day),
    /// printed by the failing expectation so that a failure can be replayed.
    func periods(seed: UInt64, count: Int) -> [(String, String)] {
        var state = seed
        // SplitMix64: a few lines, the same periods on every machine.
        func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withFullDate]
        func day(_ offset: Int) -> String { formatter.string(from: Self.endDate.addingTimeInterval(Double(offset) * 86_400)) }
        var result = [(day(-364), day(0)), (day(-89), day(0)), (day(-500), day(-380)), (day(1), day(30)), (day(-40), day(-40))]
        for _ in 0..<count {
            let start = Int(next() % 420) - 400
            let length = Int(next() % 200)
            result.append((day(start), day(start + length)))
        }
        return result
    }

    /// The KPIs and the series of `period` that differ between the rollups and the raw facts.
    func differences(_ organization: UUID, _ period: (String, String), on pool: ConnectionPool) async throws -> [String] {
        var found: [String] = []
        let summary = try await pool.query(
            """
            SELECT coalesce(r.key, u.key)
            FROM kpi.summary_raw($1, $2::date, $3::date) AS r
            FULL JOIN kpi.summary($1, $2::date, $3::date) AS u USING (key)
            WHERE (r.value, r.reason, r.detail) IS DISTINCT FROM (u.value, u.reason, u.detail)
            """,
            [organization, period.0, period.1]
        )
        found += try summary.map { "summary \(try $0.decode(String.self, at: 0))" }
        // The API's report computes the period and the one before it in one pass: both as the raw facts give them.
        let withPrevious = try await pool.query(
            """
            SELECT coalesce(r.key, w.key) || ' (' || which || ')'
            FROM kpi.summary_with_previous($1, $2::date, $3::date) AS w
            CROSS JOIN LATERAL (VALUES ('period', w.value, w.reason, w.detail), ('previous', w.previous, NULL, NULL)) AS u (which, value, reason, detail)
            FULL JOIN (
                SELECT 'period' AS which, r.* FROM kpi.summary_raw($1, $2::date, $3::date) AS r
                UNION ALL
                SELECT 'previous', r.* FROM kpi.summary_raw($1, $2::date - ($3::date - $2::date + 1), $2::date - 1) AS r
            ) AS r USING (key, which)
            WHERE (r.value, CASE WHEN which = 'period' THEN (r.reason, r.detail) END)
                  IS DISTINCT FROM (u.value, CASE WHEN which = 'period' THEN (u.reason, u.detail) END)
            """,
            [organization, period.0, period.1]
        )
        found += try withPrevious.map { "summary_with_previous \(try $0.decode(String.self, at: 0))" }
        // Each series by each granularity, each leaderboard by each ranking, the breakdown by network: the same
        // rows (ranks included).
        let tables = ["activity_series", "traffic_series", "pipeline_series", "value_series"].map { ($0, Self.granularities) }
            + [("ambassador_leaderboard", ["posts", "engagement"]), ("content_leaderboard", ["shares", "engagement_rate"]),
               ("post_breakdown", ["network"])]
        for (series, choices) in tables {
            for choice in choices {
                let rollup = "kpi.\(series)($1, $2::date, $3::date, $4)"
                let raw = "kpi.\(series)_raw($1, $2::date, $3::date, $4)"
                let count = try await pool.query(
                    """
                    SELECT count(*) FROM (
                        (SELECT * FROM \(rollup) EXCEPT ALL SELECT * FROM \(raw))
                        UNION ALL
                        (SELECT * FROM \(raw) EXCEPT ALL SELECT * FROM \(rollup))
                    ) AS differing
                    """,
                    [organization, period.0, period.1, choice]
                )[0].decode(Int.self, at: 0)
                if count > 0 { found.append("\(series) by \(choice): \(count) rows") }
            }
        }
        found += try await filteredDifferences(organization, period, on: pool)
        let ssi = try await pool.query(
            """
            SELECT count(*) FROM kpi.ssi_series($1, $2::date, $3::date, 'month') AS s, kpi.ssi_summary($1, s.as_of) AS r
            WHERE (s.ambassadors, s.average_total, s.share_above_75) IS DISTINCT FROM (r.ambassadors, r.average_total, r.share_above_75)
            """,
            [organization, period.0, period.1]
        )[0].decode(Int.self, at: 0)
        if ssi > 0 { found.append("ssi_series: \(ssi) months") }
        // Each ambassador's SSI at the start, the middle and the end of the period, of everyone and of the largest
        // team: the SSI days against the snapshots.
        let latest = try await pool.query(
            """
            SELECT count(*) FROM unnest(ARRAY[$2::date, $2::date + ($3::date - $2::date) / 2, $3::date]) AS d (at),
                   unnest(ARRAY[NULL, (SELECT mode() WITHIN GROUP (ORDER BY a.team) FROM core.ambassadors AS a
                                       WHERE a.organization_id = $1)]) AS t (team),
                   LATERAL ((SELECT * FROM kpi.ssi_latest($1, d.at, t.team) EXCEPT ALL SELECT * FROM kpi.ssi_latest_raw($1, d.at, t.team))
                            UNION ALL
                            (SELECT * FROM kpi.ssi_latest_raw($1, d.at, t.team) EXCEPT ALL SELECT * FROM kpi.ssi_latest($1, d.at, t.team))) AS x
            """,
            [organization, period.0, period.1]
        )[0].decode(Int.self, at: 0)
        if latest > 0 { found.append("ssi_latest: \(latest) rows") }
        let improved = try await pool.query(
            """
            SELECT count(*) FROM unnest(ARRAY[NULL, (SELECT mode() WITHIN GROUP (ORDER BY a.team) FROM core.ambassadors AS a
                                                    WHERE a.organization_id = $1)]) AS t (team),
                   LATERAL ((SELECT * FROM kpi.ssi_most_improved($1, $2::date, $3::date, t.team)
                             EXCEPT ALL SELECT * FROM kpi.ssi_most_improved_raw($1, $2::date, $3::date, t.team))
                            UNION ALL
                            (SELECT * FROM kpi.ssi_most_improved_raw($1, $2::date, $3::date, t.team)
                             EXCEPT ALL SELECT * FROM kpi.ssi_most_improved($1, $2::date, $3::date, t.team))) AS x
            """,
            [organization, period.0, period.1]
        )[0].decode(Int.self, at: 0)
        if improved > 0 { found.append("ssi_most_improved: \(improved) rows") }
        // The summary at the end of the period, of everyone and of the largest team, against the snapshots.
        let summaries = try await pool.query(
            """
            SELECT count(*)
            FROM unnest(ARRAY[NULL, (SELECT mode() WITHIN GROUP (ORDER BY a.team) FROM core.ambassadors AS a
                                     WHERE a.organization_id = $1)]) AS t (team)
            CROSS JOIN LATERAL kpi.ssi_summary($1, $2::date, t.team) AS s
            CROSS JOIN LATERAL (
                SELECT count(*) AS ambassadors, round(avg(n.total_score), 2) AS average_total, round(avg(n.brand_score), 2) AS average_brand,
                       round(avg(n.people_score), 2) AS average_people, round(avg(n.insights_score), 2) AS average_insights,
                       round(avg(n.relationships_score), 2) AS average_relationships,
                       round(count(*) FILTER (WHERE n.total_score > 75)::numeric / nullif(count(*), 0), 6) AS share_above_75,
                       round(avg(n.total_score) - (SELECT avg(w.total_score) FROM kpi.ssi_latest_raw($1, $2::date - 7, t.team) AS w), 2)
                           AS weekly_change,
                       round(avg(n.total_score) - (SELECT avg(m.total_score) FROM kpi.ssi_latest_raw($1, ($2::date - interval '1 month')::date, t.team) AS m), 2)
                           AS monthly_change,
                       round(avg(n.industry_rank_top_pct), 2) AS industry, round(avg(n.network_rank_top_pct), 2) AS network
                FROM kpi.ssi_latest_raw($1, $2::date, t.team) AS n
            ) AS r
            WHERE (s.ambassadors, s.average_total, s.average_brand, s.average_people, s.average_insights, s.average_relationships,
                   s.share_above_75, s.weekly_change, s.monthly_change, s.average_industry_rank_top_pct, s.average_network_rank_top_pct)
                  IS DISTINCT FROM (r.ambassadors, r.average_total, r.average_brand, r.average_people, r.average_insights,
                                    r.average_relationships, r.share_above_75, r.weekly_change, r.monthly_change, r.industry, r.network)
            """,
            [organization, period.1]
        )[0].decode(Int.self, at: 0)
        if summaries > 0 { found.append("ssi_summary: \(summaries) teams") }
        return found
    }

    /// The filtered views against the raw computation: every list that takes filters with one filter of each kind,
    /// two (from a slice) and three (from the facts), and the breakdown by every dimension under each.
    func filteredDifferences(_ organization: UUID, _ period: (String, String), on pool: ConnectionPool) async throws -> [String] {
        // The most frequent value of each filter in the posts of the period: a filter that selects something.
        let row = try await pool.query(
            """
            SELECT mode() WITHIN GROUP (ORDER BY f.team), mode() WITHIN GROUP (ORDER BY f.department),
                   mode() WITHIN GROUP (ORDER BY f.region), mode() WITHIN GROUP (ORDER BY f.network),
                   mode() WITHIN GROUP (ORDER BY f.campaign)
            FROM kpi.filtered_posts($1, $2::date, $3::date) AS f
            """,
            [organization, period.0, period.1]
        )[0]
        let values = try (0..<5).map { try row.decode(String?.self, at: $0) }
        let sets: [[Int]] = [[], [0], [1], [2], [3], [4], [0, 3], [1, 4], [3, 4], [0, 2], [0, 3, 4]]
        let lists: [(String, [String])] = [
            ("activity_series", Self.granularities), ("traffic_series", Self.granularities), ("ambassador_leaderboard", ["posts", "engagement"]),
            ("content_leaderboard", ["shares", "engagement_rate"]),
            ("post_breakdown", ["team", "department", "region", "network", "campaign"]),
        ]
        // The other pairs of team, department, region and network change only the content leaderboard (a pair slice each).
        let contentPairs: [[Int]] = [[0, 1], [1, 2], [1, 3], [2, 3]]
        var found: [String] = []
        for set in sets + contentPairs {
            var filters = [String?](repeating: nil, count: 5)
            for index in set { filters[index] = values[index] }
            for (list, choices) in lists where !contentPairs.contains(set) || list == "content_leaderboard" {
                for choice in choices {
                    let arguments = "($1, $2::date, $3::date, $4, $5, $6, $7, $8, $9)"
                    let count = try await pool.query(
                        """
                        SELECT count(*) FROM (
                            (SELECT * FROM kpi.\(list)\(arguments) EXCEPT ALL SELECT * FROM kpi.\(list)_raw\(arguments))
                            UNION ALL
                            (SELECT * FROM kpi.\(list)_raw\(arguments) EXCEPT ALL SELECT * FROM kpi.\(list)\(arguments))
                        ) AS differing
                        """,
                        [organization, period.0, period.1, choice] + filters.map { $0 as (any PostgresEncodable)? }
                    )[0].decode(Int.self, at: 0)
                    if count > 0 { found.append("\(list) by \(choice) with \(filters): \(count) rows") }
                }
            }
        }
        return found
    }

    func expectEqualToRaw(_ organization: UUID, periods: [(String, String)], on pool: ConnectionPool) async throws {
        try await Rollups.maintainAll(organization: organization, through: "2100-01-01", pool: pool)
        let queued = try await pool.query("SELECT count(*) FROM rollup.dirty_days WHERE organization_id = $1", [organization])[0]
        #expect(try queued.decode(Int.self, at: 0) == 0)
        for period in periods {
            let differing = try await differences(organization, period, on: pool)
            #expect(differing.isEmpty, "\(period.0) to \(period.1): \(differing)")
        }
    }

    func kpi(_ key: String, _ organization: UUID, _ period: (String, String), raw: Bool = false, on pool: ConnectionPool) async throws
        -> String?
    {
        try await pool.query(
            "SELECT value::text FROM kpi.\(raw ? "summary_raw" : "summary")($1, $2::date, $3::date) WHERE key = $4",
            [organization, period.0, period.1, key]
        )[0].decode(String?.self, at: 0)
    }

    @Test("every KPI and series from the rollups equals the raw computation, for random data and random periods")
    func randomData() async throws {
        try await TestDatabase.withPool { pool in
            for seed: UInt64 in [11, 12] {
                let organization = try await demo(pool, seed: seed)
                let periods = periods(seed: seed, count: 6)
                try await expectEqualToRaw(organization, periods: periods, on: pool)
                // Not a comparison of two empty answers.
                #expect(try await kpi("posts", organization, periods[0], on: pool).map { Int($0) ?? 0 } ?? 0 > 1_000)
                #expect(try await kpi("advocacy_unique_visitors", organization, periods[0], on: pool).map { Int($0) ?? 0 } ?? 0 > 100)
                // The filtered views compared above came from the slices, not from the facts twice.
                let slices = try await pool.query("SELECT count(DISTINCT dimensions) FROM rollup.slice_days WHERE organization_id = $1", [organization])
                #expect(try slices[0].decode(Int.self, at: 0) == 15)
                let visits = try await pool.query(
                    "SELECT count(DISTINCT dimensions) FROM rollup.visit_slice_days WHERE organization_id = $1", [organization]
                )
                #expect(try visits[0].decode(Int.self, at: 0) == 15)
                let visitorBuckets = try await pool.query(
                    "SELECT count(DISTINCT (granularity, dimensions)) FROM rollup.visitor_bucket_days WHERE organization_id = $1", [organization]
                )
                #expect(try visitorBuckets[0].decode(Int.self, at: 0) == 30)
                let through = try await pool.query(
                    "SELECT count(DISTINCT (axis, dimensions)) FROM rollup.slice_through WHERE organization_id = $1", [organization]
                )
                #expect(try through[0].decode(Int.self, at: 0) == 13)
                let pairs = try await pool.query(
                    "SELECT count(DISTINCT (axis, dimensions)) FROM rollup.entity_pair_days WHERE organization_id = $1", [organization]
                )
                #expect(try pairs[0].decode(Int.self, at: 0) == 7)
                // SSI at a date from the SSI days: rows for each day a snapshot is dated.
                let ssiDays = try await pool.query(
                    """
                    SELECT (SELECT count(DISTINCT day) FROM rollup.ssi_days WHERE organization_id = $1),
                           (SELECT count(DISTINCT snapshot_date) FROM fact.ssi_snapshots WHERE organization_id = $1)
                    """, [organization]
                )[0]
                #expect(try ssiDays.decode(Int.self, at: 0) == (try ssiDays.decode(Int.self, at: 1)))
            }
        }
    }

    @Test("late and corrected facts of every kind, and erasures, correct the rollups they touch")
    func lateFacts() async throws {
        try await TestDatabase.withPool { pool in
            let organization = try await demo(pool, seed: 21)
            let periods = periods(seed: 21, count: 3)
            try await expectEqualToRaw(organization, periods: periods, on: pool)

            let (ambassador, post, lead, application) = try await known(organization, on: pool)
            let before = try await kpi("emv", organization, periods[0], on: pool)

            let events = Self.lateEvents(ambassador: ambassador, post: post, lead: lead, application: application)
            try await ingest(events, organization, on: pool)
            try await expectEqualToRaw(organization, periods: periods, on: pool)
            #expect(try await kpi("emv", organization, periods[0], on: pool) != before)

            // The filtered views follow an item's current campaign: a new one moves all its posts' days.
            let item = try await pool.query(
                "SELECT content_id FROM fact.posts WHERE organization_id = $1 AND content_id IS NOT NULL GROUP BY 1 ORDER BY count(*) DESC, 1 LIMIT 1",
                [organization]
            )[0].decode(String.self, at: 0)
            try await ingest([["id": "late-campaign", "type": "content.created", "occurred_at": "2026-06-30T00:00:00Z",
                               "data": ["content_id": item, "title": "Moved", "url": "https://example.com/moved", "campaign": "moved-campaign"]]],
                             organization, on: pool)
            try await expectEqualToRaw(organization, periods: periods, on: pool)
            let moved = try await pool.query(
                "SELECT coalesce(sum(posts), 0) FROM kpi.post_breakdown($1, $2::date, $3::date, 'campaign', campaign_filter => 'moved-campaign')",
                [organization, "2025-01-01", "2026-12-31"]
            )[0].decode(Int.self, at: 0)
            #expect(moved > 0, "the item's posts are under its new campaign")

            // Erasures rewrite ids and hashes: the days they touch are queued and recomputed too.
            _ = try await pool.tenantQuery(organization, "SELECT core.erase_ambassador($1, $2)", [organization, ambassador])
            _ = try await pool.tenantQuery(organization, "SELECT core.erase_person_hash($1, $2)", [organization, "early-member"])
            try await expectEqualToRaw(organization, periods: periods, on: pool)
            let leftovers = try await pool.query(
                "SELECT count(*) FROM rollup.posters WHERE organization_id = $1 AND $2 = ANY (ambassador_ids)", [organization, ambassador]
            )[0]
            #expect(try leftovers.decode(Int.self, at: 0) == 0)
        }
    }

    /// Late and corrected facts of every kind, about known ambassadors, posts, leads and applications.
    static func lateEvents(ambassador: String, post: String, lead: String, application: String) -> [[String: Any]] {
        var events: [[String: Any]] = []
        func add(_ type: String, _ at: String, _ data: [String: Any]) {
            events.append(["id": "late-\(events.count)", "type": type, "occurred_at": at, "data": data])
        }
        add("post.published", "2026-03-01T10:00:00Z", ["post_id": "late-post", "ambassador_id": ambassador, "network": "linkedin"])
        add("post.metrics_observed", "2026-03-05T00:00:00Z", ["post_id": "late-post", "observed_at": "2026-03-05T00:00:00Z",
            "impressions": 5000, "members_reached": 4000, "reactions": 50, "comments": 5, "reshares": 5, "clicks": 40])
        add("post.metrics_observed", "2026-06-29T00:00:00Z", ["post_id": post, "observed_at": "2026-06-29T00:00:00Z",
            "impressions": 900_000, "members_reached": 800_000, "reactions": 9000, "comments": 900, "reshares": 90, "clicks": 9])
        add("audience.touched", "2025-08-01T00:00:00Z", ["member": "brand-new-member", "post_id": post])
        add("audience.touched", "2025-07-02T00:00:00Z", ["member": "early-member", "post_id": post])
        add("audience.touched", "2026-05-02T00:00:00Z", ["member": "early-member", "post_id": post])
        add("web.visit", "2026-02-14T12:00:00Z", ["visitor": "late-visitor",
            "landing_url": "https://example.com/careers/x?utm_medium=employee_advocacy&utm_content=unknown-token"])
        add("lead.stage_changed", "2026-06-01T00:00:00Z", ["lead_id": lead, "stage": "won", "won_amount": 12345.67, "currency": "EUR"])
        add("application.stage_changed", "2026-06-02T00:00:00Z", ["application_id": application, "stage": "hired"])
        add("ssi.snapshot", "2026-06-01T00:00:00Z", ["ambassador_id": ambassador, "date": "2025-09-01", "brand": 21.09,
            "people": 15.91, "insights": 13.09, "relationships": 25])
        add("rate_card.set", "2026-06-01T00:00:00Z", ["network": "linkedin", "currency": "EUR", "effective_from": "2026-04-01",
            "cpm": 99, "cpc": 9, "cost_per_reaction": 1, "cost_per_comment": 2, "cost_per_reshare": 3])
        add("ambassador.updated", "2026-06-29T00:00:00Z", ["ambassador_id": ambassador, "team": "Moved", "networks": ["linkedin": 123_456]])
        return events
    }

    /// The ids of a known ambassador, post, advocacy lead and application of the organisation.
    func known(_ organization: UUID, on pool: ConnectionPool) async throws -> (String, String, String, String) {
        let known = try await pool.query(
            """
            SELECT (SELECT ambassador_id FROM core.ambassadors WHERE organization_id = $1 ORDER BY ambassador_id LIMIT 1),
                   (SELECT post_id FROM fact.posts WHERE organization_id = $1 ORDER BY posted_at LIMIT 1),
                   (SELECT lead_id FROM fact.leads WHERE organization_id = $1 AND source_channel = 'employee_advocacy' ORDER BY lead_id LIMIT 1),
                   (SELECT application_id FROM fact.applications WHERE organization_id = $1 ORDER BY application_id LIMIT 1)
            """,
            [organization]
        )[0]
        return (try known.decode(String.self, at: 0), try known.decode(String.self, at: 1), try known.decode(String.self, at: 2),
                try known.decode(String.self, at: 3))
    }

    /// Every answer of every KPI function for `period`, as text: what a reader would get.
    func answers(_ organization: UUID, _ period: (String, String), on pool: ConnectionPool) async throws -> [String] {
        var calls = ["kpi.summary($1, $2::date, $3::date)", "kpi.summary_with_previous($1, $2::date, $3::date)",
                     "kpi.ssi_latest($1, greatest($2::date, $3::date))", "kpi.ssi_summary($1, greatest($2::date, $3::date))", "kpi.ssi_most_improved($1, $2::date, $3::date)",
                     "kpi.ssi_series($1, $2::date, $3::date, 'month')", "kpi.post_breakdown($1, $2::date, $3::date, 'network')"]
        for series in ["activity_series", "traffic_series", "pipeline_series", "value_series"] {
            calls += Self.granularities.map { "kpi.\(series)($1, $2::date, $3::date, '\($0)')" }
        }
        calls += ["posts", "engagement"].map { "kpi.ambassador_leaderboard($1, $2::date, $3::date, '\($0)')" }
        calls += ["shares", "engagement_rate"].map { "kpi.content_leaderboard($1, $2::date, $3::date, '\($0)')" }
        var answers: [String] = []
        for call in calls {
            // As the read pool reads: in a READ ONLY transaction, which any write would fail.
            let text = try await pool.tenantTransaction(organization) { connection in
                try connection.execute("SET TRANSACTION READ ONLY")
                return try connection.query(
                    "SELECT coalesce(array_agg(t::text ORDER BY t::text), '{}')::text FROM \(call) AS t", [organization, period.0, period.1]
                )[0].decode(String.self, at: 0)
            }
            answers.append("\(call): \(text)")
        }
        return answers
    }

    @Test("while days are queued, every read answers from the facts, without writing, exactly what the rollups answer once maintained")
    func readsWhileQueued() async throws {
        try await TestDatabase.withPool { pool in
            let organization = try await demo(pool, seed: 61)
            let periods = periods(seed: 61, count: 3) + [("2026-03-01", "2026-03-31")]
            try await Rollups.maintainAll(organization: organization, through: "2100-01-01", pool: pool)
            var before: [[String]] = []
            for period in periods { before.append(try await answers(organization, period, on: pool)) }

            // The background maintenance is stopped (other tests' maintainers run over every organisation): the
            // organisation's maintenance lock is held, so late facts stay queued.
            let holder = try PostgresConnection.connect(.init(conninfo: try await TestDatabase.url))
            try holder.execute("BEGIN")
            try holder.query("SELECT pg_advisory_xact_lock(hashtextextended('rollup:' || $1::text, 0))", [organization])
            let (ambassador, post, lead, application) = try await known(organization, on: pool)
            try await ingest(Self.lateEvents(ambassador: ambassador, post: post, lead: lead, application: application), organization, on: pool)
            let queued = try await Rollups.queuedDays(organization: organization, pool: pool)
            #expect(queued > 0)
            var fromFacts: [[String]] = []
            for period in periods {
                let settled = try await pool.query("SELECT rollup.settled($1, $2::date)", [organization, period.1])[0].decode(Bool.self, at: 0)
                #expect(!settled, "late facts fall in or before \(period)")
                fromFacts.append(try await answers(organization, period, on: pool))
            }
            #expect(try await Rollups.queuedDays(organization: organization, pool: pool) == queued, "reads wrote nothing")
            #expect(fromFacts != before, "the late facts are in the answers")
            try holder.execute("COMMIT")

            try await Rollups.maintainAll(organization: organization, through: "2100-01-01", pool: pool)
            for (index, period) in periods.enumerated() {
                let fromRollups = try await answers(organization, period, on: pool)
                for (a, b) in zip(fromFacts[index], fromRollups) where a != b {
                    Issue.record("\(period): from the facts \(a.prefix(300)) / from the rollups \(b.prefix(300))")
                }
            }
        }
    }

    func ingest(_ events: [[String: Any]], _ organization: UUID, on pool: ConnectionPool) async throws {
        let data = try JSONSerialization.data(withJSONObject: events)
        let items = try BatchParser.parse(Array(data), format: .json, limits: IngestionLimits())
        let outcomes = try await EventStore(pool: pool, validator: EventValidator(futureTolerance: 3600), logger: TestDatabase.logger)
            .ingest(items, organization: organization)
        #expect(outcomes.allSatisfy { $0.status == .accepted }, "\(outcomes.filter { $0.status != .accepted })")
    }

    @Test("a poster counts as an active ambassador once enrolled, whichever fact comes first")
    func enrolmentAfterPosts() async throws {
        try await TestDatabase.withPool { pool in
            let organization = try await demo(pool, seed: 22)
            let period = ("2026-03-01", "2026-03-31")
            try await expectEqualToRaw(organization, periods: [period], on: pool)
            let before = try await kpi("active_ambassadors", organization, period, on: pool)
            try await ingest([["id": "newcomer-post", "type": "post.published", "occurred_at": "2026-03-10T09:00:00Z",
                               "data": ["post_id": "newcomer-post", "ambassador_id": "newcomer", "network": "linkedin"]]],
                             organization, on: pool)
            try await expectEqualToRaw(organization, periods: [period], on: pool)
            #expect(try await kpi("active_ambassadors", organization, period, on: pool) == before, "not enrolled: not counted")

            try await ingest([["id": "newcomer-enrolled", "type": "ambassador.enrolled", "occurred_at": "2026-03-20T00:00:00Z",
                               "data": ["ambassador_id": "newcomer", "enrolled_at": "2026-03-20T00:00:00Z"]]],
                             organization, on: pool)
            try await expectEqualToRaw(organization, periods: [period, ("2026-03-01", "2026-03-15"), ("2025-07-01", "2026-06-30")], on: pool)
            #expect(try await kpi("active_ambassadors", organization, period, on: pool) == before.map { String((Int($0) ?? 0) + 1) })
            // Enrolled after the end of a period: not active in it.
            #expect(try await kpi("active_ambassadors", organization, ("2026-03-01", "2026-03-15"), on: pool)
                    == kpi("active_ambassadors", organization, ("2026-03-01", "2026-03-15"), raw: true, on: pool))
        }
    }

    @Test("several maintainers at once, in the background and for reads, leave the same rollups as one")
    func concurrentMaintainers() async throws {
        try await TestDatabase.withPool(size: 6) { pool in
            let organization = try await demo(pool, seed: 31)
            try await withThrowingTaskGroup(of: Void.self) { group in
                for _ in 0..<4 {
                    group.addTask {
                        while try await Rollups.maintainQueued(days: 3, pool: pool) > 0 {}
                    }
                }
                group.addTask { try await Rollups.maintainAll(organization: organization, through: "2026-03-01", pool: pool) }
                try await group.waitForAll()
            }
            try await expectEqualToRaw(organization, periods: periods(seed: 31, count: 3), on: pool)
            // And a rebuild queues everything again and lands on the same numbers.
            _ = try await pool.tenantQuery(organization, "SELECT rollup.rebuild($1)", [organization])
            try await expectEqualToRaw(organization, periods: periods(seed: 32, count: 2), on: pool)
        }
    }

    @Test("maintainers at once never recompute a day twice: the days they report add up to the days that were queued")
    func noDayTwice() async throws {
        // A database of its own: the other tests' maintainers work through every organisation of theirs.
        let url = try await TestDatabase.recreate(named: "advocacy_test_no_day_twice")
        let pool = ConnectionPool(configuration: .init(connection: .init(conninfo: url), size: 6), logger: TestDatabase.logger)
        try await Migrator(tree: try SQLSource(directory: URL(fileURLWithPath: TestDatabase.sqlDirectory)).load(), logger: TestDatabase.logger)
            .migrate(on: pool)
        do {
            let organization = try await demo(pool, seed: 71, facts: 5_000)
            let queued = try await Rollups.queuedDays(organization: organization, pool: pool)
            #expect(queued > 20)
            let done = try await withThrowingTaskGroup(of: Int.self) { group in
                for _ in 0..<5 {
                    group.addTask {
                        var days = 0
                        while true {
                            // As the background worker of each instance calls it: a few days, never waiting.
                            let count = try await pool.tenantQuery(organization, "SELECT rollup.maintain($1, NULL, NULL, 3, false)", [organization])[0]
                                .decode(Int.self, at: 0)
                            if count > 0 { days += count } else if count == 0 { return days } else { try await Task.sleep(for: .milliseconds(5)) }
                        }
                    }
                }
                return try await group.reduce(0, +)
            }
            #expect(done == queued, "\(done) days recomputed for \(queued) queued")
        }
        await pool.close()
    }

    @Test("the background worker leaves an organisation whose queue is still growing, unless its oldest day waited too long")
    func settledQueues() async throws {
        try await TestDatabase.withPool { pool in
            let organization = try await demo(pool, seed: 41, facts: 2_000)
            // Other tests' maintainers work on every organisation: holding this one's maintenance lock keeps them
            // from draining its queue while the checks run (they skip a locked organisation).
            let taken = try await pool.transaction { connection in
                _ = try connection.query("SELECT pg_advisory_xact_lock(hashtextextended('rollup:' || $1::text, 0))", [organization])
                _ = try connection.query(
                    "INSERT INTO rollup.dirty_days (organization_id, day) VALUES ($1, '2026-01-01'), ($1, '2026-01-02')", [organization]
                )
                // The queue's newest entry `newest` seconds old, every other one `oldest` seconds old; taken or not.
                return try [(30, 0), (30, 3), (61, 0)].map { oldest, newest in
                    _ = try connection.query(
                        """
                        UPDATE rollup.dirty_days
                        SET queued_at = now() - make_interval(secs => CASE WHEN entry_id = (SELECT max(entry_id) FROM rollup.dirty_days
                                                                                            WHERE organization_id = $1)
                                                                           THEN $3::int ELSE $2::int END)
                        WHERE organization_id = $1
                        """,
                        [organization, oldest, newest]
                    )
                    return try connection.query(
                        "SELECT $1 IN (SELECT o FROM rollup.organizations_to_maintain(interval '2 s', interval '60 s') AS o)", [organization]
                    )[0].decode(Bool.self, at: 0)
                }
            }
            // A batch came in just now: left; quiet for 3 s: taken; still growing but behind for over a minute: taken.
            #expect(taken == [false, true, true])
            // Reads do not wait: a refresh recomputes the queue whatever its age.
            _ = try await pool.query("UPDATE rollup.dirty_days SET queued_at = now() WHERE organization_id = $1", [organization])
            try await expectEqualToRaw(organization, periods: [("2026-01-01", "2026-06-30")], on: pool)
        }
    }

    @Test("an organisation deleted by a plain DELETE takes its queued days with it")
    func queueFollowsOrganisation() async throws {
        try await TestDatabase.withPool { pool in
            let organization = try await demo(pool, seed: 61, facts: 500)
            func queued() async throws -> Int {
                try await pool.query("SELECT count(*) FROM rollup.dirty_days WHERE organization_id = $1", [organization])[0]
                    .decode(Int.self, at: 0)
            }
            #expect(try await queued() > 0)
            // Other tests' maintainers may be at work on it: the deletion waits for them, as
            // core.delete_organization does, so that none of them fails on rows deleted under it.
            try await pool.transaction { connection in
                _ = try connection.query("SELECT pg_advisory_xact_lock(hashtextextended('rollup:' || $1::text, 0))", [organization])
                _ = try connection.query("DELETE FROM core.organizations WHERE organization_id = $1", [organization])
            }
            // Left behind, they made every background pass fail on this organisation, for ever.
            #expect(try await queued() == 0)
            // A pass over every organisation throws when one of them fails.
            _ = try await Rollups.maintainQueued(days: 100, pool: pool)
        }
    }

    @Test("maintained as the service role, bound by row-level security as the server is, the rollups equal the raw computation")
    func maintainedAsService() async throws {
        try await TestDatabase.withPool { pool in
            let organization = try await demo(pool, seed: 51)
            func queued() async throws -> Int {
                try await pool.query("SELECT count(*) FROM rollup.dirty_days WHERE organization_id = $1", [organization])[0]
                    .decode(Int.self, at: 0)
            }
            // Other tests' background maintainers work on every organisation of this database: one of them may hold
            // this organisation's lock when a pass comes to it, and the pass skips it. Passes go on until the queue
            // is empty (a maintainer that fails as the service role throws, so this cannot pass without one).
            try await TestDatabase.withPool(role: "advocacy_service") { service in
                var passes = 0
                while try await queued() > 0 {
                    passes += 1
                    try #require(passes < 500, "the service role's maintenance left days queued")
                    if try await Rollups.maintainQueued(days: 8, pool: service) == 0 {
                        try await Task.sleep(for: .milliseconds(100))
                    }
                }
            }
            try await expectEqualToRaw(organization, periods: periods(seed: 51, count: 3), on: pool)
        }
    }
}
