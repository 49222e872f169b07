import Foundation
import Postgres
import TestSupport
import Testing

@testable import Ingestion

@Suite("Storing events")
struct EventStoreTests {
    static let now = Date()

    func items(_ events: [[String: Any]]) throws -> [RawItem] {
        let data = try JSONSerialization.data(withJSONObject: events)
        return try BatchParser.parse(Array(data), format: .json, limits: IngestionLimits())
    }

    func store(_ pool: ConnectionPool) -> EventStore {
        EventStore(pool: pool, validator: EventValidator(futureTolerance: 3600), logger: TestDatabase.logger)
    }

    /// A digest of every fact an organisation holds, without its id or arrival times.
    static func digest(_ organization: UUID, on pool: ConnectionPool) async throws -> [String: String] {
        let tables = [
            "core.ambassadors", "core.ambassador_networks", "core.ambassador_events", "core.content_items", "fact.posts",
            "fact.post_metric_observations", "fact.post_metrics", "fact.audience_touches", "fact.audience_members",
            "fact.ssi_snapshots", "fact.web_visits", "fact.leads", "fact.lead_stage_changes", "fact.applications",
            "fact.application_stage_changes", "core.programme_costs", "core.emv_rate_cards",
        ]
        var digest: [String: String] = [:]
        for table in tables {
            let row = try await pool.query(
                """
                SELECT count(*)::text || ':' || md5(coalesce(string_agg(j::text, '|' ORDER BY j::text), ''))
                FROM (SELECT to_jsonb(t) - 'organization_id' AS j FROM \(table) AS t WHERE organization_id = $1) AS s
                """,
                [organization]
            )
            digest[table] = try row[0].decode(String.self, at: 0)
        }
        return digest
    }

    @Test("a batch with bad items stores the good ones, refuses the bad ones with reasons, and keeps them raw")
    func mixedBatch() async throws {
        try await TestDatabase.withPool { pool in
            let organization = try await TestDatabase.makeOrganization(on: pool)
            let batch = try items([
                Events.envelope("post.metrics_observed", id: "m1", Events.metrics),
                Events.envelope("post.metrics_observed", id: "m2", Events.metrics.merging(["reactions": -5]) { $1 }),
                Events.envelope("ssi.snapshot", id: "s1", Events.ssi),
                Events.envelope("ssi.snapshot", id: "s2", Events.ssi.merging(["brand": 30, "date": "2026-03-02"]) { $1 }),
                Events.envelope("post.metrics_observed", id: "m1", Events.metrics),
            ])
            let outcomes = try await store(pool).ingest(batch, organization: organization)
            #expect(outcomes.map(\.status) == [.accepted, .rejected, .accepted, .rejected, .duplicate])
            #expect(outcomes[1].reason == .outOfRange)
            #expect(outcomes[1].field == "data.reactions")
            #expect(outcomes[3].field == "data.brand")
            #expect(outcomes[1].rejectionID != nil)

            let stored = try await pool.query(
                "SELECT event_id, reason, field, convert_from(raw, 'UTF8') FROM ingest.rejected_items WHERE organization_id = $1 ORDER BY rejection_id",
                [organization]
            )
            #expect(stored.count == 2)
            #expect(try stored[0].decode(String.self, at: 0) == "m2")
            #expect(try stored[0].decode(String.self, at: 3).contains("\"reactions\":-5"))
            let metrics = try await pool.query(
                "SELECT impressions FROM fact.post_metrics WHERE organization_id = $1 AND post_id = 'p1'", [organization]
            )
            #expect(try metrics[0].decode(Int.self, at: 0) == 1000)
            let ssi = try await pool.query(
                "SELECT total_score::text FROM fact.ssi_snapshots WHERE organization_id = $1", [organization]
            )
            #expect(try ssi.map { try $0.decode(String.self, at: 0) } == ["75.09"])
        }
    }

    @Test("re-sending a batch, whole or in part, any number of times, changes nothing")
    func exactlyOnce() async throws {
        try await TestDatabase.withPool { pool in
            let organization = try await TestDatabase.makeOrganization(on: pool)
            let events = OrderScenario(seed: 11).events
            let head = try await store(pool).ingest(try items(Array(events[0..<5])), organization: organization)
            #expect(head.allSatisfy { $0.status == .accepted })
            // A batch of known and new events: the known ones are duplicates, the new ones accepted.
            let first = try await store(pool).ingest(try items(events), organization: organization)
            #expect(first.map(\.status) == events.indices.map { $0 < 5 ? .duplicate : .accepted }, "\(first.filter { $0.status == .rejected })")
            let before = try await Self.digest(organization, on: pool)
            for _ in 0..<3 {
                let again = try await store(pool).ingest(try items(events), organization: organization)
                #expect(again.allSatisfy { $0.status == .duplicate })
            }
            let part = try await store(pool).ingest(try items(Array(events[3..<9])), organization: organization)
            #expect(part.allSatisfy { $0.status == .duplicate })
            #expect(try await Self.digest(organization, on: pool) == before)
            let ledger = try await pool.query("SELECT count(*) FROM ingest.accepted_events WHERE organization_id = $1", [organization])
            #expect(try ledger[0].decode(Int.self, at: 0) == events.count)
        }
    }

    @Test("the same events in any order, split in any batches, give the same state", arguments: [1, 2, 3, 4, 5])
    func orderDoesNotMatter(seed: UInt64) async throws {
        try await TestDatabase.withPool { pool in
            let scenario = OrderScenario(seed: seed)
            var generator = SeededGenerator(seed: seed)
            let orders: [[[String: Any]]] = [
                scenario.events, scenario.events.reversed(), scenario.events.shuffled(using: &generator),
                (scenario.events + scenario.events).shuffled(using: &generator),
            ]
            var digests: [[String: String]] = []
            var key: PostgresBytes?
            for order in orders {
                let organization = try await TestDatabase.makeOrganization(on: pool)
                // The same pseudonym key, so hashed members compare equal across the organisations.
                if let key {
                    try await pool.query("UPDATE core.organizations SET pseudonym_key = $2 WHERE organization_id = $1", [organization, key])
                } else {
                    key = try await pool.query(
                        "SELECT pseudonym_key FROM core.organizations WHERE organization_id = $1", [organization]
                    )[0].decode(PostgresBytes.self, at: 0)
                }
                var rest = order[...]
                while !rest.isEmpty {
                    let size = Int.random(in: 1...12, using: &generator)
                    let outcomes = try await store(pool).ingest(try items(Array(rest.prefix(size))), organization: organization)
                    #expect(!outcomes.contains { $0.status == .rejected }, "\(outcomes.filter { $0.status == .rejected })")
                    rest = rest.dropFirst(size)
                }
                digests.append(try await Self.digest(organization, on: pool))
            }
            for digest in digests.dropFirst() {
                for (table, value) in digest {
                    #expect(value == digests[0][table], "\(table) differs with another order")
                }
            }
            // And the rules hold: the latest observation wins, the newest SSI fact for a day wins.
            #expect(digests[0]["fact.post_metrics"]?.hasPrefix("\(scenario.postCount):") == true)
        }
    }

    @Test("a late observation never overwrites a newer one; an SSI fact for the same day with a newer occurred_at wins")
    func newestWins() async throws {
        try await TestDatabase.withPool { pool in
            let organization = try await TestDatabase.makeOrganization(on: pool)
            let newer = Events.envelope("post.metrics_observed", id: "new", at: "2026-03-05T12:00:00Z",
                                        Events.metrics.merging(["impressions": 5000, "observed_at": "2026-03-05T12:00:00Z"]) { $1 })
            let older = Events.envelope("post.metrics_observed", id: "old", at: "2026-03-05T13:00:00Z",
                                        Events.metrics.merging(["impressions": 4000, "observed_at": "2026-03-05T11:00:00Z"]) { $1 })
            _ = try await store(pool).ingest(try items([newer]), organization: organization)
            _ = try await store(pool).ingest(try items([older]), organization: organization)
            let latest = try await pool.query("SELECT impressions FROM fact.post_metrics WHERE organization_id = $1", [organization])
            #expect(try latest[0].decode(Int.self, at: 0) == 5000)
            let observations = try await pool.query("SELECT count(*) FROM fact.post_metric_observations WHERE organization_id = $1", [organization])
            #expect(try observations[0].decode(Int.self, at: 0) == 2)

            let first = Events.envelope("ssi.snapshot", id: "ssi-b", at: "2026-03-05T09:00:00Z", Events.ssi)
            let second = Events.envelope("ssi.snapshot", id: "ssi-a", at: "2026-03-05T10:00:00Z", Events.ssi.merging(["brand": 20.09, "total": 74.09]) { $1 })
            _ = try await store(pool).ingest(try items([second]), organization: organization)
            _ = try await store(pool).ingest(try items([first]), organization: organization)
            let ssi = try await pool.query(
                "SELECT total_score::text, source_event_id FROM fact.ssi_snapshots WHERE organization_id = $1", [organization]
            )
            #expect(try ssi[0].decode(String.self, at: 0) == "74.09")
            #expect(try ssi[0].decode(String.self, at: 1) == "ssi-a")
        }
    }

    @Test("what only the database can check is refused alone, with the constraint named")
    func databaseRefusal() async throws {
        try await TestDatabase.withPool { pool in
            let organization = try await TestDatabase.makeOrganization(on: pool)
            let link = "https://example.com/a?utm_medium=employee_advocacy&utm_content=sametoken"
            let outcomes = try await store(pool).ingest(try items([
                Events.envelope("post.published", id: "e1", ["post_id": "p1", "ambassador_id": "a", "network": "x", "tracked_url": link]),
                Events.envelope("post.published", id: "e2", ["post_id": "p2", "ambassador_id": "a", "network": "x", "tracked_url": link]),
                Events.envelope("content.created", id: "e3", ["content_id": "c1", "title": "kept"]),
            ]), organization: organization)
            #expect(outcomes.map(\.status) == [.accepted, .rejected, .accepted])
            #expect(outcomes[1].reason == .constraintViolation)
            #expect(outcomes[1].field == "posts_by_utm_token")
            let ledger = try await pool.query("SELECT event_id FROM ingest.accepted_events WHERE organization_id = $1 ORDER BY 1", [organization])
            #expect(try ledger.map { try $0.decode(String.self, at: 0) } == ["e1", "e3"])
        }
    }

    @Test("a corrected event re-sent with the refused id is accepted and resolves the refusal")
    func resubmission() async throws {
        try await TestDatabase.withPool { pool in
            let organization = try await TestDatabase.makeOrganization(on: pool)
            let bad = Events.envelope("post.metrics_observed", id: "fix-me", Events.metrics.merging(["clicks": -1]) { $1 })
            let first = try await store(pool).ingest(try items([bad]), organization: organization)
            #expect(first[0].status == .rejected)
            let fixed = Events.envelope("post.metrics_observed", id: "fix-me", Events.metrics)
            let second = try await store(pool).ingest(try items([fixed]), organization: organization)
            #expect(second[0].status == .accepted)
            let resolved = try await pool.query(
                "SELECT resolved_at IS NOT NULL FROM ingest.rejected_items WHERE organization_id = $1 AND event_id = 'fix-me'", [organization]
            )
            #expect(try resolved[0].decode(Bool.self, at: 0))
        }
    }

    @Test("facts that refer to what is not known yet are accepted and joined when it arrives")
    func unknownReferences() async throws {
        try await TestDatabase.withPool { pool in
            let organization = try await TestDatabase.makeOrganization(on: pool)
            let outcomes = try await store(pool).ingest(try items([
                Events.envelope("lead.stage_changed", id: "st", ["lead_id": "later", "stage": "won", "won_amount": 10, "currency": "EUR"]),
                Events.envelope("post.metrics_observed", id: "mx", Events.metrics.merging(["post_id": "unknown-post"]) { $1 }),
                Events.envelope("ambassador.updated", id: "up", ["ambassador_id": "new-amb", "team": "Ops"]),
            ]), organization: organization)
            #expect(outcomes.allSatisfy { $0.status == .accepted })
            _ = try await store(pool).ingest(try items([
                Events.envelope("lead.created", id: "lc", ["lead_id": "later", "source_channel": "email"]),
                Events.envelope("ambassador.enrolled", id: "en", at: "2026-01-01T00:00:00Z", ["ambassador_id": "new-amb", "region": "EMEA"]),
            ]), organization: organization)
            let joined = try await pool.query(
                """
                SELECT l.lead_id, c.stage::text FROM fact.leads l JOIN fact.lead_stage_changes c USING (organization_id, lead_id)
                WHERE l.organization_id = $1
                """,
                [organization]
            )
            #expect(joined.count == 1)
            let ambassador = try await pool.query(
                "SELECT team, region, enrolled_at IS NOT NULL FROM core.ambassadors WHERE organization_id = $1", [organization]
            )
            #expect(try ambassador[0].decode(String.self, at: 0) == "Ops")
            #expect(try ambassador[0].decode(String.self, at: 1) == "EMEA")
            #expect(try ambassador[0].decode(Bool.self, at: 2))
        }
    }
}

/// A deterministic generator for shuffles.
struct SeededGenerator: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed &* 0x9E37_79B9_7F4A_7C15 | 1 }
    mutating func next() -> UInt64 {
        state ^= state << 13
        state ^= state >> 7
        state ^= state << 17
        return state
    }
}

/// A random but valid history of one organisation, with corrections, repeats and facts out of order.
struct OrderScenario {
    var events: [[String: Any]] = []
    var postCount = 0

    init(seed: UInt64) {
        var random = SeededGenerator(seed: seed)
        var minute = 0
        func at() -> String {
            minute += Int.random(in: 1...90, using: &random)
            let date = Date(timeIntervalSince1970: 1_767_225_600 + Double(minute * 60))  // from 2026-01-01
            return ISO8601DateFormatter().string(from: date)
        }
        var count = 0
        func add(_ type: String, _ data: [String: Any]) {
            count += 1
            events.append(Events.envelope(type, id: "e\(seed)-\(count)", at: at(), data))
        }
        let ambassadors = (1...4).map { "a\($0)" }
        for ambassador in ambassadors {
            add("ambassador.enrolled", ["ambassador_id": ambassador, "team": "T\(Int.random(in: 1...3, using: &random))",
                                        "networks": ["linkedin": Int.random(in: 100...900, using: &random)]])
            add("ambassador.updated", ["ambassador_id": ambassador, "region": ["EMEA", "APAC"].randomElement(using: &random)!])
            add("ambassador.updated", ["ambassador_id": ambassador, "team": NSNull(), "display_name": "Name \(ambassador)"])
        }
        add("ambassador.left", ["ambassador_id": "a4"])
        for content in 1...3 {
            add("content.created", ["content_id": "c\(content)", "title": "Title \(content)", "url": "https://example.com/c\(content)"])
            add("content.created", ["content_id": "c\(content)", "title": "Corrected \(content)", "campaign": "spring"])
        }
        postCount = Int.random(in: 4...8, using: &random)
        for post in 1...postCount {
            let data: [String: Any] = [
                "post_id": "p\(post)", "ambassador_id": ambassadors.randomElement(using: &random)!, "network": "linkedin",
                "content_id": "c\(Int.random(in: 1...3, using: &random))",
                "tracked_url": "https://example.com/?utm_medium=employee_advocacy&utm_content=t\(seed)x\(post)",
            ]
            add("post.published", data)
            var impressions = 0
            for step in 0..<Int.random(in: 2...4, using: &random) {
                impressions += Int.random(in: 10...500, using: &random)
                add("post.metrics_observed", [
                    "post_id": "p\(post)", "observed_at": "2026-02-0\(step + 1)T10:00:00Z", "impressions": impressions,
                    "members_reached": impressions / 2, "reactions": step, "comments": 0, "reshares": 0, "clicks": step,
                ])
            }
            // A second report of the first observation, sent later with other numbers: the later report wins.
            add("post.metrics_observed", [
                "post_id": "p\(post)", "observed_at": "2026-02-01T10:00:00Z", "impressions": 7, "members_reached": 7,
                "reactions": 0, "comments": 0, "reshares": 0, "clicks": 0,
            ])
        }
        for touch in 0..<12 {
            add("audience.touched", ["member": "m\(touch % 5)", "post_id": "p\(touch % postCount + 1)"])
        }
        for ambassador in ambassadors {
            for _ in 0..<2 {
                add("ssi.snapshot", ["ambassador_id": ambassador, "date": "2026-02-01", "brand": Double(Int.random(in: 0...2500, using: &random)) / 100,
                                     "people": 10, "insights": 12.5, "relationships": 20])
            }
        }
        for visit in 0..<6 {
            add("web.visit", ["visit_id": "v\(visit % 4)", "visitor": "visitor\(visit)",
                              "landing_url": "https://example.com/careers/x?utm_medium=employee_advocacy&utm_content=t\(seed)x1"])
        }
        for lead in 1...3 {
            add("lead.stage_changed", ["lead_id": "l\(lead)", "stage": "qualified"])
            add("lead.created", ["lead_id": "l\(lead)", "source_channel": "employee_advocacy", "ambassador_id": "a1",
                                 "estimated_value": 1000 * lead, "currency": "EUR"])
            add("lead.stage_changed", ["lead_id": "l\(lead)", "stage": "won", "won_amount": "999.99", "currency": "EUR"])
        }
        add("application.created", ["application_id": "ap1", "job_id": "j1", "source_channel": "employee_advocacy", "ambassador_id": "a2"])
        add("application.stage_changed", ["application_id": "ap1", "stage": "hired"])
        add("cost.recorded", ["cost_id": "k1", "period_start": "2026-01-01", "period_end": "2026-01-31", "category": "licence", "amount": 100, "currency": "EUR"])
        add("cost.recorded", ["cost_id": "k1", "period_start": "2026-01-01", "period_end": "2026-01-31", "category": "licence", "amount": 120, "currency": "EUR"])
        add("rate_card.set", ["network": "linkedin", "currency": "EUR", "effective_from": "2026-01-01", "cpm": 30, "cpc": 5,
                              "cost_per_reaction": 1, "cost_per_comment": 2, "cost_per_reshare": 3])
    }
}
