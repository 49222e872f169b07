import API
import Access
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Postgres
import Testing

/// Builds the real application on the test database, with an organisation of the test's own.
public struct TestApp: Sendable {
    public let slug: String
    public let organization: UUID
    public var settings: AppSettings
    /// A key with every scope.
    public let key: String

    public static func make(limits: AppSettings.Limits? = nil) async throws -> TestApp {
        let url = try await TestDatabase.url
        let slug = "api-\(UUID().uuidString.lowercased().prefix(12))"
        let admin = try PostgresConnection.connect(.init(conninfo: url))
        let organization = try Organizations.create(.init(slug: slug, name: slug), on: admin)
        let key = try APIKeys.create(organization: organization, name: "tests", scopes: Scope.organizationWide, expiresAt: nil,
                                     actor: nil, on: admin).key
        var settings = AppSettings(
            port: 0,
            // As in production: the service's role, bound by row-level security.
            // A long lease timeout: the whole suite shares one busy machine.
            database: .init(connection: .init(conninfo: url, role: "advocacy_service"), size: 4, leaseTimeout: .seconds(60)),
            sqlDirectory: TestDatabase.sqlDirectory,
            logLevel: .warning
        )
        if let limits { settings.ingestionLimits = limits }
        return TestApp(slug: slug, organization: organization, settings: settings, key: key)
    }

    /// Runs `body` against the application's router (no socket).
    public func test<Value: Sendable>(_ body: @Sendable (any TestClientProtocol) async throws -> Value) async throws -> Value {
        try await buildApplication(settings).test(.router, body)
    }

    public var headers: HTTPFields { headers(key: key) }

    public var ndjsonHeaders: HTTPFields { [.authorization: "Bearer \(key)", .contentType: "application/x-ndjson"] }

    public func headers(key: String) -> HTTPFields { [.authorization: "Bearer \(key)", .contentType: "application/json"] }

    /// A key of this organisation with only `scopes` (an `ambassador` key reads `ambassador`, default "a1").
    public func key(_ scopes: Set<Scope>, ambassador: String? = nil, expiresAt: Date? = nil) throws -> String {
        let admin = try PostgresConnection.connect(.init(conninfo: settings.database.connection.conninfo))
        let bound = scopes.contains(.ambassador) ? ambassador ?? "a1" : nil
        return try APIKeys.create(
            organization: organization, name: "scoped", scopes: scopes, ambassador: bound, expiresAt: expiresAt, actor: nil, on: admin
        ).key
    }
}

extension TestResponse {
    /// The body as a JSON object; a body that is not one is a test failure (and answers an empty object).
    public var json: [String: Any] {
        guard let object = (try? JSONSerialization.jsonObject(with: Data(buffer: body))) as? [String: Any] else {
            Issue.record("not a JSON object: \(String(buffer: body).prefix(300))")
            return [:]
        }
        return object
    }

    /// The error object of an error answer (`{"error": {"code", "message", ...}}`); empty when there is none.
    public var error: [String: Any] { json["error"] as? [String: Any] ?? [:] }
}
