import Computation
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Postgres
import TestSupport
import Testing

@testable import API

/// What a hostile tenant, a careless ingestion job or a backfill could do to the others (issue 14).
@Suite("Hardening")
struct HardeningTests {
    static func visit(_ id: String, at time: String, visitor: String = "v1") -> String {
        #"{"id":"\#(id)","type":"web.visit","occurred_at":"\#(time)","data":{"visitor":"\#(visitor)","landing_url":"https://example.com/?utm_medium=employee_advocacy"}}"#
    }

    static let rateCard = #"{"id":"shared-id","type":"rate_card.set","occurred_at":"2026-03-01T00:00:00Z","data":{"network":"linkedin","currency":"EUR","effective_from":"2026-01-01","cpm":10,"cpc":1,"cost_per_reaction":0.1,"cost_per_comment":0.5,"cost_per_reshare":1}}"#

    @Test("an id an ingest key took first makes the admin's rate card an id_conflict refusal, never a silent duplicate")
    func idConflict() async throws {
        let app = try await TestApp.make()
        let ingest = try app.key([.ingest])
        try await app.test { client in
            try await client.execute(uri: "/v1/events", method: .post, headers: app.headers(key: ingest),
                                     body: ByteBuffer(string: "[\(Self.visit("shared-id", at: "2026-03-01T10:00:00Z"))]")) { response in
                #expect(response.json["accepted"] as? Int == 1)
            }
            for _ in 0..<2 {
                try await client.execute(uri: "/v1/events", method: .post, headers: app.headers,
                                         body: ByteBuffer(string: "[\(Self.rateCard)]")) { response in
                    let item = (response.json["items"] as? [[String: Any]])?.first ?? [:]
                    #expect(item["status"] as? String == "rejected")
                    #expect(item["reason"] as? String == "id_conflict")
                    #expect(item["field"] as? String == "id")
                    #expect((item["message"] as? String)?.contains("web.visit") == true)
                }
            }
            // The visit itself, sent again, is still a plain duplicate.
            try await client.execute(uri: "/v1/events", method: .post, headers: app.headers(key: ingest),
                                     body: ByteBuffer(string: "[\(Self.visit("shared-id", at: "2026-03-01T10:00:00Z"))]")) { response in
                #expect(response.json["duplicate"] as? Int == 1)
            }
        }
    }

    @Test("refused items and audit entries are numbered per organisation, from 1, whatever other tenants did")
    func perTenantIDs() async throws {
        let first = try await TestApp.make()
        let second = try await TestApp.make()
        let bad = #"[{"id":"x","type":"nope","occurred_at":"2026-03-01T00:00:00Z","data":{}}]"#
        for app in [first, first, second] {
            try await app.test { client in
                try await client.execute(uri: "/v1/events", method: .post, headers: app.headers, body: ByteBuffer(string: bad)) { _ in }
            }
        }
        for (app, expected) in [(first, [2, 1]), (second, [1])] {
            try await app.test { client in
                try await client.execute(uri: "/v1/events/rejected", method: .get, headers: app.headers) { response in
                    #expect((response.json["items"] as? [[String: Any]])?.compactMap { $0["rejection_id"] as? Int } == expected)
                }
                // The audit log starts at 1 too: creating the test's key was its first entry.
                try await client.execute(uri: "/v1/audit", method: .get, headers: app.headers) { response in
                    let entries = (try? JSONSerialization.jsonObject(with: Data(buffer: response.body))) as? [[String: Any]] ?? []
                    #expect(entries.compactMap { $0["audit_id"] as? Int }.min() == 1)
                }
            }
        }
    }

    @Test("a backfill of years of visits never makes a read take on its maintenance: 503 with Retry-After, then the answer")
    func backfillDoesNotBlockReads() async throws {
        let app = try await TestApp.make()
        // 300 visits on 300 different days from 2001 on: far more queued days than a read recomputes.
        let start = try #require(ISO8601DateFormatter().date(from: "2001-01-01T12:00:00Z"))
        let visits = (0..<300).map { day in
            Self.visit("b\(day)", at: ISO8601DateFormatter().string(from: start.addingTimeInterval(Double(day) * 86_400 * 7)), visitor: "v\(day % 50)")
        }
        try await app.test { client in
            try await client.execute(uri: "/v1/events", method: .post, headers: app.headers,
                                     body: ByteBuffer(string: "[" + visits.joined(separator: ",") + "]")) { response in
                #expect(response.json["accepted"] as? Int == 300)
            }
            let clock = ContinuousClock()
            let began = clock.now
            try await client.execute(uri: "/v1/kpis?from=2001-01-01&to=2006-12-31", method: .get, headers: app.headers) { response in
                #expect(response.status == .serviceUnavailable)
                #expect(response.headers[.retryAfter] == "60")
                #expect(String(buffer: response.body).contains("rollups_catching_up"))
            }
            #expect(clock.now - began < .seconds(10), "refused at once, not after the statement timeout")
        }
        // The background maintenance catches up; the same read then answers, with every visit counted.
        let pool = try await TestDatabase.makePool(role: "advocacy_service")
        while try await Rollups.maintainQueued(days: 64, pool: pool) > 0 {}
        await pool.close()
        try await app.test { client in
            try await client.execute(uri: "/v1/kpis?from=2001-01-01&to=2006-12-31", method: .get, headers: app.headers) { response in
                #expect(response.status == .ok)
                #expect(String(buffer: response.body).contains("\"all_visits\":300"))
            }
        }
    }
}
