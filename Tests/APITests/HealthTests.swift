import API
import Foundation
import Hummingbird
import HummingbirdTesting
import Postgres
import ServiceLifecycle
import TestSupport
import Testing

@Suite("Health and readiness")
struct HealthTests {
    /// Four connections: the background services (rollup maintenance, its queue's metrics, retention) may
    /// hold three while the readiness check waits for one, and a loaded machine opens connections slowly.
    func settings(databaseURL: String) -> AppSettings {
        AppSettings(
            port: 0,
            database: .init(connection: .init(conninfo: databaseURL, role: "advocacy_service"), size: 4, leaseTimeout: .seconds(10)),
            sqlDirectory: TestDatabase.sqlDirectory,
            logLevel: .warning
        )
    }

    @Test("GET /health answers while the process lives; GET /ready once the database is migrated")
    func ready() async throws {
        let app = try buildApplication(settings(databaseURL: try await TestDatabase.url))
        try await app.test(.router) { client in
            try await client.execute(uri: "/health", method: .get) { response in
                #expect(response.status == .ok)
                #expect(String(buffer: response.body).contains("\"ok\""))
            }
            try await client.execute(uri: "/ready", method: .get) { response in
                #expect(response.status == .ok)
                let body = String(buffer: response.body)
                #expect(body.contains("\"ready\""), "\(body)")
            }
        }
    }

    @Test("GET /ready is 503 and names the pending migrations on a database not migrated")
    func notMigrated() async throws {
        _ = try await TestDatabase.url  // the service role exists once a database of the cluster is migrated
        let url = try await TestDatabase.recreate(named: "advocacy_test_unmigrated")
        let app = try buildApplication(settings(databaseURL: url))
        try await app.test(.router) { client in
            try await client.execute(uri: "/ready", method: .get) { response in
                #expect(response.status == .serviceUnavailable)
                let body = String(buffer: response.body)
                #expect(body.contains("0001_baseline"), "\(body)")
                #expect(body.contains("advocacy migrate"), "\(body)")
            }
        }
    }

    @Test("GET /ready is 503 when the database's definitions are older than the build's")
    func definitionsOutdated() async throws {
        let sql = URL(fileURLWithPath: TestDatabase.sqlDirectory)
        let copy = FileManager.default.temporaryDirectory.appendingPathComponent("sql-\(UUID().uuidString)")
        try FileManager.default.copyItem(at: sql, to: copy)
        defer { try? FileManager.default.removeItem(at: copy) }
        let changed = copy.appendingPathComponent("definitions/functions/kpi/summary.sql")
        try (try String(contentsOf: changed, encoding: .utf8) + "-- a newer build\n").write(to: changed, atomically: true, encoding: .utf8)
        var settings = settings(databaseURL: try await TestDatabase.url)
        settings.sqlDirectory = copy.path
        try await buildApplication(settings).test(.router) { client in
            try await client.execute(uri: "/ready", method: .get) { response in
                #expect(response.status == .serviceUnavailable)
                let body = String(buffer: response.body)
                #expect(body.contains("\"definitionsOutdated\":1"), "\(body)")
                #expect(body.contains("advocacy migrate"), "\(body)")
            }
        }
    }

    @Test("GET /ready is 503 when the database cannot be reached, and /health still answers")
    func databaseDown() async throws {
        let app = try buildApplication(settings(databaseURL: "postgresql://postgres@127.0.0.1:1/none?connect_timeout=2"))
        try await app.test(.router) { client in
            try await client.execute(uri: "/ready", method: .get) { response in
                #expect(response.status == .serviceUnavailable)
                let body = String(buffer: response.body)
                #expect(body.contains("database unavailable"), "\(body)")
                #expect(!body.contains("127.0.0.1") && !body.contains("refused"), "the database's error text stays in the log: \(body)")
            }
            try await client.execute(uri: "/health", method: .get) { response in
                #expect(response.status == .ok)
            }
            // Any request that needs the database: 503 with Retry-After, never a 500.
            let key = "adv_" + String(repeating: "0", count: 32) + "_" + String(repeating: "a", count: 43)
            try await client.execute(uri: "/v1/kpis", method: .get, headers: [.authorization: "Bearer \(key)"]) { response in
                #expect(response.status == .serviceUnavailable)
                #expect(response.headers[.retryAfter] == "5")
                #expect(String(buffer: response.body).contains("database_unavailable"))
            }
        }
    }

    @Test("an unknown route is a 404")
    func notFound() async throws {
        let app = try buildApplication(settings(databaseURL: try await TestDatabase.url))
        try await app.test(.router) { client in
            try await client.execute(uri: "/nope", method: .get) { response in
                #expect(response.status == .notFound)
            }
        }
    }
}
