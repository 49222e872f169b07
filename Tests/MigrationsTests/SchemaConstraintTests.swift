import Foundation
import Postgres
import TestSupport
import Testing

/// The schema refuses impossible facts by itself, whatever path they come through.
@Suite("Schema constraints")
struct SchemaConstraintTests {
    func ssiInsert(_ pillars: [String], total: String, on pool: ConnectionPool, organization: UUID, day: String) async throws {
        try await pool.query(
            """
            INSERT INTO fact.ssi_snapshots (organization_id, ambassador_id, snapshot_date, brand_score, people_score,
                insights_score, relationships_score, total_score, source_event_id, source_occurred_at)
            VALUES ($1, 'amb-1', $2::date, $3::numeric, $4::numeric, $5::numeric, $6::numeric, $7::numeric, 'e1', now())
            """,
            [organization, day, pillars[0], pillars[1], pillars[2], pillars[3], total]
        )
    }

    @Test("an SSI snapshot needs pillars within 0..25 and a total equal to their sum within 0.01")
    func ssi() async throws {
        try await TestDatabase.withPool(size: 1) { pool in
            let organization = try await TestDatabase.makeOrganization(on: pool)
            // Seed 000's example: 21.09 + 15.91 + 13.09 + 25 = 75.09.
            try await ssiInsert(["21.09", "15.91", "13.09", "25"], total: "75.09", on: pool, organization: organization, day: "2024-01-01")
            try await ssiInsert(["21.09", "15.91", "13.09", "25"], total: "75.10", on: pool, organization: organization, day: "2024-01-02")
            let above = await #expect(throws: PostgresError.self) {
                try await ssiInsert(["25.01", "15", "13", "20"], total: "73.01", on: pool, organization: organization, day: "2024-01-03")
            }
            #expect(above?.isCheckViolation == true)
            let negative = await #expect(throws: PostgresError.self) {
                try await ssiInsert(["-1", "15", "13", "20"], total: "47", on: pool, organization: organization, day: "2024-01-03")
            }
            #expect(negative?.isCheckViolation == true)
            let notSum = await #expect(throws: PostgresError.self) {
                try await ssiInsert(["21.09", "15.91", "13.09", "25"], total: "75", on: pool, organization: organization, day: "2024-01-03")
            }
            #expect(notSum?.constraint == "ssi_total_is_sum_of_pillars")
        }
    }

    @Test("counters cannot be negative, and unique viewers cannot exceed impressions")
    func counters() async throws {
        try await TestDatabase.withPool(size: 1) { pool in
            let organization = try await TestDatabase.makeOrganization(on: pool)
            let insert = """
                INSERT INTO fact.post_metric_observations (organization_id, post_id, observed_at, impressions,
                    members_reached, reactions, comments, reshares, clicks)
                VALUES ($1, 'p1', now(), $2, $3, $4, 0, 0, 0)
                """
            let negative = await #expect(throws: PostgresError.self) { try await pool.query(insert, [organization, 10, 5, -1]) }
            #expect(negative?.isCheckViolation == true)
            let reach = await #expect(throws: PostgresError.self) { try await pool.query(insert, [organization, 10, 11, 1]) }
            #expect(reach?.constraint == "unique_viewers_within_impressions")
            try await pool.query(insert, [organization, 10, 10, 1])
        }
    }

    @Test("identifiers, currencies, time zones and attribution rules are enforced")
    func rules() async throws {
        try await TestDatabase.withPool(size: 1) { pool in
            let organization = try await TestDatabase.makeOrganization(on: pool)
            let lead = """
                INSERT INTO fact.leads (organization_id, lead_id, created_at, source_channel, ambassador_id, estimated_value, currency)
                VALUES ($1, $2, now(), $3::core.channel, $4, $5::numeric, $6)
                """
            await #expect(throws: PostgresError.self) { try await pool.query(lead, [organization, "", "paid", nil, nil, nil]) }
            await #expect(throws: PostgresError.self) { try await pool.query(lead, [organization, "l1", "paid", nil, "10", "eur"]) }
            await #expect(throws: PostgresError.self) { try await pool.query(lead, [organization, "l1", "paid", nil, "-10", "EUR"]) }
            await #expect(throws: PostgresError.self) { try await pool.query(lead, [organization, "l1", "paid", nil, "10", nil]) }
            let attribution = await #expect(throws: PostgresError.self) {
                try await pool.query(lead, [organization, "l1", "paid", "amb-1", nil, nil])
            }
            #expect(attribution?.constraint == "lead_attribution_only_for_advocacy")
            try await pool.query(lead, [organization, "l1", "employee_advocacy", "amb-1", "1000.50", "EUR"])
            let zone = await #expect(throws: PostgresError.self) {
                try await pool.query("INSERT INTO core.organizations (slug, name, time_zone) VALUES ('tz-test-x', 'x', 'Mars/Olympus')")
            }
            #expect(zone?.isCheckViolation == true)
        }
    }

    @Test("every tenant table leads its primary and unique keys with organization_id (what distribution by organisation needs)")
    func tenantKeys() async throws {
        try await TestDatabase.withPool(size: 1) { pool in
            let offenders = try await pool.query(
                """
                SELECT c.conrelid::regclass::text
                FROM pg_constraint AS c
                JOIN pg_class AS t ON t.oid = c.conrelid
                JOIN pg_namespace AS n ON n.oid = t.relnamespace
                WHERE c.contype IN ('p', 'u') AND n.nspname IN ('core', 'fact', 'ingest', 'rollup')
                  -- the organisations themselves, and the look-ups from a key id or a login to its organisation
                  AND t.relname NOT IN ('organizations', 'api_key_index', 'reader_logins')
                  AND (SELECT attname FROM pg_attribute WHERE attrelid = c.conrelid AND attnum = c.conkey[1]) <> 'organization_id'
                """
            ).map { try $0.decode(String.self, at: 0) }
            #expect(offenders.isEmpty, "tables whose key does not start with organization_id: \(offenders)")
        }
    }
}
