import Access
import Dashboards
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import TestSupport
import Testing

@testable import API

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

    /// A form post from our own sign-in page, as a browser sends it.
    static let form: HTTPFields = [.contentType: "application/x-www-form-urlencoded", .origin: "http://localhost"]

    /// A browser's request: it carries the session cookie and accepts HTML.
    func cookieHeaders(_ session: String) -> HTTPFields { [.cookie: "\(DashboardController.cookieName)=\(session)", .accept: "text/html"] }

    /// Signs in with `key`. - Returns: the session token the cookie carries.
    func signIn(_ client: any TestClientProtocol, key: String) async throws -> String {
        try await client.execute(uri: "/sign-in", method: .post, headers: Self.form, body: ByteBuffer(string: "key=\(key)")) { response in
            #expect(response.status == .found)
            let cookie = response.headers[.setCookie] ?? ""
            return String(cookie.dropFirst("\(DashboardController.cookieName)=".count).prefix { $0 != ";" })
        }
    }

    func page(_ client: any TestClientProtocol, _ path: String, key: String) async throws -> (HTTPResponse.Status, String) {
        let session = try await signIn(client, key: key)
        return try await client.execute(uri: path, method: .get, headers: cookieHeaders(session)) { ($0.status, String(buffer: $0.body)) }
    }

    @Test("sign-in opens a server-side session: an opaque HttpOnly, SameSite cookie, never the key; sign-out ends it")
    func signIn() async throws {
        let app = try await TestApp.make()
        try await app.test { client in
            try await client.execute(uri: "/dashboard/overview", method: .get, headers: [.accept: "text/html"]) { response in
                #expect(response.status == .found)
                #expect(response.headers[.location] == "/sign-in")
            }
            try await client.execute(uri: "/sign-in", method: .get) { response in
                #expect(String(buffer: response.body).contains("<label for=\"key\">"))
            }
            try await client.execute(uri: "/sign-in", method: .post, headers: Self.form, body: ByteBuffer(string: "key=adv_wrong")) { response in
                #expect(response.status == .unauthorized)
                #expect(response.headers[.setCookie] == nil)
            }
            let session = try await client.execute(uri: "/sign-in", method: .post, headers: Self.form, body: ByteBuffer(string: "key=\(app.key)")) {
                response in
                #expect(response.status == .found)
                let cookie = response.headers[.setCookie] ?? ""
                #expect(cookie.hasPrefix("\(DashboardController.cookieName)=ses_"))
                #expect(!cookie.contains(app.key) && !cookie.contains(String(app.key.suffix(43))), "the cookie never holds the key")
                #expect(cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict") && !cookie.contains("Secure"))
                return String(cookie.dropFirst("\(DashboardController.cookieName)=".count).prefix { $0 != ";" })
            }
            #expect(try await client.execute(uri: "/dashboard/overview", method: .get, headers: cookieHeaders(session)) { $0.status } == .ok)
            // The session reads the API (the CSV links) but never writes through it.
            try await client.execute(uri: "/v1/kpis/catalog?format=csv", method: .get, headers: cookieHeaders(session)) { response in
                #expect(response.status == .ok)
            }
            try await client.execute(uri: "/v1/events", method: .post, headers: cookieHeaders(session), body: ByteBuffer(string: "[]")) { response in
                #expect(response.status == .unauthorized)
            }
            // The key itself in the cookie is no session.
            #expect(try await client.execute(uri: "/dashboard/overview", method: .get, headers: cookieHeaders(app.key)) { $0.status } == .found)
            try await client.execute(uri: "/sign-out", method: .post, headers: cookieHeaders(session) + [.origin: "http://localhost"]) { response in
                #expect(response.status == .found)
                #expect(response.headers[.setCookie]?.contains("Max-Age=0") == true)
            }
            // Signed out on the server: the same cookie, replayed, opens nothing.
            try await client.execute(uri: "/dashboard/overview", method: .get, headers: cookieHeaders(session)) { response in
                #expect(response.status == .found)
                #expect(response.headers[.location] == "/sign-in")
            }
            // A client other than a browser is told 401 rather than sent to a form.
            try await client.execute(uri: "/dashboard/overview", method: .get, headers: [.cookie: "\(DashboardController.cookieName)=\(session)"]) { response in
                #expect(response.status == .unauthorized)
                #expect(response.headers[.location] == nil)
            }
            try await client.execute(uri: "/v1/kpis/catalog", method: .get, headers: cookieHeaders(session)) { response in
                #expect(response.status == .unauthorized)
            }
        }
    }

    @Test("sign-in and sign-out refuse cross-site posts: no Origin, or another site's, is a 403 that changes nothing")
    func crossSite() async throws {
        let app = try await TestApp.make()
        try await app.test { client in
            let session = try await signIn(client, key: app.key)
            let plain: HTTPFields = [.contentType: "application/x-www-form-urlencoded"]
            for headers in [plain, plain + [.origin: "https://evil.example"], plain + [.referer: "https://evil.example/page"], plain + [.origin: "null"]] {
                try await client.execute(uri: "/sign-in", method: .post, headers: headers, body: ByteBuffer(string: "key=\(app.key)")) { response in
                    #expect(response.status == .forbidden)
                    #expect(response.headers[.setCookie] == nil)
                }
                try await client.execute(uri: "/sign-out", method: .post, headers: headers + cookieHeaders(session)) { response in
                    #expect(response.status == .forbidden)
                }
            }
            // Still signed in: the cross-site sign-out did nothing.
            #expect(try await client.execute(uri: "/dashboard/overview", method: .get, headers: cookieHeaders(session)) { $0.status } == .ok)
            // A same-site Referer is enough when a browser sends no Origin.
            try await client.execute(uri: "/sign-in", method: .post, headers: plain + [.referer: "http://localhost/sign-in"],
                                     body: ByteBuffer(string: "key=\(app.key)")) { response in
                #expect(response.status == .found)
            }
        }
    }

    @Test("pages send a Content-Security-Policy that forbids framing and inline code, nosniff, and load only /dashboard.css")
    func securityHeaders() async throws {
        let app = try await TestApp.make()
        try await app.test { client in
            let session = try await signIn(client, key: app.key)
            for path in ["/dashboard/overview", "/sign-in"] {
                try await client.execute(uri: path, method: .get, headers: cookieHeaders(session)) { response in
                    let policy = response.headers[.contentSecurityPolicy] ?? ""
                    #expect(policy.contains("frame-ancestors 'none'") && policy.contains("default-src 'none'") && policy.contains("style-src 'self'"))
                    #expect(!policy.contains("unsafe-inline"))
                    #expect(response.headers[.xContentTypeOptions] == "nosniff")
                    #expect(response.headers[.strictTransportSecurity] == nil, "no HSTS over plain HTTP")
                    let html = String(buffer: response.body)
                    #expect(!html.contains("<style") && !html.contains("<script") && !html.contains(" style="))
                    #expect(html.contains("<link rel=\"stylesheet\" href=\"/dashboard.css\">"))
                }
            }
            try await client.execute(uri: "/dashboard.css", method: .get) { response in
                #expect(response.status == .ok)
                #expect(response.headers[.contentType]?.hasPrefix("text/css") == true)
                #expect(String(buffer: response.body).contains("font-family"))
            }
            try await client.execute(uri: "/v1/kpis/catalog", method: .get, headers: app.headers) { response in
                #expect(response.headers[.xContentTypeOptions] == "nosniff")
            }
        }
    }

    @Test("a session ends when its key is revoked, and after its idle time or lifetime")
    func sessionEnds() async throws {
        let app = try await TestApp.make()
        let key = try app.key([.marketing])
        let keyID = try #require(APIKeys.keyID(of: key))
        try await app.test { client in
            let session = try await signIn(client, key: key)
            #expect(try await client.execute(uri: "/dashboard/overview", method: .get, headers: cookieHeaders(session)) { $0.status } == .ok)
            try await client.execute(uri: "/v1/keys/\(keyID.uuidString.lowercased())", method: .delete, headers: app.headers) { response in
                #expect(response.status == .noContent)
            }
            #expect(try await client.execute(uri: "/dashboard/overview", method: .get, headers: cookieHeaders(session)) { $0.status } == .found)
        }
        // Three seconds: long enough for sign-in and a first page on a loaded machine, short enough to wait out.
        for settings in [Sessions.Settings(lifetime: .seconds(3600), idle: .seconds(3)), Sessions.Settings(lifetime: .seconds(3), idle: .seconds(3600))] {
            var short = app
            short.settings.sessions = settings
            try await short.test { [short] client in
                let session = try await signIn(client, key: short.key)
                #expect(try await client.execute(uri: "/dashboard/overview", method: .get, headers: cookieHeaders(session)) { $0.status } == .ok)
                try await Task.sleep(for: .milliseconds(4100))
                #expect(try await client.execute(uri: "/dashboard/overview", method: .get, headers: cookieHeaders(session)) { $0.status } == .found)
            }
        }
    }

    @Test("every page renders for an all-scope key, accessibly, and empty periods say so")
    func pages() async throws {
        let app = try await TestApp.make()
        try await app.test { client in
            // The ambassador's own page opens with an ambassador's key (its own test).
            for dashboard in DashboardPage.allCases where dashboard != .me {
                let (status, html) = try await page(client, "/dashboard/\(dashboard.rawValue)?\(Self.february)&granularity=week", key: app.key)
                #expect(status == .ok, "\(dashboard)")
                #expect(html.contains("<html lang=\"en\">"), "\(dashboard)")
                #expect(html.contains("<label>Period <select name=\"period\">"), "\(dashboard)")
                #expect(html.contains("no data for this period") || html.contains("No data for this period"), "\(dashboard)")
                // Every chart has a title (the page has one more, its own).
                #expect(html.components(separatedBy: "<svg").count == html.components(separatedBy: "<title>").count - 1, "\(dashboard)")
            }
            let (status, html) = try await page(client, "/dashboard/programme?from=2026-02-10&to=2026-02-01", key: app.key)
            #expect(status == .unprocessableContent)
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

    @Test("a conversion whose cohort is younger than its window is marked immature, with its open share and age")
    func immatureConversion() async throws {
        let app = try await TestApp.make()
        try await app.test { client in
            let formatter = DateFormatter()
            formatter.dateFormat = "yyyy-MM-dd"
            formatter.timeZone = TimeZone(identifier: "UTC")
            let twoDaysAgo = formatter.string(from: Date().addingTimeInterval(-2 * 86_400))
            let events = [
                #"{"id":"im1","type":"application.created","occurred_at":"\#(twoDaysAgo)T10:00:00Z","data":{"application_id":"im1","job_id":"j","source_channel":"employee_advocacy"}}"#,
                #"{"id":"im2","type":"lead.created","occurred_at":"\#(twoDaysAgo)T10:00:00Z","data":{"lead_id":"im2","source_channel":"employee_advocacy"}}"#,
            ]
            try await client.execute(uri: "/v1/events", method: .post, headers: app.ndjsonHeaders,
                                      body: ByteBuffer(string: events.joined(separator: "\n"))) { #expect($0.status == .ok) }
            let (status, hr) = try await page(client, "/dashboard/hr?period=last_7_days", key: app.key)
            #expect(status == .ok)
            let tile = try #require(hr.range(of: "data-kpi=\"advocacy_hire_conversion\"")).upperBound
            let text = String(hr[tile...].prefix(700))
            #expect(text.contains("<span class=\"immature\">immature</span>"))
            #expect(text.contains("100.0 % still open, median age 2 days, under the 60-day window"))
            let (_, results) = try await page(client, "/dashboard/results?period=last_7_days", key: app.key)
            #expect(results.contains("Converted within 90 days of creation"))
        }
    }

    @Test("the SSI page shows a challenge under way: its standings, who reached the target, the teams")
    func challengeOnTheSSIPage() async throws {
        let app = try await TestApp.make()
        try await app.test { client in
            let events = [("c1", "2026-02-20", 10), ("c2", "2026-03-20", 12)].map { id, date, pillar in
                #"{"id":"\#(id)","type":"ssi.snapshot","occurred_at":"\#(date)T10:00:00Z","data":{"ambassador_id":"amb-1","date":"\#(date)","brand":\#(pillar),"people":\#(pillar),"insights":\#(pillar),"relationships":\#(pillar)}}"#
            }
            try await client.execute(uri: "/v1/events", method: .post, headers: app.ndjsonHeaders,
                                      body: ByteBuffer(string: events.joined(separator: "\n"))) { #expect($0.status == .ok) }
            let challenge = #"{"name": "5 points in March", "starts_on": "2026-03-01", "ends_on": "2026-03-31", "target_gain": 5}"#
            try await client.execute(uri: "/v1/ssi/challenges", method: .post, headers: app.headers, body: ByteBuffer(string: challenge)) {
                #expect($0.status == .created)
            }
            let (status, html) = try await page(client, "/dashboard/ssi?from=2026-03-01&to=2026-03-31", key: app.key)
            #expect(status == .ok)
            // amb-1: 40 on Feb 20, 48 on Mar 20: a gain of 8.
            #expect(html.contains("Challenge “5 points in March” (everyone, 2026-03-01 to 2026-03-31, gain 5 points): 1 of 1 reached it as of 2026-03-31"))
            #expect(html.contains("<td>1</td><td>amb-1</td><td></td><td>40.00</td><td>48.00</td><td>8.00</td><td>yes</td>"))
        }
    }

    @Test("an ambassador's key signs in to their own page, and to no other")
    func ambassadorPage() async throws {
        let app = try await TestApp.make()
        let ada = try app.key([.ambassador], ambassador: "a1")
        try await app.test { client in
            try await client.execute(uri: "/v1/events", method: .post, headers: app.ndjsonHeaders, body: ByteBuffer(string: Self.events)) {
                #expect($0.status == .ok)
            }
            try await client.execute(uri: "/sign-in", method: .post, headers: Self.form, body: ByteBuffer(string: "key=\(ada)")) { response in
                #expect(response.headers[.location] == "/dashboard/me")
            }
            let (status, html) = try await page(client, "/dashboard/me?\(Self.february)", key: ada)
            #expect(status == .ok)
            // a1's one post of February, with 12,345 impressions: first of one in the organisation and in Sales.
            #expect(html.contains("<h2>Posts</h2><div class=\"value\">1</div><div class=\"muted\">rank 1 of 1 in the organisation, rank 1 of 1 in Sales</div>"))
            #expect(html.contains("<h2>Impressions</h2><div class=\"value\">12,345</div>"))
            #expect(html.contains("<td>1</td><td>you</td><td>1</td>"))
            for other in ["overview", "programme", "ssi", "hr"] {
                #expect(try await page(client, "/dashboard/\(other)", key: ada).0 == .forbidden, "\(other)")
            }
            #expect(try await page(client, "/dashboard/me", key: app.key).0 == .forbidden)
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
