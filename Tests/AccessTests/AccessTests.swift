import Access
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import TestSupport
import Testing

@Suite("API keys and scopes")
struct AccessTests {
    @Test("a key without the scope gets 403 naming it; with it, the request goes through")
    func scopes() async throws {
        let app = try await TestApp.make()
        let ingestOnly = try app.key([.ingest])
        let hrOnly = try app.key([.hr])
        try await app.test { client in
            try await client.execute(uri: "/v1/kpis?period=last_7_days", method: .get, headers: app.headers(key: ingestOnly)) { response in
                #expect(response.status == .forbidden)
                let error = response.json["error"] as? [String: Any]
                #expect(error?["code"] as? String == "missing_scope")
                #expect((error?["message"] as? String)?.contains("marketing") == true)
            }
            try await client.execute(uri: "/v1/events", method: .post, headers: app.headers(key: hrOnly), body: ByteBuffer(string: "[]")) {
                response in
                #expect(response.status == .forbidden)
            }
            try await client.execute(uri: "/v1/events", method: .post, headers: app.headers(key: ingestOnly), body: ByteBuffer(string: "[]")) {
                response in
                #expect(response.status == .ok)
            }
            // HR reads the candidate KPIs only; marketing's are not in its answer.
            try await client.execute(uri: "/v1/kpis?period=last_7_days", method: .get, headers: app.headers(key: hrOnly)) { response in
                #expect(response.status == .ok)
                let families = Set((response.json["kpis"] as? [[String: Any]] ?? []).compactMap { $0["family"] as? String })
                #expect(families == ["candidates"])
            }
            try await client.execute(uri: "/v1/leaderboards/ambassadors?period=last_7_days", method: .get, headers: app.headers(key: hrOnly)) {
                response in
                #expect(response.status == .forbidden)
            }
            try await client.execute(uri: "/v1/keys", method: .get, headers: app.headers(key: ingestOnly)) { response in
                #expect(response.status == .forbidden)
            }
        }
    }

    @Test("admins create, list and revoke keys; a revoked or expired key is refused; the audit log records it")
    func lifecycle() async throws {
        let app = try await TestApp.make()
        let expired = try app.key([.marketing], expiresAt: Date().addingTimeInterval(-60))
        try await app.test { client in
            let created = try await client.execute(
                uri: "/v1/keys", method: .post, headers: app.headers,
                body: ByteBuffer(string: #"{"name": "crm", "scopes": ["ingest"]}"#)
            ) { response in
                #expect(response.status == .created)
                return (response.json["key"] as? String ?? "", response.json["key_id"] as? String ?? "")
            }
            #expect(created.0.hasPrefix("adv_"))
            try await client.execute(uri: "/v1/keys", method: .get, headers: app.headers) { response in
                let body = String(buffer: response.body)
                #expect(body.contains("\"crm\""))
                #expect(!body.contains(created.0), "the secret must never be listed")
                #expect(!body.contains("secret"))
            }
            try await client.execute(uri: "/v1/events", method: .post, headers: app.headers(key: created.0), body: ByteBuffer(string: "[]")) {
                response in
                #expect(response.status == .ok)
            }
            try await client.execute(uri: "/v1/keys/\(created.1)", method: .delete, headers: app.headers) { response in
                #expect(response.status == .noContent)
            }
            try await client.execute(uri: "/v1/events", method: .post, headers: app.headers(key: created.0), body: ByteBuffer(string: "[]")) {
                response in
                #expect(response.status == .unauthorized)
                #expect(response.error["message"] as? String == "this API key was revoked")
            }
            try await client.execute(uri: "/v1/kpis?period=last_7_days", method: .get, headers: app.headers(key: expired)) { response in
                #expect(response.status == .unauthorized)
            }
            try await client.execute(uri: "/v1/audit", method: .get, headers: app.headers) { response in
                let body = String(buffer: response.body)
                #expect(body.contains("key.created"))
                #expect(body.contains("key.revoked"))
            }
            try await client.execute(uri: "/v1/keys", method: .post, headers: app.headers,
                                     body: ByteBuffer(string: #"{"name": "x", "scopes": ["root"]}"#)) { response in
                #expect(response.status == .badRequest)
            }
        }
    }

    @Test("a NUL in a key name is a 400 naming the field, not a 500")
    func nulInKeyName() async throws {
        let app = try await TestApp.make()
        try await app.test { client in
            try await client.execute(uri: "/v1/keys", method: .post, headers: app.headers,
                                     body: ByteBuffer(string: #"{"name": "crm\u0000eu", "scopes": ["ingest"]}"#)) { response in
                #expect(response.status == .badRequest)
                let error = response.json["error"] as? [String: Any]
                #expect(error?["parameter"] as? String == "name", "\(String(describing: error))")
            }
        }
    }

    @Test("a key name with quotes and a line break is kept as given in the audit log")
    func awkwardKeyName() async throws {
        let app = try await TestApp.make()
        try await app.test { client in
            try await client.execute(uri: "/v1/keys", method: .post, headers: app.headers,
                                     body: ByteBuffer(string: #"{"name": "crm \"eu\"\nline two", "scopes": ["ingest"]}"#)) { response in
                #expect(response.status == .created)
            }
            try await client.execute(uri: "/v1/audit", method: .get, headers: app.headers) { response in
                let entries = (try? JSONSerialization.jsonObject(with: Data(buffer: response.body))) as? [[String: Any]] ?? []
                let detail = entries.first { $0["action"] as? String == "key.created" }?["detail"] as? [String: Any]
                #expect(detail?["name"] as? String == "crm \"eu\"\nline two")
            }
        }
    }

    @Test("a key of organisation A reads and writes nothing of organisation B")
    func isolation() async throws {
        let a = try await TestApp.make()
        let b = try await TestApp.make()
        let event = #"[{"id":"e1","type":"content.created","occurred_at":"2026-03-05T10:00:00Z","data":{"content_id":"secret-b","title":"B only","url":"https://b.example/x"}}]"#
        try await a.test { client in
            try await client.execute(uri: "/v1/events", method: .post, headers: b.headers, body: ByteBuffer(string: event)) { response in
                #expect(response.json["accepted"] as? Int == 1)
            }
            // A's key: the same event id is A's own first event, and B's content is unknown to A.
            try await client.execute(uri: "/v1/events", method: .post, headers: a.headers, body: ByteBuffer(string: event)) { response in
                #expect(response.json["accepted"] as? Int == 1)
            }
            try await client.execute(uri: "/v1/links?ambassador_id=x&content_id=secret-b&network=x", method: .get, headers: a.headers) {
                response in
                #expect(response.status == .ok)  // A now has its own secret-b
            }
            try await client.execute(uri: "/v1/keys", method: .get, headers: a.headers) { response in
                #expect(!String(buffer: response.body).contains(b.organization.uuidString.lowercased()))
                #expect((try? JSONSerialization.jsonObject(with: Data(buffer: response.body))) as? [Any] != nil)
            }
        }
        let rows = try TestDatabase.countContent(a.organization, b.organization)
        #expect(rows == [1, 1])
    }

    @Test("application-level rows reach hr and admin only; marketing gets 403", arguments: [
        (Set<Scope>([.hr]), HTTPResponse.Status.ok), (Set<Scope>([.marketing]), .forbidden), (Set<Scope>([.ingest]), .forbidden),
    ])
    func candidateRows(scopes: Set<Scope>, status: HTTPResponse.Status) async throws {
        let app = try await TestApp.make()
        let key = try app.key(scopes)
        try await app.test { client in
            try await client.execute(uri: "/v1/candidates/applications?period=year_to_date", method: .get, headers: app.headers(key: key)) {
                response in
                #expect(response.status == status)
            }
        }
    }

    @Test("no GET endpoint shows organisation A anything of organisation B")
    func isolationEveryEndpoint() async throws {
        let a = try await TestApp.make()
        let b = try await TestApp.make()
        let marker = "only-in-b-\(UUID().uuidString.prefix(8))"
        let events = [
            #"{"id":"b1","type":"ambassador.enrolled","occurred_at":"2026-01-05T10:00:00Z","data":{"ambassador_id":"\#(marker)","team":"\#(marker)"}}"#,
            #"{"id":"b2","type":"content.created","occurred_at":"2026-01-05T10:00:00Z","data":{"content_id":"\#(marker)","title":"\#(marker)","url":"https://b.example/\#(marker)"}}"#,
            #"{"id":"b3","type":"post.published","occurred_at":"2026-01-06T10:00:00Z","data":{"post_id":"\#(marker)","ambassador_id":"\#(marker)","network":"linkedin","content_id":"\#(marker)"}}"#,
            #"{"id":"b4","type":"ssi.snapshot","occurred_at":"2026-01-06T10:00:00Z","data":{"ambassador_id":"\#(marker)","date":"2026-01-06","brand":20,"people":20,"insights":20,"relationships":20}}"#,
            #"{"id":"b5","type":"application.created","occurred_at":"2026-01-06T10:00:00Z","data":{"application_id":"\#(marker)","job_id":"\#(marker)","source_channel":"employee_advocacy","ambassador_id":"\#(marker)"}}"#,
            #"{"id":"b6","type":"post.metrics_observed","occurred_at":"2026-01-06T10:00:00Z","data":{"post_id":"\#(marker)","impressions":-1,"members_reached":0,"reactions":0,"comments":0,"reshares":0,"clicks":0}}"#,
        ]
        let period = "from=2026-01-01&to=2026-01-31"
        let uris = [
            "/v1/kpis?\(period)", "/v1/kpis/catalog", "/v1/leaderboards/ambassadors?\(period)", "/v1/leaderboards/content?\(period)",
            "/v1/series/activity?\(period)", "/v1/series/traffic?\(period)", "/v1/series/pipeline?\(period)",
            "/v1/candidates/applications?\(period)", "/v1/ssi?date=2026-01-31&improved_since=2026-01-01", "/v1/ssi/leaderboard?date=2026-01-31",
            "/v1/events/rejected", "/v1/keys", "/v1/audit",
        ]
        try await a.test { client in
            try await client.execute(uri: "/v1/events", method: .post, headers: b.headers, body: ByteBuffer(string: "[" + events.joined(separator: ",") + "]")) {
                response in
                #expect(response.json["rejected"] as? Int == 1)
            }
            // B sees its own data through the same endpoints, so the check below can fail.
            try await client.execute(uri: "/v1/candidates/applications?\(period)", method: .get, headers: b.headers) { response in
                #expect(String(buffer: response.body).contains(marker))
            }
            for uri in uris {
                try await client.execute(uri: uri, method: .get, headers: a.headers) { response in
                    #expect(!String(buffer: response.body).contains(marker), "\(uri) shows B's data to A")
                    #expect(response.status == .ok, "\(uri): \(response.status)")
                }
            }
            // B's content item does not exist for A (the message only repeats what A asked for).
            try await client.execute(uri: "/v1/links?ambassador_id=x&content_id=\(marker)&network=x", method: .get, headers: a.headers) {
                response in
                #expect(response.status == .notFound)
            }
        }
    }

    @Test("rate cards and costs need the admin scope, and are audited")
    func adminFacts() async throws {
        let app = try await TestApp.make()
        let ingestOnly = try app.key([.ingest])
        let rateCard = #"[{"id":"rc1","type":"rate_card.set","occurred_at":"2026-01-01T00:00:00Z","data":{"network":"x","currency":"EUR","effective_from":"2026-01-01","cpm":1,"cpc":1,"cost_per_reaction":1,"cost_per_comment":1,"cost_per_reshare":1}}]"#
        try await app.test { client in
            try await client.execute(uri: "/v1/events", method: .post, headers: app.headers(key: ingestOnly), body: ByteBuffer(string: rateCard)) {
                response in
                let item = (response.json["items"] as? [[String: Any]])?.first
                #expect(item?["status"] as? String == "rejected")
                #expect(item?["reason"] as? String == "not_permitted")
            }
            try await client.execute(uri: "/v1/events", method: .post, headers: app.headers, body: ByteBuffer(string: rateCard)) { response in
                #expect(response.json["accepted"] as? Int == 1)
            }
            try await client.execute(uri: "/v1/audit", method: .get, headers: app.headers) { response in
                #expect(String(buffer: response.body).contains("rate_card.set"))
            }
        }
    }

    @Test("erasure is for admins, answers what it did, and is audited without the person's identifier")
    func erasure() async throws {
        let app = try await TestApp.make()
        let marketing = try app.key([.marketing])
        try await app.test { client in
            let body = ByteBuffer(string: #"{"ambassador_id": "someone-42"}"#)
            try await client.execute(uri: "/v1/erasures", method: .post, headers: app.headers(key: marketing), body: body) { response in
                #expect(response.status == .forbidden)
            }
            try await client.execute(uri: "/v1/erasures", method: .post, headers: app.headers, body: body) { response in
                #expect(response.status == .ok)
                #expect(response.json["kind"] as? String == "ambassador")
            }
            try await client.execute(uri: "/v1/erasures", method: .post, headers: app.headers,
                                     body: ByteBuffer(string: #"{"ambassador_id": "a", "person": "b"}"#)) { response in
                #expect(response.status == .badRequest)
            }
            try await client.execute(uri: "/v1/audit", method: .get, headers: app.headers) { response in
                let body = String(buffer: response.body)
                #expect(body.contains("erasure.ambassador"))
                #expect(!body.contains("someone-42"))
            }
        }
    }

    @Test("repeated failures from one key are answered 429 with Retry-After")
    func rateLimited() async throws {
        let app = try await TestApp.make()
        let wrong = "adv_" + String(repeating: "a", count: 32) + "_wrong"
        try await app.test { client in
            var statuses: [HTTPResponse.Status] = []
            for _ in 0..<12 {
                try await client.execute(uri: "/v1/kpis?period=last_7_days", method: .get, headers: app.headers(key: wrong)) { response in
                    statuses.append(response.status)
                    if response.status == .tooManyRequests { #expect(response.headers[.retryAfter] != nil) }
                }
            }
            #expect(statuses.prefix(10).allSatisfy { $0 == .unauthorized })
            #expect(statuses.last == .tooManyRequests)
        }
    }
}
