import Computation
import Ingestion
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

    @Test("a backfill of years of visits never makes a read write or wait: it answers from the facts, then from the rollups, the same")
    func backfillDoesNotBlockReads() async throws {
        let app = try await TestApp.make()
        // 300 visits on 300 different weeks from 2001 on: far more queued days than maintenance does at once.
        let start = try #require(ISO8601DateFormatter().date(from: "2001-01-01T12:00:00Z"))
        let visits = (0..<300).map { day in
            Self.visit("b\(day)", at: ISO8601DateFormatter().string(from: start.addingTimeInterval(Double(day) * 86_400 * 7)), visitor: "v\(day % 50)")
        }
        let path = "/v1/kpis?from=2001-01-01&to=2006-12-31"
        let fromFacts = try await app.test { client in
            try await client.execute(uri: "/v1/events", method: .post, headers: app.headers,
                                     body: ByteBuffer(string: "[" + visits.joined(separator: ",") + "]")) { response in
                #expect(response.json["accepted"] as? Int == 300)
            }
            return try await client.execute(uri: path, method: .get, headers: app.headers) { response in
                #expect(response.status == .ok)
                #expect(String(buffer: response.body).contains("\"all_visits\":300"))
                return String(buffer: response.body)
            }
        }
        let pool = try await TestDatabase.makePool(role: "advocacy_service")
        #expect(try await Rollups.queuedDays(organization: app.organization, pool: pool) > 62, "the read left the queue as it was")
        while try await Rollups.maintainQueued(days: 64, pool: pool) > 0 {}
        await pool.close()
        try await app.test { client in
            try await client.execute(uri: path, method: .get, headers: app.headers) { response in
                #expect(String(buffer: response.body) == fromFacts, "the rollups answer exactly what the facts did")
            }
        }
    }
}

/// Erasure leaves no identifier anywhere (issue 14, point 6).
@Suite("Erasure everywhere")
struct ErasureEverywhereTests {
    static func event(_ id: String, _ type: String, _ data: String, at time: String = "2026-03-02T10:00:00Z") -> String {
        #"{"id":"\#(id)","type":"\#(type)","occurred_at":"\#(time)","data":\#(data)}"#
    }

    static let accepted = [
        event("enrol-zelda-amb", "ambassador.enrolled", #"{"ambassador_id":"zelda-amb","display_name":"Zelda","team":"Sales"}"#, at: "2026-03-01T09:00:00Z"),
        event("post-zelda-amb", "post.published", #"{"post_id":"p-1","ambassador_id":"zelda-amb","network":"linkedin"}"#),
        event("ssi-zelda-amb", "ssi.snapshot", #"{"ambassador_id":"zelda-amb","date":"2026-03-02","brand":10,"people":10,"insights":10,"relationships":10}"#),
        event("visit-zelda-visitor", "web.visit",
              #"{"visitor":"zelda-visitor","landing_url":"https://example.com/?utm_medium=employee_advocacy&email=zelda-visitor%40example.com"}"#),
        event("touch-zelda-member", "audience.touched", #"{"member":"zelda-member","post_id":"p-1"}"#),
        event("app-zelda", "application.created",
              #"{"application_id":"app-zelda","job_id":"j1","source_channel":"employee_advocacy","ambassador_id":"zelda-amb","candidate_ref":"zelda-candidate"}"#),
        event("stage-zelda", "application.stage_changed", #"{"application_id":"app-zelda","stage":"hired"}"#),
    ]

    static let refused = [
        // The visitor's identifier escaped: a byte search would not find it; its parsed field does.
        event("bad-visit", "web.visit", #"{"visitor":"\u007aelda-visitor","landing_url":"not a url"}"#),
        // An unrelated item that merely contains the letter of a short ambassador id.
        event("x-unrelated", "web.visit", #"{"visitor":"someone-else","landing_url":"also not a url x"}"#),
    ]

    @Test("after erasing an ambassador, a visitor, an audience member and a candidate, no row of any table names them")
    func noTraceAnywhere() async throws {
        let app = try await TestApp.make()
        try await app.test { client in
            let body = "[" + (Self.accepted + Self.refused).joined(separator: ",") + "]"
            try await client.execute(uri: "/v1/events", method: .post, headers: app.headers, body: ByteBuffer(string: body)) { response in
                #expect(response.json["accepted"] as? Int == Self.accepted.count, "\(String(buffer: response.body))")
                #expect(response.json["rejected"] as? Int == Self.refused.count)
            }
            try await client.execute(uri: "/v1/ssi/goals/zelda-amb", method: .put, headers: app.headers,
                                     body: ByteBuffer(string: #"{"target_score":70,"target_date":"2026-12-24"}"#)) { response in
                #expect(response.status == .noContent)
            }
            for erasure in [#"{"ambassador_id":"zelda-amb"}"#, #"{"person":"zelda-visitor"}"#, #"{"person":"zelda-member"}"#,
                            #"{"application_id":"app-zelda"}"#, #"{"ambassador_id":"x"}"#] {
                try await client.execute(uri: "/v1/erasures", method: .post, headers: app.headers, body: ByteBuffer(string: erasure)) { response in
                    #expect(response.status == .ok, "\(erasure): \(String(buffer: response.body))")
                }
            }
            // The same events sent again are still duplicates: nothing is stored twice.
            try await client.execute(uri: "/v1/events", method: .post, headers: app.headers,
                                     body: ByteBuffer(string: "[" + Self.accepted.joined(separator: ",") + "]")) { response in
                #expect(response.json["duplicate"] as? Int == Self.accepted.count, "\(String(buffer: response.body))")
            }
        }
        let pool = try await TestDatabase.makePool(role: "advocacy_service")
        try await Rollups.maintainAll(organization: app.organization, through: "2026-12-31", pool: pool)
        await pool.close()

        // Every table of the service's schemas, every row of the organisation, as text.
        let owner = try PostgresConnection.connect(.init(conninfo: try await TestDatabase.url))
        let tables = try owner.query(
            """
            SELECT c.oid::regclass::text FROM pg_class AS c
            JOIN pg_namespace AS n ON n.oid = c.relnamespace
            JOIN pg_attribute AS a ON a.attrelid = c.oid AND a.attname = 'organization_id' AND NOT a.attisdropped
            WHERE c.relkind = 'r' AND n.nspname IN ('core', 'fact', 'ingest', 'rollup')
            """
        ).map { try $0.decode(String.self, at: 0) }
        #expect(tables.count > 20)
        for table in tables {
            let traces = try owner.query(
                "SELECT t::text FROM \(table) AS t WHERE organization_id = $1 AND t::text ILIKE '%zelda%'", [app.organization]
            ).map { try $0.decode(String.self, at: 0) }
            #expect(traces.isEmpty, "\(table): \(traces)")
        }
        let refusals = try owner.query(
            "SELECT event_id FROM ingest.rejected_items WHERE organization_id = $1 ORDER BY event_id", [app.organization]
        ).map { try $0.decode(String?.self, at: 0) }
        #expect(refusals == ["x-unrelated"], "the escaped item is erased by its parsed field; the unrelated one stays")
    }

    @Test("refused items past the retention period are deleted, newer ones kept")
    func retention() async throws {
        let app = try await TestApp.make()
        try await app.test { client in
            try await client.execute(uri: "/v1/events", method: .post, headers: app.headers,
                                     body: ByteBuffer(string: "[" + Self.refused.joined(separator: ",") + "]")) { _ in }
        }
        let owner = try PostgresConnection.connect(.init(conninfo: try await TestDatabase.url))
        // Two days old against a retention of one: no other test's server (default retention, 90 days) deletes it first.
        try owner.query("UPDATE ingest.rejected_items SET received_at = now() - interval '2 days' WHERE organization_id = $1 AND event_id = 'bad-visit'",
                        [app.organization])
        let pool = try await TestDatabase.makePool(role: "advocacy_service")
        let deleted = try await RejectedItems.deleteExpired(retention: .seconds(86_400), batch: 1, on: pool)
        await pool.close()
        #expect(deleted >= 1)
        let left = try owner.query("SELECT event_id FROM ingest.rejected_items WHERE organization_id = $1", [app.organization])
            .map { try $0.decode(String.self, at: 0) }
        #expect(left == ["x-unrelated"])
    }
}
