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
                #expect((response.json["error"] as? [String: Any])?["message"] as? String == "this API key was revoked")
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
