import Access
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import Migrations
import Postgres
import TestSupport
import Testing
import Vocabulary

@testable import API

/// The access table of docs/access.md, route by route and scope by scope: a key with a scope the route
/// allows is never refused 403, a key without one always is. Every /v1 route must be in the table.
@Suite("Access table")
struct RouteAccessTests {
    /// The scopes each route admits, besides admin (which has them all).
    static let access: [String: Set<Scope>] = [
        "POST /v1/events": [.ingest],
        "GET /v1/events/rejected": [.ingest],
        "GET /v1/events/rejected/{id}": [.ingest],
        "GET /v1/links": [.ingest, .marketing],
        "GET /v1/kpis": [.marketing, .hr],
        "GET /v1/kpis/catalog": [.ingest, .marketing, .hr],
        "GET /v1/leaderboards/ambassadors": [.marketing],
        "GET /v1/leaderboards/content": [.marketing],
        "GET /v1/series/activity": [.marketing],
        "GET /v1/series/traffic": [.marketing],
        "GET /v1/series/pipeline": [.marketing],
        "GET /v1/series/hiring": [.marketing, .hr],
        "GET /v1/series/value": [.marketing],
        "GET /v1/breakdowns/posts": [.marketing],
        "GET /v1/candidates/applications": [.hr],
        "GET /v1/ssi": [.marketing],
        "GET /v1/ssi/leaderboard": [.marketing],
        "PUT /v1/ssi/goals/{ambassador_id}": [.admin],
        "POST /v1/ssi/challenges": [.admin],
        "GET /v1/ssi/challenges": [.marketing],
        "GET /v1/ssi/challenges/{challenge_id}": [.marketing],
        "GET /v1/ssi/monthly": [.marketing],
        "POST /v1/keys": [.admin],
        "GET /v1/keys": [.admin],
        "DELETE /v1/keys/{key_id}": [.admin],
        "GET /v1/audit": [.admin],
        "POST /v1/erasures": [.admin],
        "GET /v1/me": [.ambassador],
        "GET /v1/organization/settings": [.admin],
        "PATCH /v1/organization/settings": [.admin],
    ]

    /// The KPI families and who may read each (`GET /v1/kpis/{family}`).
    static func familyScopes(_ family: KPIFamily) -> Set<Scope> {
        family == .candidates ? [.marketing, .hr] : [.marketing]
    }

    /// A request URI for a route pattern, its parameters filled in.
    static func uri(_ path: String) -> String {
        path.replacingOccurrences(of: "{id}", with: "1")
            .replacingOccurrences(of: "{ambassador_id}", with: "a1")
            .replacingOccurrences(of: "{key_id}", with: UUID().uuidString.lowercased())
            .replacingOccurrences(of: "{challenge_id}", with: UUID().uuidString.lowercased())
    }

    @Test("the table names every /v1 route the router serves")
    func tableIsComplete() async throws {
        let app = try await TestApp.make()
        let logger = Logger(label: "routes")
        let pool = ConnectionPool(configuration: app.settings.database, logger: logger)
        let router = buildRouter(app.settings, pool: pool, ingestionPool: pool, readPool: pool, migrator: Migrator(migrations: [], logger: logger), logger: logger)
        let served = Set(router.routes.map { "\($0.method) \($0.path)" }.filter { $0.contains(" /v1/") && !$0.hasSuffix("/{family}") && !$0.hasSuffix("/:family") })
        await pool.close()
        #expect(served == Set(Self.access.keys), "served but not in the table: \(served.subtracting(Self.access.keys)); in the table but not served: \(Set(Self.access.keys).subtracting(served))")
    }

    @Test("every route and every scope: 403 exactly when the key lacks the route's scopes", arguments: Scope.allCases)
    func everyRouteEveryScope(scope: Scope) async throws {
        let app = try await TestApp.make()
        let key = try app.key([scope])
        let routes = Self.access.map { (route: $0.key, allowed: $0.value) }
            + KPIFamily.allCases.map { (route: "GET /v1/kpis/\($0.rawValue)", allowed: Self.familyScopes($0)) }
        try await app.test { client in
            for (route, allowed) in routes {
                let parts = route.split(separator: " ", maxSplits: 1)
                let method = HTTPRequest.Method(rawValue: String(parts[0]))!
                let body = method == .get || method == .delete ? nil : ByteBuffer(string: method == .post && route.hasSuffix("events") ? "[]" : "{}")
                try await client.execute(uri: Self.uri(String(parts[1])), method: method, headers: app.headers(key: key), body: body) { response in
                    let permitted = scope == .admin || allowed.contains(scope)
                    #expect((response.status == .forbidden) == !permitted, "\(scope.rawValue) key, \(route): \(response.status)")
                    #expect(response.status != .internalServerError, "\(scope.rawValue) key, \(route): \(String(buffer: response.body).prefix(200))")
                }
            }
        }
    }

    @Test("an HR key reads no lead, from any endpoint it may call")
    func hrReadsNoLeads() async throws {
        let app = try await TestApp.make()
        let hr = try app.key([.hr])
        let lead = #"[{"id":"l1","type":"lead.created","occurred_at":"2026-02-04T10:00:00Z","data":{"lead_id":"l1","source_channel":"employee_advocacy"}}]"#
        try await app.test { client in
            try await client.execute(uri: "/v1/events", method: .post, headers: app.headers, body: ByteBuffer(string: lead)) { response in
                #expect(response.json["accepted"] as? Int == 1)
            }
            for path in ["/v1/kpis", "/v1/kpis/candidates", "/v1/series/hiring", "/v1/candidates/applications",
                         "/v1/kpis/candidates?format=csv", "/v1/series/hiring?format=csv", "/v1/kpis?format=csv"] {
                try await client.execute(uri: path + (path.contains("?") ? "&" : "?") + "from=2026-02-01&to=2026-02-28", method: .get,
                                         headers: app.headers(key: hr)) { response in
                    #expect(response.status == .ok, "\(path)")
                    #expect(!String(buffer: response.body).contains("lead"), "\(path): \(String(buffer: response.body).prefix(300))")
                }
            }
        }
    }
}
