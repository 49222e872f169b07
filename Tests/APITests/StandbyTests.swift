import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Postgres
import TestSupport
import Testing

@testable import API

/// Reads served by a streaming standby (`Deploy/db start-standby`, which `Deploy/test` runs and announces with
/// ADVOCACY_TEST_STANDBY_PORT): ingested through the primary, the same KPIs read through the standby once it has
/// replayed them.
@Suite("Reads from a standby", .enabled(if: ProcessInfo.processInfo.environment["ADVOCACY_TEST_STANDBY_PORT"] != nil))
struct StandbyTests {
    /// The libpq multi-host conninfo of the read pool: the standby first, the primary when no standby is up.
    static func readConninfo() async throws -> String {
        let standbyPort = try #require(ProcessInfo.processInfo.environment["ADVOCACY_TEST_STANDBY_PORT"])
        let primary = try #require(URLComponents(string: try await TestDatabase.url))
        return "host=127.0.0.1,127.0.0.1 port=\(standbyPort),\(primary.port ?? 5432) user=\(primary.user ?? "postgres") "
            + "dbname=\(TestDatabase.name) target_session_attrs=prefer-standby"
    }

    static let events = [
        #"{"id":"s1","type":"ambassador.enrolled","occurred_at":"2026-03-01T09:00:00Z","data":{"ambassador_id":"a1","team":"Sales"}}"#,
        #"{"id":"s2","type":"post.published","occurred_at":"2026-03-03T10:00:00Z","data":{"post_id":"p1","ambassador_id":"a1","network":"linkedin"}}"#,
        #"{"id":"s3","type":"post.metrics_observed","occurred_at":"2026-03-05T10:00:00Z","data":{"post_id":"p1","impressions":4321,"members_reached":3000,"reactions":40,"comments":4,"reshares":2,"clicks":9}}"#,
        #"{"id":"s4","type":"web.visit","occurred_at":"2026-03-06T10:00:00Z","data":{"visitor":"v1","landing_url":"https://example.com/?utm_medium=employee_advocacy"}}"#,
    ]

    @Test("ingested through the primary, the same KPIs are read through the standby once it has replayed, with the lag said")
    func sameKPIs() async throws {
        let primary = try await TestApp.make()
        var reading = primary
        reading.settings.readDatabase = .init(
            connection: .init(conninfo: try await Self.readConninfo(), role: "advocacy_service", readOnly: true), size: 2, leaseTimeout: .seconds(60)
        )
        let standby = reading
        // The read pool's libpq chose the standby.
        let probe = try PostgresConnection.connect(standby.settings.readDatabase?.connection ?? .init(conninfo: ""))
        #expect(try probe.query("SELECT pg_is_in_recovery()")[0].decode(Bool.self, at: 0))

        let path = "/v1/kpis?from=2026-03-01&to=2026-03-31"
        let expected = try await primary.test { client in
            try await client.execute(uri: "/v1/events", method: .post, headers: primary.headers,
                                     body: ByteBuffer(string: "[" + Self.events.joined(separator: ",") + "]")) { response in
                #expect(response.json["accepted"] as? Int == Self.events.count)
            }
            return try await client.execute(uri: path, method: .get, headers: primary.headers) { String(buffer: $0.body) }
        }
        #expect(expected.contains("\"value\":4321"), "the primary counts the impressions")
        var read = ""
        var lag: String?
        for _ in 0..<60 where read != expected {
            (read, lag) = try await standby.test { client in
                try await client.execute(uri: path, method: .get, headers: standby.headers) { response in
                    (String(buffer: response.body), response.headers[HTTPField.Name("X-Replica-Lag-Seconds")!])
                }
            }
            if read != expected { try await Task.sleep(for: .milliseconds(500)) }
        }
        #expect(read == expected, "the standby answers what the primary does once it has replayed")
        #expect(lag != nil)
    }
}
