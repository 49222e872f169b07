import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Postgres
import TestSupport
import Testing

@testable import API

/// Two instances of the service on one database, each with its own pools and background maintenance, as two
/// `serve` processes would be: the same event stream sent to either at random, some batches to both.
@Suite("Several instances")
struct SeveralInstancesTests {
    /// A deterministic stream of events of every kind over 60 days of 2026.
    static func stream(batches: Int, size: Int) -> [[String]] {
        var state: UInt64 = 0x5EED
        func next(_ bound: Int) -> Int {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return Int((state >> 33) % UInt64(bound))
        }
        func at(_ day: Int, _ hour: Int) -> String { String(format: "2026-01-%02dT%02d:00:00Z", 1 + day % 28, hour) }
        var events: [String] = []
        for a in 0..<8 {
            events.append(#"{"id":"e-amb-\#(a)","type":"ambassador.enrolled","occurred_at":"2026-01-01T08:00:00Z","data":{"ambassador_id":"a\#(a)","team":"T\#(a % 3)"}}"#)
        }
        var index = 0
        while events.count < batches * size {
            index += 1
            let day = next(28)
            switch next(5) {
            case 0:
                events.append(#"{"id":"e-post-\#(index)","type":"post.published","occurred_at":"\#(at(day, 9))","data":{"post_id":"p\#(index % 40)","ambassador_id":"a\#(next(8))","network":"linkedin"}}"#)
            case 1:
                let impressions = 100 + next(5000)
                events.append(#"{"id":"e-metric-\#(index)","type":"post.metrics_observed","occurred_at":"\#(at(day, 10))","data":{"post_id":"p\#(next(40))","impressions":\#(impressions),"members_reached":\#(impressions / 2),"reactions":\#(next(50)),"comments":\#(next(9)),"reshares":\#(next(5)),"clicks":\#(next(30))}}"#)
            case 2:
                events.append(#"{"id":"e-visit-\#(index)","type":"web.visit","occurred_at":"\#(at(day, 11))","data":{"visitor":"v\#(next(60))","landing_url":"https://example.com/?utm_medium=employee_advocacy"}}"#)
            case 3:
                events.append(#"{"id":"e-touch-\#(index)","type":"audience.touched","occurred_at":"\#(at(day, 12))","data":{"member":"m\#(next(80))","ambassador_id":"a\#(next(8))"}}"#)
            default:
                events.append(#"{"id":"e-lead-\#(index)","type":"lead.created","occurred_at":"\#(at(day, 13))","data":{"lead_id":"l\#(index)","source_channel":"employee_advocacy","ambassador_id":"a\#(next(8))"}}"#)
            }
        }
        return stride(from: 0, to: events.count, by: size).map { Array(events[$0..<min($0 + size, events.count)]) }
    }

    @Test("two instances ingesting one stream, at random and some batches twice, with both maintaining, end as one would: every event once, rollups equal to the raw computation")
    func twoInstances() async throws {
        let first = try await TestApp.make()
        let second = first  // same database, same organisation, its own pools and services
        let batches = Self.stream(batches: 40, size: 50)
        var choice: UInt64 = 7
        let targets: [Int] = batches.indices.map { _ in
            choice = choice &* 6364136223846793005 &+ 1
            return Int((choice >> 40) % 4)  // 0, 1: one instance; 2: the other; 3: both
        }
        try await buildApplication(first.settings).test(.router) { a in
            try await buildApplication(second.settings).test(.router) { b in
                try await withThrowingTaskGroup(of: Void.self) { group in
                    for (batch, target) in zip(batches, targets) {
                        let body = ByteBuffer(string: "[" + batch.joined(separator: ",") + "]")
                        let clients: [any TestClientProtocol] = target == 3 ? [a, b] : [target == 2 ? b : a]
                        for client in clients {
                            group.addTask {
                                try await client.execute(uri: "/v1/events", method: .post, headers: first.headers, body: body) { response in
                                    #expect(response.status == .ok)
                                    #expect(response.json["rejected"] as? Int == 0)
                                }
                            }
                        }
                    }
                    try await group.waitForAll()
                }
                // Both instances' background maintenance works the queue off.
                let pool = try await TestDatabase.makePool(role: "advocacy_service")
                var queued = 1
                for _ in 0..<240 where queued > 0 {
                    try await Task.sleep(for: .milliseconds(500))
                    queued = try await pool.tenantQuery(first.organization, "SELECT count(*) FROM rollup.dirty_days WHERE organization_id = $1",
                                                        [first.organization])[0].decode(Int.self, at: 0)
                }
                #expect(queued == 0, "the background maintenance of the two instances emptied the queue")
                await pool.close()
            }
        }

        // One instance, the same stream once, in order, into an organisation of its own: the reference.
        let single = try await TestApp.make()
        try await single.test { client in
            for batch in batches {
                try await client.execute(uri: "/v1/events", method: .post, headers: single.headers,
                                         body: ByteBuffer(string: "[" + batch.joined(separator: ",") + "]")) { response in
                    #expect(response.status == .ok)
                }
            }
        }
        let owner = try PostgresConnection.connect(.init(conninfo: try await TestDatabase.url))
        #expect(try owner.query("SELECT count(*) FROM ingest.accepted_events WHERE organization_id = $1", [first.organization])[0]
            .decode(Int.self, at: 0) == Set(batches.joined()).count, "every event once in the ledger")
        for table in ["fact.posts", "fact.post_metric_observations", "fact.web_visits", "fact.audience_touches", "fact.audience_members",
                      "fact.leads", "core.ambassadors", "core.ambassador_events"] {
            // Every row, as text without its organisation (pseudonyms differ by organisation's key: left out).
            let rows = try owner.query(
                """
                SELECT t.organization_id = $1, count(*), md5(string_agg(
                    (to_jsonb(t) - 'organization_id' - 'member_hash' - 'visitor_hash')::text, ',' ORDER BY (to_jsonb(t) - 'organization_id' - 'member_hash' - 'visitor_hash')::text))
                FROM \(table) AS t WHERE t.organization_id IN ($1, $2) GROUP BY 1 ORDER BY 1
                """,
                [first.organization, single.organization]
            ).map { "\(try $0.decode(Int.self, at: 1)) rows, \(try $0.decode(String.self, at: 2))" }
            #expect(rows.count == 2 && rows[0] == rows[1], "\(table): two instances \(rows.last ?? "none"), one \(rows.first ?? "none")")
        }
        // The rollups (settled: nothing queued) equal the raw computation, KPI by KPI and row by row.
        #expect(try owner.query("SELECT rollup.settled($1, '2026-12-31')", [first.organization])[0].decode(Bool.self, at: 0))
        for (from, to) in [("2026-01-01", "2026-01-31"), ("2026-01-08", "2026-01-21"), ("2025-12-01", "2026-02-28")] {
            let summary = try owner.query(
                """
                SELECT count(*) FROM kpi.summary($1, $2::date, $3::date) AS u FULL JOIN kpi.summary_raw($1, $2::date, $3::date) AS r USING (key)
                WHERE (u.value, u.reason, u.detail) IS DISTINCT FROM (r.value, r.reason, r.detail)
                """,
                [first.organization, from, to]
            )[0].decode(Int.self, at: 0)
            #expect(summary == 0, "summary \(from)...\(to)")
            for series in ["activity_series", "traffic_series", "value_series", "pipeline_series"] {
                let differing = try owner.query(
                    """
                    SELECT count(*) FROM (
                        (SELECT * FROM kpi.\(series)($1, $2::date, $3::date, 'week') EXCEPT ALL SELECT * FROM kpi.\(series)_raw($1, $2::date, $3::date, 'week'))
                        UNION ALL
                        (SELECT * FROM kpi.\(series)_raw($1, $2::date, $3::date, 'week') EXCEPT ALL SELECT * FROM kpi.\(series)($1, $2::date, $3::date, 'week'))
                    ) AS d
                    """,
                    [first.organization, from, to]
                )[0].decode(Int.self, at: 0)
                #expect(differing == 0, "\(series) \(from)...\(to)")
            }
        }
    }
}
