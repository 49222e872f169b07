import Foundation
import Postgres
import TestSupport
import Testing

@testable import Computation

@Suite("SSI analytics")
struct SSIAnalyticsTests {
    /// Inserts one snapshot whose pillars are a quarter of `total` each (or the given pillars).
    func snapshot(_ pool: ConnectionPool, _ organization: UUID, _ ambassador: String, _ day: String, _ total: String,
                  pillars: [String]? = nil) async throws {
        let quarter = (Decimal(string: total) ?? 0) / 4
        let values = pillars ?? Array(repeating: "\(quarter)", count: 4)
        try await pool.query(
            """
            INSERT INTO fact.ssi_snapshots (organization_id, ambassador_id, snapshot_date, brand_score, people_score,
                insights_score, relationships_score, total_score, industry_rank_top_pct, network_rank_top_pct,
                source_event_id, source_occurred_at)
            VALUES ($1, $2, $3::date, $4::numeric, $5::numeric, $6::numeric, $7::numeric, $8::numeric, 10, 20, $9, now())
            """,
            [organization, ambassador, day, values[0], values[1], values[2], values[3], total, "\(ambassador)-\(day)"]
        )
    }

    /// The answer as the API encodes it, read back as a JSON object (a failure fails the test).
    func json(_ value: some Encodable) -> [String: Any] {
        let data = (try? JSONEncoder().encode(value)) ?? Data()
        guard let object = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] else {
            Issue.record("an answer that does not encode as a JSON object: \(value)")
            return [:]
        }
        return object
    }

    @Test("seed 000's snapshot, seed 001's bands, the leaderboard with ties and the most improved")
    func overview() async throws {
        try await TestDatabase.withPool { pool in
            let organization = try await TestDatabase.makeOrganization(on: pool)
            // Seed 000: 21.09 + 15.91 + 13.09 + 25 = 75.09, in the 75-90 band.
            try await snapshot(pool, organization, "seed", "2026-03-01", "75.09", pillars: ["21.09", "15.91", "13.09", "25"])
            for (ambassador, total) in [("a40", "40"), ("a50", "50"), ("a65", "65"), ("a95", "95"), ("b95", "95")] {
                try await snapshot(pool, organization, ambassador, "2026-03-01", total)
            }
            // a50 improves from 30 a month before; a later snapshot (after the date) is ignored.
            try await snapshot(pool, organization, "a50", "2026-02-01", "30")
            try await snapshot(pool, organization, "a50", "2026-03-20", "99")
            let overview = json(try await SSIAnalytics.overview(
                organization: organization, date: "2026-03-10", team: nil, improvedSince: "2026-02-01", pool: pool
            ))
            let summary = overview["summary"] as? [String: Any]
            #expect((summary?["ambassadors"] as? NSNumber)?.intValue == 6)
            // (75.09 + 40 + 50 + 65 + 95 + 95) / 6 = 70.015 -> 70.02
            #expect((summary?["average_total"] as? NSNumber)?.doubleValue == 70.02)
            #expect((summary?["share_above_75"] as? NSNumber)?.doubleValue == 0.5)

            let bands = overview["bands"] as? [[String: Any]] ?? []
            #expect(bands.map { $0["band"] as? String } == ["below 45", "45-60", "60-75", "75-90", "90 and above"])
            #expect(bands.map { ($0["ambassadors"] as? NSNumber)?.intValue } == [1, 1, 1, 1, 2])
            #expect(bands.map { ($0["relative_reach"] as? NSNumber)?.doubleValue } == [nil, 0.75, 1, 1.25, 1.5])

            let leaderboard = overview["leaderboard"] as? [[String: Any]] ?? []
            #expect(leaderboard.map { ($0["rank"] as? NSNumber)?.intValue } == [1, 1, 3, 4, 5, 6])
            #expect(leaderboard.prefix(2).map { $0["ambassador_id"] as? String } == ["a95", "b95"])
            let improved = overview["most_improved"] as? [[String: Any]] ?? []
            #expect(improved.first?["ambassador_id"] as? String == "a50")
            #expect((improved.first?["gain"] as? NSNumber)?.doubleValue == 20)
        }
    }

    @Test("a goal is projected from the trend, and not when the trend is flat")
    func goals() async throws {
        try await TestDatabase.withPool { pool in
            let organization = try await TestDatabase.makeOrganization(on: pool)
            // Two points a week: 50, 52, 54, 56 -> 60 is 4 points, two weeks, after 2026-03-22.
            for (day, total) in [("2026-03-01", "50"), ("2026-03-08", "52"), ("2026-03-15", "54"), ("2026-03-22", "56")] {
                try await snapshot(pool, organization, "rising", day, total)
                try await snapshot(pool, organization, "flat", day, "40")
            }
            try await SSIAnalytics.setGoal(organization: organization, ambassadorID: "rising", targetScore: "60", targetDate: "2026-04-30", pool: pool)
            try await SSIAnalytics.setGoal(organization: organization, ambassadorID: "flat", targetScore: "50", targetDate: "2026-12-24", pool: pool)
            let overview = json(try await SSIAnalytics.overview(
                organization: organization, date: "2026-03-22", team: nil, improvedSince: "2026-03-01", pool: pool
            ))
            let goals = overview["goals"] as? [[String: Any]] ?? []
            let rising = goals.first { $0["ambassador_id"] as? String == "rising" }
            #expect(rising?["projected_date"] as? String == "2026-04-05")
            #expect((rising?["trend_per_week"] as? NSNumber)?.doubleValue == 2)
            #expect(rising?["on_track"] as? Bool == true)
            #expect((rising?["progress"] as? NSNumber)?.doubleValue == 0.9333)
            let flat = goals.first { $0["ambassador_id"] as? String == "flat" }
            #expect(flat?["projected_date"] is NSNull)
            #expect(flat?["on_track"] as? Bool == false)
        }
    }
}
