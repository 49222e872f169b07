import Foundation
import Postgres
import TestSupport
import Testing

@testable import Computation

@Suite("Erasure")
struct ErasureTests {
    @Test("erasing an ambassador, a candidate and a person leaves every KPI exactly as it was, and no trace of them")
    func aggregatesUnchanged() async throws {
        try await TestDatabase.withPool { pool in
            let organization = try await KPISummaryTests().organizationWithFebruary(pool)
            try await pool.query("UPDATE core.ambassadors SET display_name = 'Ada Lovelace' WHERE organization_id = $1 AND ambassador_id = 'a1'", [organization])
            try await pool.query("UPDATE fact.applications SET candidate_ref = 'cand-7' WHERE organization_id = $1 AND application_id IN ('ap1', 'ap3')", [organization])
            let february = Period(from: "2026-02-01", to: "2026-02-28")
            let before = try await KPIReport.load(organization: organization, period: february, pool: pool)
            let ssiBefore = try await SSIAnalytics.overview(organization: organization, date: "2026-02-28", team: nil, improvedSince: "2026-02-01", pool: pool)

            for (function, identifier) in [("core.erase_ambassador", "a1"), ("core.erase_candidate", "ap1"), ("core.erase_person_hash", "m1"),
                                           ("core.erase_person_hash", "v1")] {
                let rows = try await pool.tenantQuery(organization, "SELECT \(function)($1, $2)", [organization, identifier])[0].decode(Int.self, at: 0)
                #expect(rows > 0, "\(function)(\(identifier)) changed nothing")
            }

            let after = try await KPIReport.load(organization: organization, period: february, pool: pool)
            for row in before.rows {
                #expect(after[row.key]?.value == row.value, "\(row.key)")
                #expect(after[row.key]?.previous == row.previous, "\(row.key) (previous period)")
                #expect(after[row.key]?.detail == row.detail, "\(row.key) (detail)")
            }
            let ssiAfter = try await SSIAnalytics.overview(organization: organization, date: "2026-02-28", team: nil, improvedSince: "2026-02-01", pool: pool)
            let summaryBefore = try #require(ssiBefore.summary)
            #expect((summaryBefore["ambassadors"]?.double ?? 0) > 0, "the SSI summary compared must have something in it: \(summaryBefore)")
            #expect(ssiAfter.summary == summaryBefore)

            let traces = try await pool.query(
                """
                SELECT (SELECT count(*) FROM fact.posts WHERE organization_id = $1 AND ambassador_id = 'a1')
                     + (SELECT count(*) FROM core.ambassadors WHERE organization_id = $1 AND (ambassador_id = 'a1' OR display_name IS NOT NULL))
                     + (SELECT count(*) FROM core.ambassador_events WHERE organization_id = $1 AND ambassador_id = 'a1')
                     + (SELECT count(*) FROM fact.ssi_snapshots WHERE organization_id = $1 AND ambassador_id = 'a1')
                     + (SELECT count(*) FROM fact.applications WHERE organization_id = $1 AND (application_id IN ('ap1', 'ap3') OR candidate_ref = 'cand-7'))
                     + (SELECT count(*) FROM fact.application_stage_changes WHERE organization_id = $1 AND application_id IN ('ap1', 'ap3'))
                     + (SELECT count(*) FROM fact.audience_touches t JOIN core.organizations o USING (organization_id)
                        WHERE t.organization_id = $1 AND t.member_hash = core.pseudonym(o.pseudonym_key, 'm1'))
                     + (SELECT count(*) FROM fact.web_visits v JOIN core.organizations o USING (organization_id)
                        WHERE v.organization_id = $1 AND v.visitor_hash = core.pseudonym(o.pseudonym_key, 'v1'))
                """,
                [organization]
            )[0].decode(Int.self, at: 0)
            #expect(traces == 0)
        }
    }
}
