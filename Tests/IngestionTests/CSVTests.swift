import Foundation
import Postgres
import TestSupport
import Testing

@testable import Ingestion

@Suite("CSV")
struct CSVTests {
    func read(_ text: String) throws -> CSVReader { try CSVReader(Array(text.utf8)) }

    @Test("quoted fields with separators, newlines and doubled quotes; CRLF; blank lines skipped")
    func quoting() throws {
        let csv = try read("a,b,c\r\n1,\"x, y\",\"say \"\"hi\"\"\"\r\n\r\n2,\"two\nlines\",\r\n")
        #expect(csv.header == ["a", "b", "c"])
        #expect(csv.records.count == 2)
        #expect(try csv.records[0].fields.get() == ["1", "x, y", "say \"hi\""])
        #expect(try csv.records[1].fields.get() == ["2", "two\nlines", ""])
        #expect(csv.records[1].line == 4)
    }

    @Test("a byte-order mark and ';' as separator, as spreadsheets export in Europe")
    func bomAndSemicolon() throws {
        let csv = try CSVReader([0xEF, 0xBB, 0xBF] + Array("Lead_ID;Stage\nl1;won\n".utf8))
        #expect(csv.separator == UInt8(ascii: ";"))
        #expect(csv.header == ["lead_id", "stage"])
        #expect(try csv.records[0].fields.get() == ["l1", "won"])
    }

    @Test("a stray quote or an unclosed quote is reported on its line; the records around it are read")
    func strayQuotes() throws {
        let csv = try read("a,b\n1,ok\n2,bro\"ken\n3,\"fine\"x\n4,ok\n5,\"never closed\n6,ok\n")
        #expect(try csv.records[0].fields.get() == ["1", "ok"])
        guard case .failure(let stray) = csv.records[1].fields else {
            Issue.record("line 3 has a stray quote")
            return
        }
        #expect(stray.line == 3)
        #expect(stray.message.contains("stray quote"))
        guard case .failure = csv.records[2].fields else {
            Issue.record("line 4 has text after a closing quote")
            return
        }
        #expect(try csv.records[3].fields.get() == ["4", "ok"])
        guard case .failure(let unclosed) = csv.records[4].fields else {
            Issue.record("line 6 never closes its quote")
            return
        }
        #expect(unclosed.line == 6)
        #expect(unclosed.message.contains("never closed"))
    }

    @Test("a HubSpot contacts export imports as leads through its shipped mapping, as it is, once")
    func hubspotMapping() async throws {
        let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Deploy/mappings")
        let mapping = try CSVMapping.load(
            try Data(contentsOf: folder.appendingPathComponent("hubspot-contacts-leads.json")), fileName: "hubspot-contacts-leads.json"
        )
        #expect(mapping.kind == .leads)
        let file = Array(try Data(contentsOf: folder.appendingPathComponent("hubspot-contacts-leads.example.csv")))
        try await TestDatabase.withPool { pool in
            let organization = try await TestDatabase.makeOrganization(on: pool)
            let importer = CSVImporter(store: EventStore(pool: pool, validator: EventValidator(futureTolerance: 3600), logger: TestDatabase.logger))
            let summary = try await importer.run(data: file, fileName: "contacts.csv", kind: .leads, mapping: mapping, organization: organization)
            #expect(summary.accepted == 4, "\(summary.rejectedRows.map(\.message))")
            let leads = try await pool.query(
                "SELECT lead_id || ' ' || source_channel || ' ' || to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI') FROM fact.leads WHERE organization_id = $1 ORDER BY lead_id",
                [organization]
            ).map { try $0.decode(String.self, at: 0) }
            // Organic search, PAID_SOCIAL, Referrals, Offline sources; the names and e-mails are not read.
            #expect(leads == ["501 organic 2026-02-03 09:15", "502 paid 2026-02-04 14:40", "503 referral 2026-02-05 08:05", "504 other 2026-02-06 17:30"])
            let again = try await importer.run(data: file, fileName: "contacts.csv", kind: .leads, mapping: mapping, organization: organization)
            #expect(again.duplicate == 4)
            // A value the mapping does not know is refused by validation, naming our column.
            let odd = Array("Record ID,Create Date,Original Source\n505,2026-02-07 10:00,Carrier pigeon\n".utf8)
            let refused = try await importer.run(data: odd, fileName: "odd.csv", kind: .leads, mapping: mapping, organization: organization)
            #expect(refused.rejectedRows.first?.field == "source_channel")
        }
        await #expect(throws: CSVImportError.self) {
            _ = try CSVMapping.load(Data(#"{"kind": "leads", "columns": {"Source": "colour"}}"#.utf8), fileName: "bad.json")
        }
        await #expect(throws: CSVImportError.self) {
            _ = try CSVMapping.load(Data(#"{"kind": "cars"}"#.utf8), fileName: "bad.json")
        }
    }

    @Test("an SSI export imports once: decimal commas, refused rows with their line and column, re-import changes nothing")
    func importSSI() async throws {
        try await TestDatabase.withPool { pool in
            let organization = try await TestDatabase.makeOrganization(on: pool)
            let file = """
                ambassador_id;date;brand;people;insights;relationships;total
                a1;2026-03-01;21,09;15,91;13,09;25;75,09
                a2;2026-03-01;30;10;10;10;60
                a3;2026-03-01;1"0;1;1;1;
                a4;2026-03-01;10;10;10;10;
                """
            let importer = CSVImporter(store: EventStore(pool: pool, validator: EventValidator(), logger: TestDatabase.logger))
            let first = try await importer.run(data: Array(file.utf8), fileName: "ssi.csv", kind: .ssi, organization: organization)
            #expect(first.accepted == 2)
            #expect(first.rejected == 2)
            #expect(first.rejectedRows.map(\.line) == [3, 4])
            #expect(first.rejectedRows[0].field == "brand")
            #expect(first.rejectedRows[0].reason == "out_of_range")
            #expect(first.rejectedRows[1].reason == "malformed_csv")

            let again = try await importer.run(data: Array(file.utf8), fileName: "ssi.csv", kind: .ssi, organization: organization)
            #expect(again.accepted == 0)
            #expect(again.duplicate == 2)

            let totals = try await pool.query(
                "SELECT ambassador_id, total_score::text FROM fact.ssi_snapshots WHERE organization_id = $1 ORDER BY 1", [organization]
            ).map { try "\($0.decode(String.self, at: 0))=\($0.decode(String.self, at: 1))" }
            #expect(totals == ["a1=75.09", "a4=40.00"])
            let kept = try await pool.query(
                "SELECT source, source_name FROM ingest.rejected_items WHERE organization_id = $1 ORDER BY rejection_id LIMIT 1", [organization]
            )
            #expect(try kept[0].decode(String.self, at: 0) == "csv")
            #expect(try kept[0].decode(String.self, at: 1) == "ssi.csv:3")
        }
    }

    @Test("a file without a required column, or with an unknown one, is refused before any row is read")
    func header() async throws {
        try await TestDatabase.withPool(size: 1) { pool in
            let organization = try await TestDatabase.makeOrganization(on: pool)
            let importer = CSVImporter(store: EventStore(pool: pool, validator: EventValidator(), logger: TestDatabase.logger))
            await #expect(throws: CSVImportError.self) {
                try await importer.run(data: Array("lead_id,created_at\nl1,2026-01-01T00:00:00Z\n".utf8), fileName: "l.csv", kind: .leads, organization: organization)
            }
            let unknown = await #expect(throws: CSVImportError.self) {
                try await importer.run(
                    data: Array("lead_id,created_at,source_channel,colour\n".utf8), fileName: "l.csv", kind: .leads, organization: organization
                )
            }
            #expect(unknown?.message.contains("colour") == true)
        }
    }
}
