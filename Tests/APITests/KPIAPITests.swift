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

    @Test("bad parameters are a 400 that names the parameter", arguments: [
        ("period=fortnight", "period"), ("from=2026-02-01", "to"), ("from=2026-13-01&to=2026-12-31", "from"),
        ("from=2026-02-10&to=2026-02-01", "to"), ("period=last_7_days&format=xml", "format"),
        ("period=last_7_days&from=2026-01-01", "period"),
    ])
    func badParameters(query: String, parameter: String) async throws {
        try await expectBadParameter("/v1/kpis?\(query)", parameter)
    }

    @Test("lists refuse unknown rankings, granularities and networks", arguments: [
        ("/v1/leaderboards/ambassadors?period=last_7_days&by=likes", "by"),
        ("/v1/series/activity?period=last_7_days&granularity=hour", "granularity"),
        ("/v1/leaderboards/content?period=last_7_days&network=myspace", "network"),
        ("/v1/ssi?date=2026-02-30", "date"),
    ])
    func badListParameters(uri: String, parameter: String) async throws {
        try await expectBadParameter(uri, parameter)
    }

    func expectBadParameter(_ uri: String, _ parameter: String) async throws {
        let app = try await TestApp.make()
        try await app.test { client in
            try await client.execute(uri: uri, method: .get, headers: app.headers) { response in
                #expect(response.status == .badRequest)
                #expect((response.json["error"] as? [String: Any])?["parameter"] as? String == parameter)
            }
        }
    }
}
