import Foundation
import Postgres
import TestSupport
import Testing

@testable import Computation

@Suite("Typed answers")
struct RecordTests {
    @Test("JSON from PostgreSQL reads into values with exact numbers, escapes and nesting")
    func parsing() throws {
        let value = try Value.parsing(
            json: #" {"a": 0.045587, "b": [1, -2.5e-3, true, false, null], "c": {"d": "x\"y\\z\n\u00e9\ud83d\ude00"}, "e": 12345678901234567.89} "#
        )
        #expect(value["a"] == .number(Decimal(string: "0.045587")!))
        #expect(value["b"] == .array([.number(1), .number(Decimal(string: "-0.0025")!), .bool(true), .bool(false), .null]))
        #expect(value["c"]?["d"] == .string("x\"y\\z\né😀"))
        #expect(value["e"] == .number(Decimal(string: "12345678901234567.89")!))
        for broken in ["", "{", "{\"a\" 1}", "[1,]x", "\"open", "tru", "{\"a\": 1} 2", "\"\\ud83d\""] {
            #expect(throws: JSONTextError.self, "\(broken)") { try Value.parsing(json: broken) }
        }
    }

    @Test("every jsonb detail PostgreSQL writes reads back to the same JSON")
    func roundTrip() async throws {
        let texts = try await TestDatabase.withPool(size: 1) { pool in
            try await pool.query(
                """
                SELECT j::text FROM (VALUES ('{"a": [1, 2.50, {"b": null}], "c": "\\u0001 é 😀 \\"q\\""}'::jsonb),
                                            ('[]'::jsonb), ('{}'::jsonb), ('-0.000001'::jsonb), ('"x"'::jsonb)) AS t (j)
                """
            ).map { try $0.decode(String.self, at: 0) }
        }
        for text in texts {
            let parsed = try Value.parsing(json: text)
            let again = try JSONSerialization.jsonObject(with: try JSONEncoder().encode(parsed), options: .fragmentsAllowed)
            let original = try JSONSerialization.jsonObject(with: Data(text.utf8), options: .fragmentsAllowed)
            #expect(NSArray(object: again).isEqual(NSArray(object: original)), "\(text)")
        }
    }
}
