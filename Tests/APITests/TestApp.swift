import API
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Postgres
import TestSupport

/// Builds the real application on the test database, with an organisation of the test's own.
struct TestApp {
    let slug: String
    let settings: AppSettings

    static func make(limits: AppSettings.Limits? = nil) async throws -> TestApp {
        let url = try await TestDatabase.url
        let slug = "api-\(UUID().uuidString.lowercased().prefix(12))"
        let admin = try PostgresConnection.connect(.init(conninfo: url))
        try admin.query("INSERT INTO core.organizations (slug, name) VALUES ($1, $1)", [slug])
        var settings = AppSettings(
            port: 0,
            database: .init(connection: .init(conninfo: url), size: 4, leaseTimeout: .seconds(5)),
            migrationsDirectory: TestDatabase.migrationsDirectory,
            logLevel: .warning
        )
        if let limits { settings.ingestionLimits = limits }
        return TestApp(slug: slug, settings: settings)
    }

    /// Runs `body` against the application's router (no socket).
    func test<Value: Sendable>(_ body: @Sendable (any TestClientProtocol) async throws -> Value) async throws -> Value {
        try await buildApplication(settings).test(.router, body)
    }

    var headers: HTTPFields { [HTTPField.Name("X-Organization")!: slug, .contentType: "application/json"] }

    var ndjsonHeaders: HTTPFields { [HTTPField.Name("X-Organization")!: slug, .contentType: "application/x-ndjson"] }
}

extension TestResponse {
    var json: [String: Any] {
        (try? JSONSerialization.jsonObject(with: Data(buffer: body))) as? [String: Any] ?? [:]
    }
}
