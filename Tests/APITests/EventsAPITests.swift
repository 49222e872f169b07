import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import Migrations
import Postgres
import TestSupport
import Testing

@testable import API

@Suite("Events API")
struct EventsAPITests {
    static let metrics = #"{"post_id":"p1","impressions":100,"members_reached":50,"reactions":5,"comments":1,"reshares":0,"clicks":2}"#

    static func event(_ id: String, _ data: String = metrics, type: String = "post.metrics_observed") -> String {
        #"{"id":"\#(id)","type":"\#(type)","occurred_at":"2026-03-05T10:00:00Z","data":\#(data)}"#
    }

    @Test("POST /v1/events answers item by item; a retry is all duplicates")
    func batch() async throws {
        let app = try await TestApp.make()
        let body = "[\(Self.event("a1")),\(Self.event("a2", #"{"post_id":"p1"}"#)),\(Self.event("a1"))]"
        try await app.test { client in
            for attempt in 0..<2 {
                try await client.execute(uri: "/v1/events", method: .post, headers: app.headers, body: ByteBuffer(string: body)) { response in
                    #expect(response.status == .ok)
                    let json = response.json
                    let items = json["items"] as? [[String: Any]] ?? []
                    #expect(items.count == 3)
                    #expect(items[0]["status"] as? String == (attempt == 0 ? "accepted" : "duplicate"))
                    #expect(items[1]["status"] as? String == "rejected")
                    #expect(items[1]["reason"] as? String == "missing_field")
                    #expect(items[1]["field"] as? String == "data.impressions")
                    #expect(items[2]["status"] as? String == "duplicate")
                    #expect(json["accepted"] as? Int == (attempt == 0 ? 1 : 0))
                }
            }
        }
    }

    @Test("batches are stored on the ingestion connections, never more at once than configured")
    func ingestionConnections() async throws {
        var app = try await TestApp.make()
        let name = "ingest-\(UUID().uuidString.prefix(8))"
        app.settings.database.connection.applicationName = name
        app.settings.ingestionConnections = 1
        let headers = app.headers
        let admin = try PostgresConnection.connect(.init(conninfo: try await TestDatabase.url))
        let writers = try await app.test { client in
            try await withThrowingTaskGroup(of: Void.self) { group in
                for sender in 0..<4 {
                    group.addTask {
                        let body = "[" + (0..<50).map { Self.event("c\(sender)-\($0)") }.joined(separator: ",") + "]"
                        try await client.execute(uri: "/v1/events", method: .post, headers: headers, body: ByteBuffer(string: body)) { response in
                            #expect(response.status == .ok)
                            #expect(response.json["accepted"] as? Int == 50)
                        }
                    }
                }
                try await group.waitForAll()
            }
            // Connections open on demand: four batches at once opened one ingestion connection, no more.
            return try admin.query("SELECT count(*) FROM pg_stat_activity WHERE application_name = $1", [name + "-ingest"])[0]
                .decode(Int.self, at: 0)
        }
        #expect(writers == 1)
        let stored = try admin.query("SELECT count(*) FROM ingest.accepted_events WHERE organization_id = $1", [app.organization])
        #expect(try stored[0].decode(Int.self, at: 0) == 200)
    }

    @Test("NDJSON: a malformed line is refused alone, the others are stored")
    func ndjson() async throws {
        let app = try await TestApp.make()
        let body = "\(Self.event("n1"))\n{oops\n\(Self.event("n2"))\n"
        try await app.test { client in
            try await client.execute(uri: "/v1/events", method: .post, headers: app.ndjsonHeaders, body: ByteBuffer(string: body)) { response in
                #expect(response.status == .ok)
                let items = response.json["items"] as? [[String: Any]] ?? []
                #expect(items.map { $0["status"] as? String } == ["accepted", "rejected", "accepted"])
                #expect(items[1]["reason"] as? String == "malformed_json")
            }
        }
    }

    @Test("a body that is not JSON is a 400 with the line and column of the error; nothing is stored")
    func malformed() async throws {
        let app = try await TestApp.make()
        try await app.test { client in
            try await client.execute(
                uri: "/v1/events", method: .post, headers: app.headers, body: ByteBuffer(string: "[\(Self.event("x1")),\n  {\"id\": }]")
            ) { response in
                #expect(response.status == .badRequest)
                let error = response.error
                #expect(error["code"] as? String == "malformed_json")
                #expect(error["line"] as? String == "2")
                #expect(error["column"] as? String == "10")
            }
            try await client.execute(uri: "/v1/events/rejected", method: .get, headers: app.headers) { response in
                #expect((response.json["items"] as? [Any])?.isEmpty == true)
            }
        }
    }

    @Test("limits give 413 naming the limit", arguments: [
        ("body", "max_body_bytes"), ("events", "max_events_per_request"), ("event", "max_event_bytes"),
    ])
    func limits(which: String, limit: String) async throws {
        let app = try await TestApp.make(limits: .init(maxBodyBytes: 4_000, maxEvents: 3, maxEventBytes: 600))
        let body: String
        switch which {
        case "body": body = "[" + (0..<30).map { Self.event("b\($0)") }.joined(separator: ",") + "]"
        case "events": body = "[" + (0..<4).map { Self.event("c\($0)") }.joined(separator: ",") + "]"
        default: body = "[" + Self.event("d", #"{"post_id":"\#(String(repeating: "p", count: 700))"}"#) + "]"
        }
        try await app.test { client in
            try await client.execute(uri: "/v1/events", method: .post, headers: app.headers, body: ByteBuffer(string: body)) { response in
                #expect(response.status == .contentTooLarge)
                let error = response.error
                #expect(error["limit"] as? String == limit)
            }
        }
    }

    @Test("requests without a valid key, or of another media type, are refused clearly")
    func refusals() async throws {
        let app = try await TestApp.make()
        try await app.test { client in
            try await client.execute(uri: "/v1/events", method: .post, body: ByteBuffer(string: "[]")) { response in
                #expect(response.status == .unauthorized)
                #expect(response.error["code"] as? String == "unauthenticated")
            }
            try await client.execute(
                uri: "/v1/events", method: .post, headers: app.headers(key: "adv_00000000000000000000000000000000_nope"),
                body: ByteBuffer(string: "[]")
            ) { response in
                #expect(response.status == .unauthorized)
                #expect(response.error["code"] as? String == "invalid_key")
            }
            var headers = app.headers
            headers[.contentType] = "text/csv"
            try await client.execute(uri: "/v1/events", method: .post, headers: headers, body: ByteBuffer(string: "a,b")) { response in
                #expect(response.status == .unsupportedMediaType)
            }
        }
    }

    @Test("refused items are listed newest first, paged, filtered by reason, and shown raw")
    func rejectedListing() async throws {
        let app = try await TestApp.make()
        let bad = (0..<5).map { Self.event("r\($0)", #"{"post_id":"p","impressions":-1,"members_reached":0,"reactions":0,"comments":0,"reshares":0,"clicks":0}"#) }
        let body = "[" + (bad + [Self.event("u1", type: "nope.type")]).joined(separator: ",") + "]"
        try await app.test { client in
            try await client.execute(uri: "/v1/events", method: .post, headers: app.headers, body: ByteBuffer(string: body)) { response in
                #expect(response.json["rejected"] as? Int == 6)
            }
            let firstPage = try await client.execute(uri: "/v1/events/rejected?reason=out_of_range&limit=3", method: .get, headers: app.headers) {
                response in
                #expect(response.status == .ok)
                let items = response.json["items"] as? [[String: Any]] ?? []
                #expect(items.map { $0["event_id"] as? String } == ["r4", "r3", "r2"])
                #expect((items.first?["raw"] as? String)?.contains("\"impressions\":-1") == true)
                return response.json["next_cursor"] as? Int
            }
            let cursor = try #require(firstPage)
            try await client.execute(uri: "/v1/events/rejected?reason=out_of_range&limit=3&cursor=\(cursor)", method: .get, headers: app.headers) {
                response in
                let items = response.json["items"] as? [[String: Any]] ?? []
                #expect(items.map { $0["event_id"] as? String } == ["r1", "r0"])
                #expect(response.json["next_cursor"] == nil || response.json["next_cursor"] is NSNull)
            }
            try await client.execute(uri: "/v1/events/rejected?reason=bogus", method: .get, headers: app.headers) { response in
                #expect(response.status == .badRequest)
                #expect(response.error["parameter"] as? String == "reason")
            }
            try await client.execute(uri: "/v1/events/rejected?limit=0", method: .get, headers: app.headers) { response in
                #expect(response.status == .badRequest)
            }
            try await client.execute(uri: "/v1/events/rejected?since=yesterday", method: .get, headers: app.headers) { response in
                #expect(response.status == .badRequest)
            }
            try await client.execute(uri: "/v1/events/rejected/999999999", method: .get, headers: app.headers) { response in
                #expect(response.status == .notFound)
            }
        }
    }

    @Test("GET /v1/links builds the tracked URL of the documented scheme; a visit through it counts as advocacy")
    func links() async throws {
        let app = try await TestApp.make()
        let content = Self.event("c1", #"{"content_id":"c1","title":"Launch","url":"https://example.com/launch?ref=x","campaign":"spring"}"#, type: "content.created")
        try await app.test { client in
            try await client.execute(uri: "/v1/events", method: .post, headers: app.headers, body: ByteBuffer(string: "[\(content)]")) { _ in }
            let url = try await client.execute(uri: "/v1/links?ambassador_id=a1&content_id=c1&network=LinkedIn", method: .get, headers: app.headers) {
                response in
                #expect(response.status == .ok)
                let json = response.json
                #expect(json["utm_medium"] as? String == "employee_advocacy")
                #expect(json["utm_source"] as? String == "linkedin")
                #expect(json["utm_campaign"] as? String == "spring")
                let url = json["url"] as? String ?? ""
                #expect(url.hasPrefix("https://example.com/launch?ref=x&utm_source=linkedin&utm_medium=employee_advocacy&utm_campaign=spring&utm_content="))
                return url
            }
            try await client.execute(uri: "/v1/links?ambassador_id=a1&content_id=nope&network=linkedin", method: .get, headers: app.headers) { response in
                #expect(response.status == .notFound)
            }
            try await client.execute(uri: "/v1/links?ambassador_id=a1&content_id=c1&network=myspace", method: .get, headers: app.headers) { response in
                #expect(response.status == .badRequest)
            }
            let visit = Self.event("v1", #"{"visitor":"someone","landing_url":"\#(url)"}"#, type: "web.visit")
            try await client.execute(uri: "/v1/events", method: .post, headers: app.headers, body: ByteBuffer(string: "[\(visit)]")) { response in
                #expect(response.json["accepted"] as? Int == 1)
            }
        }
    }

    @Test("GET /openapi.yaml serves the document, and it describes every route the router has")
    func openAPICoverage() async throws {
        let app = try await TestApp.make()
        let document = try await app.test { client in
            try await client.execute(uri: "/openapi.yaml", method: .get) { response in
                #expect(response.status == .ok)
                return String(buffer: response.body)
            }
        }
        #expect(document.hasPrefix("openapi: 3.1.0"))
        let described = OpenAPIDocument.operations(in: document)
        let logger = Logger(label: "routes")
        let pool = ConnectionPool(configuration: app.settings.database, logger: logger)
        let router = buildRouter(app.settings, pool: pool, ingestionPool: pool, readPool: pool, migrator: Migrator(migrations: [], logger: logger), logger: logger)
        let routes = Set(router.routes.map { "\($0.method) \($0.path)" })
        await pool.close()
        #expect(!routes.isEmpty)
        for route in routes {
            #expect(described.contains(route), "\(route) is served but not described in openapi.yaml")
        }
        for operation in described {
            #expect(routes.contains(operation), "\(operation) is described but not served")
        }
    }
}

/// The `METHOD /path` pairs an OpenAPI document describes (enough YAML reading for our own document).
enum OpenAPIDocument {
    static func operations(in document: String) -> Set<String> {
        var operations: Set<String> = []
        var inPaths = false
        var path: String?
        for line in document.split(separator: "\n", omittingEmptySubsequences: false) {
            if line == "paths:" {
                inPaths = true
                continue
            }
            guard inPaths else { continue }
            if !line.hasPrefix(" "), !line.isEmpty { break }
            if line.hasPrefix("  /"), line.hasSuffix(":"), !line.hasPrefix("   ") {
                path = String(line.dropFirst(2).dropLast())
            } else if let path, line.hasPrefix("    "), !line.hasPrefix("     "), line.hasSuffix(":") {
                let method = line.trimmingCharacters(in: .whitespaces).dropLast().uppercased()
                if ["GET", "POST", "PUT", "PATCH", "DELETE"].contains(method) { operations.insert("\(method) \(path)") }
            }
        }
        return operations
    }
}
