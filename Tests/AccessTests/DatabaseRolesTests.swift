import Foundation
import Postgres
import TestSupport
import Testing

/// What roles of the cluster other than the service's may do in its database.
@Suite("Database roles")
struct DatabaseRolesTests {
    /// A connection acting as a fresh role of the cluster with no grant of ours.
    static func asStranger() async throws -> PostgresConnection {
        let connection = try PostgresConnection.connect(.init(conninfo: try await TestDatabase.url))
        try connection.execute(
            "DO $$ BEGIN CREATE ROLE advocacy_test_stranger NOLOGIN; EXCEPTION WHEN duplicate_object THEN NULL; END $$"
        )
        try connection.execute("SET ROLE advocacy_test_stranger")
        return connection
    }

    @Test("a role with no grant of ours can execute none of the service's functions (the tenant list included)", arguments: [
        "SELECT rollup.organizations_to_maintain(interval '0 s', interval '0 s')",
        "SELECT core.current_organization()",
        "SELECT kpi.named_period(gen_random_uuid(), 'last_7_days')",
    ])
    func publicHasNoExecute(statement: String) async throws {
        let stranger = try await Self.asStranger()
        let error = #expect(throws: PostgresError.self) { try stranger.execute(statement) }
        #expect(error?.sqlState == "42501", "\(String(describing: error))")
    }
}
