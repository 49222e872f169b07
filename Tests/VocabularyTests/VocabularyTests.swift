import Foundation
import Postgres
import TestSupport
import Testing
import Vocabulary

/// Each list of the vocabulary against what the database accepts: the labels of its enum type, the values of
/// its CHECK constraint or catalog, and the arguments its `kpi` functions take and refuse.
@Suite("Vocabulary")
struct VocabularyTests {
    func labels(of type: String, _ pool: ConnectionPool) async throws -> [String] {
        try await pool.query("SELECT e.enumlabel FROM pg_catalog.pg_enum AS e WHERE e.enumtypid = $1::regtype ORDER BY e.enumsortorder", [type])
            .map { try $0.decode(String.self, at: 0) }
    }

    @Test("networks, channels, stages and cost categories are the labels of their enum types, in order")
    func enumTypes() async throws {
        let expected: [(type: String, names: [String])] = [
            ("core.network", Network.names), ("core.channel", Channel.names), ("core.application_channel", ApplicationChannel.names),
            ("core.lead_stage", LeadStage.names),
            ("core.application_stage", ApplicationStage.names), ("core.cost_category", CostCategory.names),
        ]
        try await TestDatabase.withPool(size: 1) { pool in
            for (type, names) in expected {
                let labels = try await labels(of: type, pool)
                #expect(labels == names, "\(type)")
            }
        }
    }

    @Test("KPI families are the families of the catalog")
    func families() async throws {
        let families = try await TestDatabase.withPool(size: 1) { pool in
            try await pool.query("SELECT DISTINCT family FROM kpi.catalog ORDER BY 1").map { try $0.decode(String.self, at: 0) }
        }
        #expect(families == KPIFamily.names.sorted())
    }

    /// Runs `call` with `value` in an organisation of its own. - Returns: the error, nil when accepted.
    func outcome(_ pool: ConnectionPool, _ organization: UUID, _ call: String, _ value: String) async -> (any Error)? {
        do {
            _ = try await pool.tenantQuery(organization, "SELECT count(*) FROM \(call)", [organization, value])
            return nil
        } catch {
            return error
        }
    }

    @Test("granularities, rankings, dimensions and named periods are exactly what the kpi functions accept")
    func functionArguments() async throws {
        try await TestDatabase.withPool(size: 2) { pool in
            let organization = try await TestDatabase.makeOrganization(on: pool, prefix: "vocabulary")
            let cases: [(call: String, accepted: [String])] = [
                ("kpi.buckets('2026-01-01', '2026-03-31', $2) WHERE $1::uuid IS NOT NULL", Granularity.names),
                ("kpi.ambassador_leaderboard($1, '2026-01-01', '2026-01-31', $2)", AmbassadorRanking.names),
                ("kpi.content_leaderboard($1, '2026-01-01', '2026-01-31', $2)", ContentRanking.names),
                ("kpi.post_breakdown($1, '2026-01-01', '2026-01-31', $2)", BreakdownDimension.names),
                ("kpi.named_period($1, $2)", NamedPeriod.names),
            ]
            for (call, accepted) in cases {
                for value in accepted {
                    let error = await outcome(pool, organization, call, value)
                    #expect(error == nil, "\(call) refuses \"\(value)\": \(String(describing: error))")
                }
                for value in ["", "fortnight", accepted[0].uppercased(), accepted[0] + " "] {
                    let error = await outcome(pool, organization, call, value)
                    #expect((error as? PostgresError)?.sqlState == "22023", "\(call) accepts \"\(value)\": \(String(describing: error))")
                }
            }
        }
    }
}
