import Computation
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import TestSupport
import Testing

@Suite("KPI API")
struct KPIAPITests {
    @Test("GET /v1/kpis answers every KPI of the catalog, as JSON and as CSV")
    func summary() async throws {
        let app = try await TestApp.make()
        try await app.test { client in
            let catalog = try await client.execute(uri: "/v1/kpis/catalog", method: .get, headers: app.headers) { response in
                #expect(response.status == .ok)
                return (response.json["kpis"] as? [[String: Any]] ?? []).compactMap { $0["key"] as? String }
            }
            #expect(catalog.count >= 12)
            try await client.execute(uri: "/v1/kpis?from=2026-02-01&to=2026-02-28", method: .get, headers: app.headers) { response in
                #expect(response.status == .ok)
                // Read from the primary here: no replica lag, and the answer says so.
                #expect(response.headers[HTTPField.Name("X-Replica-Lag-Seconds")!] == "0.000")
                let json = response.json
                let kpis = json["kpis"] as? [[String: Any]] ?? []
                #expect(kpis.compactMap { $0["key"] as? String } == catalog)
                #expect((json["previous_period"] as? [String: Any])?["from"] as? String == "2026-01-04")
                let rate = kpis.first { $0["key"] as? String == "engagement_rate" }
                #expect(rate?["value"] is NSNull)
                #expect(rate?["reason"] as? String != nil)
            }
            var csvHeaders = app.headers
            csvHeaders[.accept] = "text/csv"
            try await client.execute(uri: "/v1/kpis?period=last_30_days", method: .get, headers: csvHeaders) { response in
                #expect(response.status == .ok)
                #expect(response.headers[.contentType]?.hasPrefix("text/csv") == true)
                let text = String(buffer: response.body)
                #expect(text.hasPrefix("\u{FEFF}\"key\",\"name\""))
                #expect(text.components(separatedBy: "\r\n").count == catalog.count + 2)
            }
            try await client.execute(uri: "/v1/kpis/catalog?format=csv", method: .get, headers: app.headers) { response in
                #expect(response.headers[.contentDisposition]?.contains("kpi-catalog.csv") == true)
            }
            // A client that takes both (a generated client does) gets what it ranks first.
            for (accept, csv) in [("application/json, text/csv", false), ("text/csv, application/json", true), ("application/json;q=0.5, text/csv", true)] {
                var headers = app.headers
                headers[.accept] = accept
                try await client.execute(uri: "/v1/kpis/catalog", method: .get, headers: headers) { response in
                    #expect(response.headers[.contentType]?.hasPrefix("text/csv") == csv, "\(accept)")
                }
            }
        }
    }

    @Test("leaderboards and series answer JSON and CSV", arguments: [
        "/v1/leaderboards/ambassadors?period=last_30_days&by=engagement",
        "/v1/leaderboards/content?from=2026-01-01&to=2026-01-31&network=linkedin",
        "/v1/series/activity?period=this_month&granularity=day&team=Sales",
        "/v1/series/traffic?period=last_7_days&granularity=day&campaign=spring",
        "/v1/series/pipeline?period=year_to_date&granularity=month",
        "/v1/breakdowns/posts?period=last_30_days&by=network",
        "/v1/series/value?period=this_quarter&granularity=month",
    ])
    func lists(uri: String) async throws {
        let app = try await TestApp.make()
        try await app.test { client in
            try await client.execute(uri: uri, method: .get, headers: app.headers) { response in
                #expect(response.status == .ok)
                #expect(String(buffer: response.body).hasPrefix("["))
            }
            try await client.execute(uri: uri + "&format=csv", method: .get, headers: app.headers) { response in
                #expect(response.status == .ok)
                #expect(String(buffer: response.body).hasPrefix("\u{FEFF}"))
            }
        }
    }

    @Test("each family endpoint answers its KPIs as GET /v1/kpis does, its series, and a breakdown of posts")
    func families() async throws {
        let app = try await TestApp.make()
        try await app.test { client in
            let events = [
                #"{"id":"f1","type":"ambassador.enrolled","occurred_at":"2026-02-01T09:00:00Z","data":{"ambassador_id":"a1","team":"Sales"}}"#,
                #"{"id":"f2","type":"post.published","occurred_at":"2026-02-03T10:00:00Z","data":{"post_id":"p1","ambassador_id":"a1","network":"linkedin"}}"#,
                #"{"id":"f3","type":"post.published","occurred_at":"2026-02-10T10:00:00Z","data":{"post_id":"p2","ambassador_id":"a1","network":"x"}}"#,
                #"{"id":"f4","type":"web.visit","occurred_at":"2026-02-12T10:00:00Z","data":{"visitor":"v1","landing_url":"https://example.com/?utm_medium=employee_advocacy"}}"#,
            ]
            try await client.execute(uri: "/v1/events", method: .post, headers: app.ndjsonHeaders,
                                      body: ByteBuffer(string: events.joined(separator: "\n"))) { response in
                #expect(response.status == .ok)
            }
            let period = "from=2026-02-01&to=2026-02-28"
            let all = try await client.execute(uri: "/v1/kpis?\(period)", method: .get, headers: app.headers) { response in
                (response.json["kpis"] as? [[String: Any]] ?? []).reduce(into: [String: String]()) { values, kpi in
                    values[kpi["key"] as? String ?? ""] = "\(kpi["family"] ?? "")=\(kpi["value"] ?? "")"
                }
            }
            for family in ["programme", "content", "ambassadors", "reach", "ssi", "traffic", "emv", "leads", "candidates"] {
                try await client.execute(uri: "/v1/kpis/\(family)?\(period)&granularity=week", method: .get, headers: app.headers) { response in
                    #expect(response.status == .ok, "\(family)")
                    let json = response.json
                    let kpis = json["kpis"] as? [[String: Any]] ?? []
                    #expect(!kpis.isEmpty, "\(family)")
                    for kpi in kpis {
                        let key = kpi["key"] as? String ?? ""
                        #expect(all[key] == "\(family)=\(kpi["value"] ?? "")", "\(family): \(key)")
                    }
                    // February 2026 touches the ISO weeks of Jan 26 to Feb 23.
                    #expect((json["series"] as? [[String: Any]])?.count == 5, "\(family)")
                }
            }
            try await client.execute(uri: "/v1/kpis/programme?\(period)&by=network", method: .get, headers: app.headers) { response in
                let rows = response.json["breakdown"] as? [[String: Any]] ?? []
                #expect(Set(rows.compactMap { $0["value"] as? String }) == ["linkedin", "x"])
            }
            try await client.execute(uri: "/v1/kpis/traffic?\(period)&format=csv", method: .get, headers: app.headers) { response in
                #expect(String(buffer: response.body).hasPrefix("\u{FEFF}\"bucket\""))
            }
            try await client.execute(uri: "/v1/kpis/weather?\(period)", method: .get, headers: app.headers) { response in
                #expect(response.status == .notFound)
            }
        }
    }

    @Test("a leaderboard answers pages of its ranked list, with the list's size; its CSV export is the whole list")
    func leaderboardPages() async throws {
        let app = try await TestApp.make()
        try await app.test { client in
            // Seven ambassadors with 1 to 4 posts each: ties share a rank, and pages of 3 cut through them.
            let posts = [4, 3, 3, 2, 2, 2, 1]
            var events: [String] = []
            for (index, count) in posts.enumerated() {
                for post in 0..<count {
                    events.append(#"{"id":"pg-\#(index)-\#(post)","type":"post.published","occurred_at":"2026-02-0\#(post + 1)T10:00:00Z","data":{"post_id":"pg-\#(index)-\#(post)","ambassador_id":"pg\#(index)","network":"linkedin"}}"#)
                }
            }
            try await client.execute(uri: "/v1/events", method: .post, headers: app.ndjsonHeaders,
                                      body: ByteBuffer(string: events.joined(separator: "\n"))) { response in
                #expect(response.status == .ok)
            }
            let list = "/v1/leaderboards/ambassadors?from=2026-02-01&to=2026-02-28"
            let whole = try await client.execute(uri: list + "&format=csv", method: .get, headers: app.headers) { response in
                String(buffer: response.body).components(separatedBy: "\r\n").dropFirst().filter { !$0.isEmpty }
                    .map { $0.components(separatedBy: ",")[1].trimmingCharacters(in: ["\""]) }
            }
            #expect(whole == (0..<7).map { "pg\($0)" })
            var paged: [String] = []
            var ranks: [Int] = []
            for offset in stride(from: 0, through: 9, by: 3) {
                try await client.execute(uri: list + "&limit=3&offset=\(offset)", method: .get, headers: app.headers) { response in
                    #expect(response.status == .ok)
                    #expect(response.headers[HTTPField.Name("X-Total-Count")!] == "7")
                    let rows = (try? JSONSerialization.jsonObject(with: Data(buffer: response.body))) as? [[String: Any]] ?? []
                    #expect(rows.count == max(0, min(3, 7 - offset)))
                    #expect(rows.allSatisfy { Set($0.keys) == ["rank", "ambassador_id", "team", "posts", "impressions", "engagements", "engagement_rate"] })
                    paged += rows.compactMap { $0["ambassador_id"] as? String }
                    ranks += rows.compactMap { $0["rank"] as? Int }
                }
            }
            #expect(paged == whole)
            #expect(ranks == [1, 2, 2, 4, 4, 4, 7])
            try await client.execute(uri: list, method: .get, headers: app.headers) { response in
                #expect(response.headers[HTTPField.Name("X-Total-Count")!] == "7")
            }
        }
        try await expectBadParameter("/v1/leaderboards/content?period=last_7_days&limit=0", "limit")
        try await expectBadParameter("/v1/leaderboards/ambassadors?period=last_7_days&limit=1001", "limit")
        try await expectBadParameter("/v1/leaderboards/ambassadors?period=last_7_days&offset=-1", "offset")
    }

    @Test("the SSI overview's most improved are over the month before the date asked, unless told otherwise")
    func mostImprovedWindow() async throws {
        let app = try await TestApp.make()
        try await app.test { client in
            // mi1 gains 8 points between February and March 2026; nothing happens near today.
            let events = [("mi-1", "2026-02-20", 10), ("mi-2", "2026-03-20", 12)].map { id, date, pillar in
                #"{"id":"\#(id)","type":"ssi.snapshot","occurred_at":"\#(date)T10:00:00Z","data":{"ambassador_id":"mi1","date":"\#(date)","brand":\#(pillar),"people":\#(pillar),"insights":\#(pillar),"relationships":\#(pillar)}}"#
            }
            try await client.execute(uri: "/v1/events", method: .post, headers: app.ndjsonHeaders,
                                      body: ByteBuffer(string: events.joined(separator: "\n"))) { response in
                #expect(response.status == .ok)
            }
            try await client.execute(uri: "/v1/ssi?date=2026-03-31", method: .get, headers: app.headers) { response in
                let json = response.json
                // 2026-03-31 minus a calendar month: February has no 31st.
                #expect(json["most_improved_since"] as? String == "2026-02-28")
                let improved = json["most_improved"] as? [[String: Any]] ?? []
                #expect(improved.map { $0["ambassador_id"] as? String } == ["mi1"])
                #expect((improved.first?["gain"] as? NSNumber)?.doubleValue == 8)
            }
            try await client.execute(uri: "/v1/ssi?date=2026-03-31&improved_since=2026-03-01", method: .get, headers: app.headers) { response in
                #expect(response.json["most_improved_since"] as? String == "2026-03-01")
            }
        }
    }

    @Test("a calendar month before a date ends on the earlier month's last day when it is shorter", arguments: [
        ("2026-03-31", "2026-02-28"), ("2024-03-30", "2024-02-29"), ("2026-01-15", "2025-12-15"), ("2026-07-31", "2026-06-30"),
    ])
    func monthBefore(date: String, expected: String) {
        #expect(Period.monthBefore(date) == expected)
        #expect(Period.monthBefore("2026-02-30") == nil)
    }

    @Test("an admin sets the conversion windows: the KPIs use them, the audit log has the change, a bad one is a 400")
    func conversionWindows() async throws {
        let app = try await TestApp.make()
        try await app.test { client in
            try await client.execute(uri: "/v1/organization/settings", method: .get, headers: app.headers) { response in
                #expect(response.json["lead_conversion_window_days"] as? Int == 90)
                #expect(response.json["hire_conversion_window_days"] as? Int == 60)
            }
            try await client.execute(uri: "/v1/organization/settings", method: .patch, headers: app.headers,
                                      body: ByteBuffer(string: #"{"lead_conversion_window_days": 30}"#)) { response in
                #expect(response.status == .ok)
                #expect(response.json["lead_conversion_window_days"] as? Int == 30)
                #expect(response.json["hire_conversion_window_days"] as? Int == 60)
            }
            try await client.execute(uri: "/v1/kpis?period=last_30_days", method: .get, headers: app.headers) { response in
                let kpis = response.json["kpis"] as? [[String: Any]] ?? []
                let leads = kpis.first { $0["key"] as? String == "advocacy_lead_conversion" }?["detail"] as? [String: Any]
                #expect((leads?["within_window"] as? [String: Any])?["window_days"] as? Int == 30)
                #expect((leads?["maturity"] as? [String: Any])?["window_days"] as? Int == 30)
            }
            try await client.execute(uri: "/v1/audit", method: .get, headers: app.headers) { response in
                #expect(String(buffer: response.body).contains("90 -> 30"))
            }
            for body in [#"{"hire_conversion_window_days": 0}"#, #"{"hire_conversion_window_days": 731}"#] {
                try await client.execute(uri: "/v1/organization/settings", method: .patch, headers: app.headers,
                                          body: ByteBuffer(string: body)) { response in
                    #expect(response.status == .badRequest)
                    #expect(response.error["parameter"] as? String == "hire_conversion_window_days")
                }
            }
            try await client.execute(uri: "/v1/organization/settings", method: .patch, headers: app.headers,
                                      body: ByteBuffer(string: #"{"lead_conversion_window_days": "soon"}"#)) { response in
                #expect(response.status == .badRequest)
            }
        }
    }

    @Test("bad parameters are a 400 that names the parameter", arguments: [
        ("period=fortnight", "period"), ("from=2026-02-01", "to"), ("from=2026-13-01&to=2026-12-31", "from"),
        ("period=last_7_days&format=xml", "format"), ("period=last_7_days&from=2026-01-01", "period"),
    ])
    func badParameters(query: String, parameter: String) async throws {
        try await expectBadParameter("/v1/kpis?\(query)", parameter)
    }

    @Test("lists refuse unknown rankings, granularities and networks", arguments: [
        ("/v1/leaderboards/ambassadors?period=last_7_days&by=likes", "by"),
        ("/v1/series/activity?period=last_7_days&granularity=hour", "granularity"),
        ("/v1/leaderboards/content?period=last_7_days&network=myspace", "network"),
        ("/v1/ssi?date=2026-02-30", "date"),
        ("/v1/leaderboards/content?period=last_7_days&network=LinkedIn", "network"),
        ("/v1/kpis/programme?period=last_7_days&by=colour", "by"),
    ])
    func badListParameters(uri: String, parameter: String) async throws {
        try await expectBadParameter(uri, parameter)
    }

    @Test("parameters each well formed that together make no request are a 422 naming one of them", arguments: [
        ("/v1/kpis?from=2026-02-10&to=2026-02-01", "to"),
        ("/v1/kpis?from=2000-01-01&to=2026-02-01", "to"),
        ("/v1/kpis/emv?period=last_7_days&team=Sales", "team"),
        ("/v1/kpis/traffic?period=last_7_days&by=team", "by"),
        ("/v1/ssi?date=2026-03-31&improved_since=2026-04-01", "improved_since"),
    ])
    func inconsistentParameters(uri: String, parameter: String) async throws {
        let app = try await TestApp.make()
        try await app.test { client in
            try await client.execute(uri: uri, method: .get, headers: app.headers) { response in
                #expect(response.status == .unprocessableContent)
                #expect(response.error["code"] as? String == "inconsistent_parameters")
                #expect(response.error["parameter"] as? String == parameter)
            }
        }
    }

    func expectBadParameter(_ uri: String, _ parameter: String) async throws {
        let app = try await TestApp.make()
        try await app.test { client in
            try await client.execute(uri: uri, method: .get, headers: app.headers) { response in
                #expect(response.status == .badRequest)
                #expect(response.error["parameter"] as? String == parameter)
            }
        }
    }
}
