import Access
import Dashboards
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import TestSupport
import Testing

/// The dashboards: sign-in and sign-out, scopes, and the same numbers as the API.
@Suite("Dashboards")
struct DashboardTests {
    static let february = "from=2026-02-01&to=2026-02-28"

    /// February's facts: two posts with metrics, an advocacy visit, leads, an application with a hire.
    static let events = [
        #"{"id":"d1","type":"ambassador.enrolled","occurred_at":"2026-01-01T09:00:00Z","data":{"ambassador_id":"a1","team":"Sales"}}"#,
        #"{"id":"d2","type":"post.published","occurred_at":"2026-02-03T10:00:00Z","data":{"post_id":"p1","ambassador_id":"a1","network":"linkedin"}}"#,
        #"{"id":"d3","type":"post.metrics_observed","occurred_at":"2026-02-05T10:00:00Z","data":{"post_id":"p1","observed_at":"2026-02-05T10:00:00Z","impressions":12345,"members_reached":9000,"reactions":100,"comments":10,"reshares":5,"clicks":20}}"#,
        #"{"id":"d4","type":"web.visit","occurred_at":"2026-02-12T10:00:00Z","data":{"visitor":"v1","landing_url":"https://example.com/careers/?utm_medium=employee_advocacy"}}"#,
        #"{"id":"d5","type":"lead.created","occurred_at":"2026-02-04T10:00:00Z","data":{"lead_id":"l1","source_channel":"employee_advocacy"}}"#,
        #"{"id":"d6","type":"application.created","occurred_at":"2026-02-04T10:00:00Z","data":{"application_id":"ap1","job_id":"j1","source_channel":"employee_advocacy"}}"#,
        #"{"id":"d7","type":"application.stage_changed","occurred_at":"2026-02-14T10:00:00Z","data":{"application_id":"ap1","stage":"hired"}}"#,
    ].joined(separator: "\n")

    func cookieHeaders(_ key: String) -> HTTPFields { [.cookie: "advocacy_key=\(key)"] }

    func page(_ client: any TestClientProtocol, _ path: String, key: String) async throws -> (HTTPResponse.Status, String) {
        try await client.execute(uri: path, method: .get, headers: cookieHeaders(key)) { ($0.status, String(buffer: $0.body)) }
    }

    @Test("sign-in sets an HttpOnly, SameSite session cookie; pages need it; sign-out clears it")
    func signIn() async throws {
        let app = try await TestApp.make()
        try await app.test { client in
            try await client.execute(uri: "/dashboard/overview", method: .get) { response in
                #expect(response.status == .found)
                #expect(response.headers[.location] == "/sign-in")
            }
            try await client.execute(uri: "/sign-in", method: .get) { response in
                #expect(String(buffer: response.body).contains("<label for=\"key\">"))
            }
            let form: HTTPFields = [.contentType: "application/x-www-form-urlencoded"]
            try await client.execute(uri: "/sign-in", method: .post, headers: form, body: ByteBuffer(string: "key=adv_wrong")) { response in
                #expect(response.status == .unauthorized)
                #expect(response.headers[.setCookie] == nil)
            }
            try await client.execute(uri: "/sign-in", method: .post, headers: form, body: ByteBuffer(string: "key=\(app.key)")) { response in
                #expect(response.status == .found)
                let cookie = response.headers[.setCookie] ?? ""
                #expect(cookie.hasPrefix("advocacy_key=\(app.key)"))
                #expect(cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict") && !cookie.contains("Secure"))
            }
            try await client.execute(uri: "/sign-in", method: .post, headers: form + [HTTPField(name: HTTPField.Name("X-Forwarded-Proto")!, value: "https")],
                                     body: ByteBuffer(string: "key=\(app.key)")) { response in
                #expect(response.headers[.setCookie]?.contains("Secure") == true)
            }
            try await client.execute(uri: "/sign-out", method: .post, headers: cookieHeaders(app.key)) { response in
                #expect(response.headers[.setCookie]?.contains("Max-Age=0") == true)
            }
            // The cookie reads the API (the CSV links) but never writes through it.
            try await client.execute(uri: "/v1/kpis/catalog?format=csv", method: .get, headers: cookieHeaders(app.key)) { response in
                #expect(response.status == .ok)
            }
            try await client.execute(uri: "/v1/events", method: .post, headers: cookieHeaders(app.key), body: ByteBuffer(string: "[]")) { response in
                #expect(response.status == .unauthorized)
            }
        }
    }

    @Test("every page renders for an all-scope key, accessibly, and empty periods say so")
    func pages() async throws {
        let app = try await TestApp.make()
        try await app.test { client in
            for dashboard in DashboardPage.allCases {
                let (status, html) = try await page(client, "/dashboard/\(dashboard.rawValue)?\(Self.february)&granularity=week", key: app.key)
                #expect(status == .ok, "\(dashboard)")
                #expect(html.contains("<html lang=\"en\">"), "\(dashboard)")
                #expect(html.contains("<label>Period <select name=\"period\">"), "\(dashboard)")
                #expect(html.contains("no data for this period") || html.contains("No data for this period"), "\(dashboard)")
                // Every chart has a title (the page has one more, its own).
                #expect(html.components(separatedBy: "<svg").count == html.components(separatedBy: "<title>").count - 1, "\(dashboard)")
            }
            let (status, html) = try await page(client, "/dashboard/programme?from=2026-02-10&to=2026-02-01", key: app.key)
            #expect(status == .badRequest)
            #expect(html.contains("Check the to"))
        }
    }

    @Test("the numbers of the pages are the API's numbers for the same period and filters")
    func sameNumbersAsTheAPI() async throws {
        let app = try await TestApp.make()
        try await app.test { client in
            try await client.execute(uri: "/v1/events", method: .post, headers: app.ndjsonHeaders, body: ByteBuffer(string: Self.events)) {
                #expect($0.status == .ok)
            }
            let api = try await client.execute(uri: "/v1/kpis?\(Self.february)", method: .get, headers: app.headers) { $0.json }
            let currency = api["currency"] as? String ?? ""
            let (_, overview) = try await page(client, "/dashboard/overview?\(Self.february)", key: app.key)
            var compared = 0
            for kpi in api["kpis"] as? [[String: Any]] ?? [] {
                guard let key = kpi["key"] as? String, let start = overview.range(of: "data-kpi=\"\(key)\"") else { continue }
                let tile = overview[start.upperBound...].prefix(600)
                let value = (kpi["value"] as? NSNumber)?.doubleValue
                let unit = key == "posts_per_active_ambassador" ? "count" : kpi["unit"] as? String ?? ""
                let expected = Formatting.value(value, unit: unit, currency: currency)
                #expect(tile.contains("<div class=\"value\">\(expected)</div>"), "\(key): \(expected)")
                compared += 1
            }
            #expect(compared == 12)
            // The programme page's leaderboard is the API's, filtered the same way.
            let leaders = try await client.execute(uri: "/v1/leaderboards/ambassadors?\(Self.february)&team=Sales", method: .get,
                                                   headers: app.headers) { String(buffer: $0.body) }
            #expect(leaders.contains("\"impressions\":12345"))
            let (_, programme) = try await page(client, "/dashboard/programme?\(Self.february)&team=Sales", key: app.key)
            #expect(programme.contains("<td>a1</td><td>Sales</td><td>1</td><td>12,345</td>"))
            let (_, empty) = try await page(client, "/dashboard/programme?\(Self.february)&team=Nobody", key: app.key)
            #expect(empty.contains("No data for this period"))
        }
    }

    @Test("each page honours the key's scopes: no HR page for marketing, only candidate KPIs for HR")
    func scopes() async throws {
        let app = try await TestApp.make()
        let marketing = try app.key([.marketing])
        let hr = try app.key([.hr])
        let ingest = try app.key([.ingest])
        try await app.test { client in
            #expect(try await page(client, "/dashboard/hr", key: marketing).0 == .forbidden)
            #expect(try await page(client, "/dashboard/results", key: marketing).0 == .ok)
            #expect(try await page(client, "/dashboard/programme", key: hr).0 == .forbidden)
            #expect(try await page(client, "/dashboard/hr", key: hr).0 == .ok)
            let (_, overview) = try await page(client, "/dashboard/overview", key: hr)
            #expect(overview.contains("data-kpi=\"advocacy_applications\""))
            #expect(!overview.contains("data-kpi=\"emv\""))
            #expect(!overview.contains("/dashboard/programme"))
            #expect(try await page(client, "/dashboard/overview", key: ingest).0 == .forbidden)
        }
    }
}
