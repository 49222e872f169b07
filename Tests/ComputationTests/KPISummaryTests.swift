import Foundation
import Ingestion
import Postgres
import TestSupport
import Testing

@testable import Computation

/// The KPIs of a small, hand-made month, checked against values computed by hand (see each comment).
@Suite("KPI summary")
struct KPISummaryTests {
    static func event(_ id: String, _ type: String, at: String, _ data: [String: Any]) -> [String: Any] {
        ["id": id, "type": type, "occurred_at": at, "data": data]
    }

    /// February 2026 (UTC): three ambassadors, three posts, metrics, rate cards, costs, SSI, visits, leads,
    /// applications and audience touches, plus a few facts in January that must not count.
    static var february: [[String: Any]] {
        var events: [[String: Any]] = []
        func add(_ type: String, _ at: String, _ data: [String: Any]) {
            events.append(event("e\(events.count)", type, at: at, data))
        }
        add("ambassador.enrolled", "2026-01-01T09:00:00Z", ["ambassador_id": "a1", "networks": ["linkedin": 500]])
        add("ambassador.enrolled", "2026-01-01T09:00:00Z", ["ambassador_id": "a2", "networks": ["x": 200]])
        add("ambassador.enrolled", "2026-01-01T09:00:00Z", ["ambassador_id": "a3"])
        add("ambassador.left", "2026-02-10T09:00:00Z", ["ambassador_id": "a3"])
        add("content.created", "2026-01-20T09:00:00Z", ["content_id": "c1", "title": "Launch", "url": "https://example.com/l"])
        add("post.published", "2026-02-05T10:00:00Z", ["post_id": "p1", "ambassador_id": "a1", "network": "linkedin", "content_id": "c1"])
        add("post.published", "2026-02-06T10:00:00Z", ["post_id": "p2", "ambassador_id": "a1", "network": "linkedin"])
        add("post.published", "2026-02-10T10:00:00Z", ["post_id": "p3", "ambassador_id": "a2", "network": "x", "content_id": "c1"])
        add("post.published", "2026-01-15T10:00:00Z", ["post_id": "p0", "ambassador_id": "a3", "network": "linkedin"])
        for (post, counts) in [("p1", [1000, 800, 10, 2, 1, 7]), ("p2", [2000, 1500, 30, 5, 3, 12]), ("p3", [500, 400, 4, 1, 0, 5]),
                               ("p0", [9000, 9000, 90, 9, 9, 9])] {
            // An early observation, then the latest: only the latest counts.
            add("post.metrics_observed", "2026-02-20T00:00:00Z", ["post_id": post, "observed_at": "2026-02-11T00:00:00Z",
                "impressions": 1, "members_reached": 1, "reactions": 0, "comments": 0, "reshares": 0, "clicks": 0])
            add("post.metrics_observed", "2026-02-25T00:00:00Z", ["post_id": post, "observed_at": "2026-02-25T00:00:00Z",
                "impressions": counts[0], "members_reached": counts[1], "reactions": counts[2], "comments": counts[3],
                "reshares": counts[4], "clicks": counts[5]])
        }
        let rates: [(String, String, [Double])] = [
            ("linkedin", "2026-01-01", [30, 5, 1, 2, 3]), ("linkedin", "2026-02-06", [40, 5, 1, 2, 3]), ("x", "2026-01-01", [10, 1, 0.5, 1, 1]),
        ]
        for (network, from, r) in rates {
            add("rate_card.set", "2026-01-01T00:00:00Z", ["network": network, "currency": "EUR", "effective_from": from, "cpm": r[0],
                "cpc": r[1], "cost_per_reaction": r[2], "cost_per_comment": r[3], "cost_per_reshare": r[4]])
        }
        add("cost.recorded", "2026-01-01T00:00:00Z", ["cost_id": "k1", "period_start": "2026-02-01", "period_end": "2026-02-28",
            "category": "licence", "amount": 280, "currency": "EUR"])
        add("cost.recorded", "2026-01-01T00:00:00Z", ["cost_id": "k2", "period_start": "2026-01-15", "period_end": "2026-02-13",
            "category": "rewards", "amount": 300, "currency": "EUR"])
        // Seed 000's example: 21.09 + 15.91 + 13.09 + 25 = 75.09.
        add("ssi.snapshot", "2026-02-20T00:00:00Z", ["ambassador_id": "a1", "date": "2026-02-20", "brand": 21.09, "people": 15.91,
            "insights": 13.09, "relationships": 25])
        add("ssi.snapshot", "2026-02-21T00:00:00Z", ["ambassador_id": "a2", "date": "2026-02-21", "brand": 12.5, "people": 12.5,
            "insights": 12.5, "relationships": 12.5])
        add("ssi.snapshot", "2026-03-02T00:00:00Z", ["ambassador_id": "a2", "date": "2026-03-02", "brand": 25, "people": 25,
            "insights": 25, "relationships": 25])
        let advocacy = "utm_medium=employee_advocacy&utm_content=tok"
        for (visitor, url) in [("v1", "https://example.com/blog?\(advocacy)"), ("v1", "https://example.com/blog?\(advocacy)"),
                               ("v2", "https://example.com/careers/job-1?\(advocacy)"), ("v3", "https://example.com/")] {
            add("web.visit", "2026-02-12T12:00:00Z", ["visitor": visitor, "landing_url": url])
        }
        add("lead.created", "2026-02-03T00:00:00Z", ["lead_id": "l1", "source_channel": "employee_advocacy", "ambassador_id": "a1",
            "estimated_value": 1500, "currency": "EUR"])
        add("lead.stage_changed", "2026-02-20T00:00:00Z", ["lead_id": "l1", "stage": "won", "won_amount": 1000, "currency": "EUR"])
        add("lead.created", "2026-02-04T00:00:00Z", ["lead_id": "l2", "source_channel": "employee_advocacy"])
        add("lead.created", "2026-02-04T00:00:00Z", ["lead_id": "l3", "source_channel": "paid"])
        add("lead.stage_changed", "2026-02-14T00:00:00Z", ["lead_id": "l3", "stage": "won", "won_amount": 50, "currency": "EUR"])
        add("lead.created", "2026-02-04T00:00:00Z", ["lead_id": "l4", "source_channel": "email"])
        add("lead.stage_changed", "2026-02-05T00:00:00Z", ["lead_id": "l4", "stage": "won", "won_amount": 70, "currency": "EUR"])
        add("lead.stage_changed", "2026-02-09T00:00:00Z", ["lead_id": "l4", "stage": "lost"])
        add("lead.created", "2026-02-04T00:00:00Z", ["lead_id": "l5", "source_channel": "organic"])
        add("lead.created", "2026-02-04T00:00:00Z", ["lead_id": "l6", "source_channel": "event"])
        add("application.created", "2026-02-01T00:00:00Z", ["application_id": "ap1", "job_id": "j1", "source_channel": "employee_advocacy"])
        add("application.stage_changed", "2026-02-11T00:00:00Z", ["application_id": "ap1", "stage": "hired"])
        add("application.created", "2026-02-01T00:00:00Z", ["application_id": "ap2", "job_id": "j1", "source_channel": "employee_advocacy"])
        add("application.stage_changed", "2026-02-03T00:00:00Z", ["application_id": "ap2", "stage": "rejected"])
        add("application.created", "2026-02-01T00:00:00Z", ["application_id": "ap3", "job_id": "j2", "source_channel": "referral"])
        add("application.stage_changed", "2026-02-21T00:00:00Z", ["application_id": "ap3", "stage": "hired"])
        add("audience.touched", "2026-01-10T00:00:00Z", ["member": "m1", "post_id": "p0"])
        add("audience.touched", "2026-02-10T00:00:00Z", ["member": "m1", "post_id": "p1"])
        add("audience.touched", "2026-02-11T00:00:00Z", ["member": "m2", "post_id": "p1"])
        return events
    }

    func organizationWithFebruary(_ pool: ConnectionPool) async throws -> UUID {
        let organization = try await TestDatabase.makeOrganization(on: pool)
        let data = try JSONSerialization.data(withJSONObject: Self.february)
        let items = try BatchParser.parse(Array(data), format: .json, limits: IngestionLimits())
        let outcomes = try await EventStore(pool: pool, validator: EventValidator(futureTolerance: 3600), logger: TestDatabase.logger)
            .ingest(items, organization: organization)
        #expect(outcomes.allSatisfy { $0.status == .accepted }, "\(outcomes.filter { $0.status != .accepted })")
        return organization
    }

    @Test("every KPI of a hand-made month equals its hand computation")
    func handComputed() async throws {
        try await TestDatabase.withPool { pool in
            let organization = try await organizationWithFebruary(pool)
            let report = try await KPIReport.load(organization: organization, period: Period(from: "2026-02-01", to: "2026-02-28"), pool: pool)
            let expected: [String: String] = [
                "active_ambassadors": "2",  // a1 and a2 posted; a3 posted in January only
                "adoption_rate": "1.000000",  // 2 active / 2 enrolled at the end (a3 left)
                // EMV: p1 30 + 35 + 17 = 82; p2 (new card, CPM 40) 80 + 60 + 49 = 189; p3 5 + 5 + 3 = 13
                "emv": "284.00",
                "return_per_active_ambassador": "642.00",  // (284 + 1000) / 2
                "content_shares": "2",
                "engagement_rate": "0.022857",  // (20 + 50 + 10) / 3500
                "posts": "3",
                "posts_per_active_ambassador": "1.5000",
                "impressions": "3500",
                "members_reached": "2700",
                "potential_reach": "1200",  // a1 500 x 2 posts + a2 200
                "new_audience_members": "1",  // m2; m1 was first touched in January
                "new_audience_share": "0.500000",
                "ssi_average": "62.55",  // (75.09 + 50.00) / 2; a2's March snapshot is after the period
                "ssi_share_above_75": "0.500000",
                "advocacy_visits": "3",
                "advocacy_unique_visitors": "2",
                "advocacy_traffic_share": "0.750000",
                "careers_advocacy_visits": "1",
                "programme_cost": "410.00",  // 280 + 300 x 13 / 30
                "roi": "2.1317",  // (284 + 1000 - 410) / 410
                "advocacy_leads": "2",
                "advocacy_lead_conversion": "0.500000",  // l1 won of l1, l2
                "advocacy_applications": "2",
                "advocacy_hire_conversion": "0.500000",
            ]
            #expect(report.rows.count == expected.count)
            for (key, value) in expected {
                #expect(report[key]?.value == value, "\(key)")
            }
            let emvParts = try #require(report["emv"]).detail
            #expect(emvParts["impressions"]?.decimal == 115)
            #expect(emvParts["clicks"]?.decimal == 100)
            #expect(emvParts["engagements"]?.decimal == 69)

            // Others: l3 won, l4 lost after winning, l5 and l6 open: 1 of 4. Lift 0.5 / 0.25 = 2.
            let leads = try #require(report["advocacy_lead_conversion"]).detail
            #expect(leads["lift"]?.decimal == 2)
            #expect(leads["enough_data"]?.bool == false)
            #expect(leads["significant"]?.bool == false)
            let others = leads["others"]
            #expect(others?["rate"]?.decimal == Decimal(string: "0.25"))
            // Wilson 95 % for 1 of 4: 0.045587 to 0.699358, exactly.
            #expect(others?["ci95_low"]?.decimal == Decimal(string: "0.045587"))
            #expect(others?["ci95_high"]?.decimal == Decimal(string: "0.699358"))
            let hires = try #require(report["advocacy_hire_conversion"]).detail
            #expect(hires["median_days_to_hire_advocacy"]?.decimal == 10)
            #expect(hires["median_days_to_hire_others"]?.decimal == 20)

            #expect(report.previousPeriod == Period(from: "2026-01-04", to: "2026-01-31"))
            #expect(report["posts"]?.previous == "1")
            #expect(report["posts"]?.change == "2")
            #expect(report["posts"]?.changeRatio == "2.000000")
        }
    }

    @Test("an empty period gives zeros and NULLs with reasons, never an error")
    func emptyPeriod() async throws {
        try await TestDatabase.withPool { pool in
            let organization = try await TestDatabase.makeOrganization(on: pool)
            let report = try await KPIReport.load(organization: organization, period: Period(from: "2020-01-01", to: "2020-01-31"), pool: pool)
            #expect(report["posts"]?.value == "0")
            #expect(report["engagement_rate"]?.value == nil)
            #expect(report["engagement_rate"]?.reason == "no impressions for the posts of the period")
            #expect(report["roi"]?.value == nil)
            #expect(report["roi"]?.reason != nil)
            #expect(report["posts"]?.changeRatio == nil)
            #expect(report.rows.allSatisfy { $0.value != nil || $0.reason != nil })
            let json = try JSONSerialization.jsonObject(with: try JSONEncoder().encode(report)) as? [String: Any]
            #expect((json?["kpis"] as? [Any])?.count == report.rows.count)
        }
    }

    @Test("Wilson intervals match their textbook values")
    func wilson() async throws {
        try await TestDatabase.withPool(size: 1) { pool in
            let row = try await pool.query("SELECT low::text, high::text FROM kpi.wilson(1, 4)")[0]
            #expect(try row.decode(String.self, at: 0) == "0.045587")
            #expect(try row.decode(String.self, at: 1) == "0.699358")
            let none = try await pool.query("SELECT low FROM kpi.wilson(0, 0)")
            #expect(try none[0].decode(String?.self, at: 0) == nil)
        }
    }

    /// Leads and applications dated relative to today, so that their cohorts' ages and windows are known.
    @Test("conversion KPIs tell their cohort's maturity and the conversion within the window, by hand")
    func conversionMaturity() async throws {
        try await TestDatabase.withPool { pool in
            let organization = try await TestDatabase.makeOrganization(on: pool)
            let formatter = DateFormatter()
            formatter.dateFormat = "yyyy-MM-dd"
            formatter.timeZone = TimeZone(identifier: "UTC")
            func day(_ ago: Int) -> String { formatter.string(from: Date().addingTimeInterval(Double(-ago) * 86_400)) }
            var events: [[String: Any]] = []
            func add(_ type: String, _ ago: Int, _ data: [String: Any]) {
                events.append(Self.event("m\(events.count)", type, at: "\(day(ago))T10:00:00Z", data))
            }
            func lead(_ id: String, _ channel: String, created: Int, _ stage: String? = nil, at: Int = 0) {
                add("lead.created", created, ["lead_id": id, "source_channel": channel])
                if let stage { add("lead.stage_changed", at, ["lead_id": id, "stage": stage]) }
            }
            lead("l1", "employee_advocacy", created: 100, "won", at: 90)  // won in 10 days
            lead("l2", "employee_advocacy", created: 100, "won", at: 5)  // won in 95 days: after the 90-day window
            lead("l3", "employee_advocacy", created: 100, "lost", at: 95)
            lead("l4", "employee_advocacy", created: 5)  // open
            lead("l5", "employee_advocacy", created: 3, "qualified", at: 2)  // open
            lead("o1", "paid", created: 100, "won", at: 80)  // won in 20 days
            lead("o2", "email", created: 100)
            add("application.created", 70, ["application_id": "a1", "job_id": "j", "source_channel": "employee_advocacy"])
            add("application.stage_changed", 30, ["application_id": "a1", "stage": "hired"])  // hired in 40 days
            add("application.created", 2, ["application_id": "a2", "job_id": "j", "source_channel": "employee_advocacy"])
            let items = try BatchParser.parse(Array(try JSONSerialization.data(withJSONObject: events)), format: .json, limits: IngestionLimits())
            let outcomes = try await EventStore(pool: pool, validator: EventValidator(futureTolerance: 3600), logger: TestDatabase.logger)
                .ingest(items, organization: organization)
            #expect(outcomes.allSatisfy { $0.status == .accepted }, "\(outcomes.filter { $0.status != .accepted })")

            for fromRollups in [false, true] {
                if fromRollups { try await pool.query("SELECT rollup.maintain($1, NULL, NULL, 100000, true)", [organization]) }
                let report = try await KPIReport.load(organization: organization, period: Period(from: day(120), to: day(0)), pool: pool)
                let leads = try #require(report["advocacy_lead_conversion"])
                #expect(leads.value == "0.400000")  // l1 and l2 won of 5
                let maturity = leads.detail["maturity"]
                #expect(maturity?["open"]?.decimal == 2)  // l4, l5
                #expect(maturity?["open_share"]?.decimal == Decimal(string: "0.4"))
                #expect(maturity?["median_age_days"]?.decimal == 100)  // 100, 100, 100, 5, 3
                #expect(maturity?["window_days"]?.decimal == 90)
                #expect(maturity?["immature"]?.bool == false)
                #expect(maturity?["as_of"]?.string == day(0))
                // At least 90 days old: l1, l2, l3, of which l1 won within 90 days; others o1 (in 20 days) of o1, o2.
                let within = leads.detail["within_window"]
                #expect(within?["advocacy"]?["successes"]?.decimal == 1)
                #expect(within?["advocacy"]?["trials"]?.decimal == 3)
                #expect(within?["advocacy"]?["rate"]?.decimal == Decimal(string: "0.333333"))
                #expect(within?["others"]?["rate"]?.decimal == Decimal(string: "0.5"))
                #expect(within?["enough_data"]?.bool == false)
                // a1 (70 days old, hired in 40) and a2 (2 days old, open): median age 36 < the 60-day window.
                let hires = try #require(report["advocacy_hire_conversion"])
                #expect(hires.value == "0.500000")
                #expect(hires.detail["maturity"]?["median_age_days"]?.decimal == 36)
                #expect(hires.detail["maturity"]?["immature"]?.bool == true)
                #expect(hires.detail["maturity"]?["open"]?.decimal == 1)
                #expect(hires.detail["within_window"]?["advocacy"]?["rate"]?.decimal == 1)

                // The last ten days: l4 and l5 only, both open, a cohort 4 days old: 0 % that says nothing yet.
                let recent = try #require(
                    try await KPIReport.load(organization: organization, period: Period(from: day(10), to: day(0)), pool: pool)["advocacy_lead_conversion"]
                )
                #expect(recent.value == "0.000000")
                #expect(recent.detail["maturity"]?["open_share"]?.decimal == 1)
                #expect(recent.detail["maturity"]?["median_age_days"]?.decimal == 4)
                #expect(recent.detail["maturity"]?["immature"]?.bool == true)
                #expect(recent.detail["within_window"]?["advocacy"]?["trials"]?.decimal == 0)
                #expect(recent.detail["within_window"]?["advocacy"]?["rate"] == .null)
            }
        }
    }

    /// Lift = (a won / a) / (b won / b); its 95 % interval exp(ln lift -+ 1.959964 sqrt(1/wa - 1/na + 1/wb - 1/nb)).
    @Test("a comparison of two rates says whether the data suffice and whether the lift is significant, by hand", arguments: [
        // 30/100 against 20/200: lift 3, interval 1.7973 to 5.0076: enough and significant.
        (30, 100, 20, 200, "3.0000", "1.7973", "5.0076", true, true),
        // 6/20 against 5/20: lift 1.2, interval 0.4361 to 3.3017 includes 1: enough, not significant.
        (6, 20, 5, 20, "1.2000", "0.4361", "3.3017", true, false),
        // 3/10 against 5/40: lift 2.4, interval 0.6859 to 8.3973; 3 successes are too few: neither.
        (3, 10, 5, 40, "2.4000", "0.6859", "8.3973", false, false),
    ])
    func compareRates(
        wonA: Int, trialsA: Int, wonB: Int, trialsB: Int, lift: String, low: String, high: String, enough: Bool, significant: Bool
    ) async throws {
        try await TestDatabase.withPool(size: 1) { pool in
            let row = try await pool.query(
                """
                SELECT c ->> 'lift', c ->> 'lift_ci95_low', c ->> 'lift_ci95_high', (c ->> 'enough_data')::boolean,
                       (c ->> 'significant')::boolean, c ->> 'note', c ? 'conclusive'
                FROM kpi.compare_rates($1, $2, $3, $4) AS c
                """,
                [wonA, trialsA, wonB, trialsB]
            )[0]
            #expect(try row.decode(String.self, at: 0) == lift)
            #expect(try row.decode(String.self, at: 1) == low)
            #expect(try row.decode(String.self, at: 2) == high)
            #expect(try row.decode(Bool.self, at: 3) == enough)
            #expect(try row.decode(Bool.self, at: 4) == significant)
            #expect(try (row.decode(String?.self, at: 5) == nil) == (enough && significant))
            #expect(try row.decode(Bool.self, at: 6) == false)
        }
    }

    @Test("periods: named ones resolve in the organisation's time zone; bad ones name the parameter")
    func periods() async throws {
        try await TestDatabase.withPool(size: 1) { pool in
            let organization = try await TestDatabase.makeOrganization(on: pool)
            let week = try await Period.resolve(name: "last_7_days", from: nil, to: nil, organization: organization, pool: pool)
            #expect(Period.dayNumber(week.to)! - Period.dayNumber(week.from)! == 6)
            for (name, from, to, parameter) in [
                ("fortnight", nil, nil, "period"), (nil, "2026-02-30", "2026-03-01", "from"), (nil, "2026-03-01", nil, "to"),
                (nil, "2026-03-02", "2026-03-01", "to"), (nil, "1800-01-01", "2026-01-01", "from"),
            ] as [(String?, String?, String?, String)] {
                let error = await #expect(throws: PeriodError.self) {
                    try await Period.resolve(name: name, from: from, to: to, organization: organization, pool: pool)
                }
                #expect(error?.parameter == parameter)
            }
        }
    }
}

@Suite("Row-level security and the BI role")
struct RowLevelSecurityTests {
    /// Runs `body` in a transaction acting as `role`, for `organization` when given.
    func asRole<T: Sendable>(
        _ role: String, organization: UUID?, on pool: ConnectionPool, _ body: @escaping @Sendable (PostgresConnection) throws -> T
    ) async throws -> T {
        try await pool.transaction { connection in
            try connection.execute("SET LOCAL ROLE \(role)")
            if let organization { try connection.actFor(organization) }
            return try body(connection)
        }
    }

    @Test("as the service role, a query without an organisation filter sees the current organisation only, and nothing without one")
    func serviceRole() async throws {
        try await TestDatabase.withPool(size: 1) { pool in
            let a = try await TestDatabase.makeOrganization(on: pool)
            let b = try await TestDatabase.makeOrganization(on: pool)
            for (organization, id) in [(a, "a-content"), (b, "b-content")] {
                try await pool.query(
                    "INSERT INTO core.content_items (organization_id, content_id, title, created_at) VALUES ($1, $2, 't', now())",
                    [organization, id]
                )
            }
            // No WHERE organization_id: row-level security alone keeps b's rows out.
            let seen = try await asRole("advocacy_service", organization: a, on: pool) { connection in
                try connection.query("SELECT content_id FROM core.content_items").map { try $0.decode(String.self, at: 0) }
            }
            #expect(seen == ["a-content"])
            let organizations = try await asRole("advocacy_service", organization: a, on: pool) { connection in
                try connection.query("SELECT count(*) FROM core.organizations")[0].decode(Int.self, at: 0)
            }
            #expect(organizations == 1)
            let nothing = try await asRole("advocacy_service", organization: nil, on: pool) { connection in
                try connection.query("SELECT count(*) FROM core.content_items")[0].decode(Int.self, at: 0)
            }
            #expect(nothing == 0)
            // Writing into another organisation is refused, not silently done.
            await #expect(throws: PostgresError.self) {
                try await asRole("advocacy_service", organization: a, on: pool) { connection in
                    try connection.query(
                        "INSERT INTO core.content_items (organization_id, content_id, title, created_at) VALUES ($1, 'x', 't', now())", [b]
                    )
                }
            }
        }
    }
}
