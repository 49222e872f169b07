import Foundation
import Postgres
import TestSupport
import Testing
import Vocabulary

@testable import Computation

@Suite("Leaderboards and series")
struct KPITableTests {
    /// The rows as the API answers them: encoded to JSON, then read back as objects (a failure fails the test).
    func rows(_ records: [Record]) -> [[String: Any]] {
        let data = (try? JSONEncoder().encode(records)) ?? Data()
        guard let rows = (try? JSONSerialization.jsonObject(with: data)) as? [[String: Any]] else {
            Issue.record("rows that do not encode as a JSON array of objects: \(records.prefix(3))")
            return []
        }
        return rows
    }

    @Test("leaderboards rank with ties, honour filters, and series fill empty buckets")
    func leaderboardsAndSeries() async throws {
        try await TestDatabase.withPool { pool in
            let organization = try await KPISummaryTests().organizationWithFebruary(pool)
            try await pool.query("UPDATE core.ambassadors SET team = 'Sales' WHERE organization_id = $1 AND ambassador_id = 'a1'", [organization])
            let february = Period(from: "2026-02-01", to: "2026-02-28")

            let byPosts = rows(try await KPITable.rows(.ambassadorLeaderboard(rankedBy: .posts), organization: organization,
                                                       period: february, filters: KPIFilters(), pool: pool))
            #expect(byPosts.map { $0["ambassador_id"] as? String } == ["a1", "a2"])
            #expect(byPosts.map { ($0["posts"] as? NSNumber)?.intValue } == [2, 1])
            let sales = rows(try await KPITable.rows(.ambassadorLeaderboard(rankedBy: .engagement), organization: organization,
                                                     period: february, filters: KPIFilters(team: "Sales"), pool: pool))
            #expect(sales.map { $0["ambassador_id"] as? String } == ["a1"])
            #expect((sales.first?["engagements"] as? NSNumber)?.intValue == 70)

            // c1 is shared twice (p1 by a1, p3 by a2): 30 engagements for 1500 impressions.
            let content = rows(try await KPITable.rows(.contentLeaderboard(rankedBy: .shares), organization: organization,
                                                       period: february, filters: KPIFilters(), pool: pool))
            #expect(content.count == 1)
            #expect((content.first?["shares"] as? NSNumber)?.intValue == 2)
            #expect((content.first?["engagement_rate"] as? NSNumber)?.doubleValue == 0.02)
            let onX = rows(try await KPITable.rows(.contentLeaderboard(rankedBy: .shares), organization: organization,
                                                   period: february, filters: KPIFilters(network: "x"), pool: pool))
            #expect((onX.first?["shares"] as? NSNumber)?.intValue == 1)

            // Ties: two ambassadors with one post each share rank 1 in a period holding only p2 and p3 days.
            let tied = rows(try await KPITable.rows(.ambassadorLeaderboard(rankedBy: .posts), organization: organization,
                                                    period: Period(from: "2026-02-06", to: "2026-02-10"), filters: KPIFilters(), pool: pool))
            #expect(tied.map { ($0["rank"] as? NSNumber)?.intValue } == [1, 1])

            let weekly = rows(try await KPITable.rows(.activitySeries(granularity: .week), organization: organization,
                                                      period: february, filters: KPIFilters(), pool: pool))
            // ISO weeks starting 2026-01-26, 02-02, 02-09, 02-16, 02-23.
            #expect(weekly.map { $0["bucket"] as? String } == ["2026-01-26", "2026-02-02", "2026-02-09", "2026-02-16", "2026-02-23"])
            #expect(weekly.map { ($0["posts"] as? NSNumber)?.intValue } == [0, 2, 1, 0, 0])
            #expect(weekly.last?["engagement_rate"] is NSNull)

            let traffic = rows(try await KPITable.rows(.trafficSeries(granularity: .month), organization: organization,
                                                       period: february, filters: KPIFilters(), pool: pool))
            #expect(traffic.count == 1)
            #expect((traffic.first?["visits"] as? NSNumber)?.intValue == 4)
            #expect((traffic.first?["advocacy_visits"] as? NSNumber)?.intValue == 3)
            #expect((traffic.first?["advocacy_share"] as? NSNumber)?.doubleValue == 0.75)
            #expect((traffic.first?["advocacy_unique_visitors"] as? NSNumber)?.intValue == 2)
            #expect((traffic.first?["attributed_visits"] as? NSNumber)?.intValue == 0)  // token "tok" names no post or link
            #expect((traffic.first?["careers_advocacy_visits"] as? NSNumber)?.intValue == 1)

            let pipeline = rows(try await KPITable.rows(.pipelineSeries(granularity: .month), organization: organization,
                                                        period: february, filters: KPIFilters(), pool: pool))
            let expected: [String: Int] = [
                "leads": 6, "advocacy_leads": 2, "advocacy_leads_won": 1, "other_leads_won": 1,  // l4 was won, then lost
                "applications": 3, "advocacy_applications": 2, "advocacy_hires": 1, "other_hires": 1,
            ]
            for (column, value) in expected {
                #expect((pipeline.first?[column] as? NSNumber)?.intValue == value, "\(column)")
            }

            // By network: linkedin p1 + p2 (EMV 82 + 189), x p3 (13), as kpi.summary values them.
            let byNetwork = rows(try await KPITable.rows(.postBreakdown(dimension: .network), organization: organization,
                                                         period: february, filters: KPIFilters(), pool: pool))
            #expect(byNetwork.map { $0["value"] as? String } == ["linkedin", "x"])
            #expect(byNetwork.map { ($0["emv"] as? NSNumber)?.doubleValue } == [271, 13])
            #expect(byNetwork.map { ($0["posts"] as? NSNumber)?.intValue } == [2, 1])
            let byTeam = rows(try await KPITable.rows(.postBreakdown(dimension: .team), organization: organization,
                                                      period: february, filters: KPIFilters(), pool: pool))
            #expect(byTeam.map { $0["value"] as? String } == ["Sales", nil])

            // One month: the series sums to the summary's EMV, cost and won value, and its reach.
            let value = rows(try await KPITable.rows(.valueSeries(granularity: .month), organization: organization,
                                                     period: february, filters: KPIFilters(), pool: pool))
            #expect(value.count == 1)
            #expect((value.first?["emv"] as? NSNumber)?.doubleValue == 284)
            #expect((value.first?["programme_cost"] as? NSNumber)?.doubleValue == 410)
            #expect((value.first?["advocacy_won_value"] as? NSNumber)?.doubleValue == 1000)
            #expect((value.first?["impressions"] as? NSNumber)?.intValue == 3500)
            #expect((value.first?["new_audience_members"] as? NSNumber)?.intValue == 1)
            // Weekly, the cost of February is spread over the days of each week in the period.
            let weeklyValue = rows(try await KPITable.rows(.valueSeries(granularity: .week), organization: organization,
                                                           period: february, filters: KPIFilters(), pool: pool))
            let weeklyCost = weeklyValue.compactMap { ($0["programme_cost"] as? NSNumber)?.doubleValue }.reduce(0, +)
            #expect(abs(weeklyCost - 410) < 0.05, "\(weeklyCost)")

            let csv = try await KPITable.csv(.activitySeries(granularity: .month), organization: organization, period: february,
                                             filters: KPIFilters(), pool: pool)
            #expect(csv.hasPrefix("\u{FEFF}\"bucket\",\"posts\""))
            #expect(csv.contains("\"2026-02-01\",\"3\",\"2\",\"3500\",\"80\",\"0.022857\""))
        }
    }
}
