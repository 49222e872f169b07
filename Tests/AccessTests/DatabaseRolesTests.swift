import Access
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

/// BI logins (Metabase, Grafana, psql) as they connect: their own login role, mapped to one organisation.
@Suite("BI logins")
struct BILoginTests {
    /// The test server's URL as another login role (the test cluster trusts local connections).
    static func url(asUser user: String) async throws -> String {
        let url = try await TestDatabase.url
        guard url.hasPrefix("postgres://") || url.hasPrefix("postgresql://") else { return url + " user=\(user)" }
        var components = try #require(URLComponents(string: url))
        components.user = user
        return try #require(components.string)
    }

    static func strings(_ connection: PostgresConnection, _ sql: String) throws -> [String] {
        try connection.query(sql).map { try $0.decode(String.self, at: 0) }.sorted()
    }

    @Test("a BI login reads its own organisation only, whatever it sets; never keys, sessions or pseudonym keys; candidate references only with --hr")
    func boundToOneOrganisation() async throws {
        let owner = try PostgresConnection.connect(.init(conninfo: try await TestDatabase.url))
        let suffix = UUID().uuidString.lowercased().prefix(8)
        var organizations: [UUID] = []
        for name in ["a", "b"] {
            let organization = try Organizations.create(.init(slug: "bi-\(name)-\(suffix)", name: name), on: owner)
            organizations.append(organization)
            try owner.query("INSERT INTO core.content_items (organization_id, content_id, title, created_at) VALUES ($1, $2, 't', now())",
                            [organization, "\(name)-content"])
            try owner.query(
                """
                INSERT INTO fact.applications (organization_id, application_id, job_id, applied_at, source_channel, candidate_ref)
                VALUES ($1, $2, 'j', now(), 'referral', $3)
                """,
                [organization, "\(name)-application", "\(name)-candidate"]
            )
        }
        let (a, b) = (organizations[0], organizations[1])
        let login = "advocacy_test_bi_\(suffix)"
        try ReaderLogins.grant(login: login, organization: a, hr: false, on: owner)
        defer { _ = try? owner.execute("DROP ROLE IF EXISTS \(login)") }

        let bi = try PostgresConnection.connect(.init(conninfo: try await Self.url(asUser: login)))
        #expect(try Self.strings(bi, "SELECT content_id FROM core.content_items") == ["a-content"])
        // What a BI tool's pooled connection could do: set another organisation, for the session. Nothing changes.
        try bi.query("SELECT set_config('app.organization_id', $1, false)", [b])
        #expect(try Self.strings(bi, "SELECT content_id FROM core.content_items") == ["a-content"])
        try bi.execute("SET ROLE advocacy_reader")
        #expect(try Self.strings(bi, "SELECT content_id FROM core.content_items") == ["a-content"])
        try bi.execute("RESET ROLE")
        #expect(try Self.strings(bi, "SELECT slug FROM core.organizations") == ["bi-a-\(suffix)"])
        #expect(try bi.query("SELECT count(*) FROM kpi.summary($1, '2026-01-01', '2026-01-31')", [a])[0].decode(Int.self, at: 0) >= 12)
        // Applications without their candidate reference: what the hiring KPIs compute from.
        #expect(try Self.strings(bi, "SELECT application_id FROM fact.applications") == ["a-application"])
        for forbidden in ["SELECT pseudonym_key FROM core.organizations", "SELECT count(*) FROM core.api_keys", "SELECT count(*) FROM core.sessions",
                          "SELECT count(*) FROM core.reader_logins", "SELECT count(*) FROM core.audit_log", "SELECT candidate_ref FROM fact.applications",
                          "SELECT count(*) FROM ingest.rejected_items", "DELETE FROM fact.posts",
                          "SELECT core.grant_reader_login('x', gen_random_uuid(), true)"] {
            let error = #expect(throws: PostgresError.self, "\(forbidden)") { try bi.execute(forbidden) }
            #expect(error?.sqlState == "42501", "\(forbidden): \(String(describing: error))")
        }

        // With --hr: the candidate rows, of its own organisation only.
        try ReaderLogins.grant(login: login, organization: a, hr: true, on: owner)
        let hr = try PostgresConnection.connect(.init(conninfo: try await Self.url(asUser: login)))
        try hr.query("SELECT set_config('app.organization_id', $1, false)", [b])
        #expect(try Self.strings(hr, "SELECT candidate_ref FROM fact.applications") == ["a-candidate"])

        // Removed: nothing at all.
        #expect(try ReaderLogins.revoke(login: login, on: owner))
        let removed = try PostgresConnection.connect(.init(conninfo: try await Self.url(asUser: login)))
        #expect(throws: PostgresError.self) { try removed.execute("SELECT count(*) FROM core.content_items") }
    }

    @Test("a member of advocacy_reader mapped to no organisation sees nothing, whatever it sets")
    func unmappedSeesNothing() async throws {
        let owner = try PostgresConnection.connect(.init(conninfo: try await TestDatabase.url))
        let organization = try Organizations.create(.init(slug: "bi-u-\(UUID().uuidString.lowercased().prefix(8))", name: "u"), on: owner)
        try owner.query("INSERT INTO core.content_items (organization_id, content_id, title, created_at) VALUES ($1, 'u', 't', now())",
                        [organization])
        let login = "advocacy_test_unmapped_\(UUID().uuidString.lowercased().prefix(8))"
        try owner.execute("CREATE ROLE \(login) LOGIN IN ROLE advocacy_reader")
        defer { _ = try? owner.execute("DROP ROLE IF EXISTS \(login)") }
        let bi = try PostgresConnection.connect(.init(conninfo: try await Self.url(asUser: login)))
        try bi.query("SELECT set_config('app.organization_id', $1, false)", [organization])
        #expect(try bi.query("SELECT count(*) FROM core.content_items")[0].decode(Int.self, at: 0) == 0)
    }
}
