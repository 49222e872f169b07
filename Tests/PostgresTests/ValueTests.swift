import Foundation
import Postgres
import TestSupport
import Testing

@Suite("Values, transactions and COPY")
struct ValueTests {
    @Test("typed decoding of every supported type, NULL included")
    func decoding() async throws {
        try await TestDatabase.withPool(size: 1) { pool in
            let row = try await pool.query(
                """
                SELECT 42::bigint AS i, 2.5::float8 AS d, 12345678901234567.89::numeric(20,2) AS n, true AS b,
                       'tab\there' AS s, 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11'::uuid AS u,
                       '2024-03-05 12:34:56.789012+02'::timestamptz AS t, '2024-02-29'::date AS day,
                       NULL::int AS missing
                """
            )[0]
            #expect(try row.decode(Int.self, "i") == 42)
            #expect(try row.decode(Double.self, "d") == 2.5)
            #expect(try row.decode(Decimal.self, "n") == Decimal(string: "12345678901234567.89"))
            #expect(try row.decode(String.self, "n") == "12345678901234567.89")
            #expect(try row.decode(Bool.self, "b") == true)
            #expect(try row.decode(String.self, "s") == "tab\there")
            #expect(try row.decode(UUID.self, "u") == UUID(uuidString: "A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11"))
            let expected = try #require(ISO8601DateFormatter().date(from: "2024-03-05T10:34:56Z"))
            let decoded = try row.decode(Date.self, "t")
            #expect(abs(decoded.timeIntervalSince(expected) - 0.789012) < 0.000_001)
            #expect(try row.decode(Date.self, "day") == ISO8601DateFormatter().date(from: "2024-02-29T00:00:00Z"))
            #expect(try row.decode(Int?.self, "missing") == nil)
            let nullError = #expect(throws: PostgresError.self) { try row.decode(Int.self, "missing") }
            #expect(nullError?.message.contains("\"missing\" is NULL") == true)
            let typeError = #expect(throws: PostgresError.self) { try row.decode(Int.self, "s") }
            #expect(typeError?.code == .decodingFailed)
            #expect(throws: PostgresError.self) { try row.decode(Int.self, "no_such_column") }
        }
    }

    @Test("bound parameters round-trip exactly, with no SQL injection possible")
    func parameters() async throws {
        try await TestDatabase.withPool(size: 1) { pool in
            let date = Date(timeIntervalSince1970: 1_700_000_000.123456)
            let hostile = "'); DROP TABLE core.organizations; --"
            let row = try await pool.query(
                "SELECT $1::text AS s, $2::timestamptz AS t, $3::numeric AS n, $4::uuid AS u, $5::int AS z, $6::float8 AS f",
                [hostile, date, Decimal(string: "0.10"), UUID(), nil, 0.1]
            )[0]
            #expect(try row.decode(String.self, "s") == hostile)
            #expect(abs(try row.decode(Date.self, "t").timeIntervalSince(date)) < 0.000_001)
            #expect(try row.decode(Decimal.self, "n") == Decimal(string: "0.1"))
            #expect(try row.decode(Int?.self, "z") == nil)
            #expect(try row.decode(Double.self, "f") == 0.1)
            let tables = try await pool.query("SELECT to_regclass('core.organizations') IS NOT NULL")
            #expect(try tables[0].decode(Bool.self, at: 0))
        }
    }

    @Test("array literals written element by element read back as the values bound one by one (quotes, NULL, extremes)")
    func arrayLiterals() async throws {
        try await TestDatabase.withPool(size: 1) { pool in
            let texts: [String?] = ["a", #"say "hi""#, #"back\slash"#, "{braces}, commas", "NULL", nil, "", " spaced ", "é"]
            let numbers: [Int64?] = [0, -1, 42, Int64.min, Int64.max, nil]
            let flags: [Bool?] = [true, false, nil]
            let times: [Date?] = [Date(timeIntervalSince1970: 1_700_000_000.123456), Date(timeIntervalSince1970: -86_400.5), nil]
            var textLiteral = PostgresArrayLiteral(), numberLiteral = PostgresArrayLiteral()
            var flagLiteral = PostgresArrayLiteral(), timeLiteral = PostgresArrayLiteral(), empty = PostgresArrayLiteral()
            // Each element written from its text, as the literal's callers write numeric and date columns.
            texts.forEach { textLiteral.append($0) }
            numbers.forEach { numberLiteral.append($0?.postgresText) }
            flags.forEach { flagLiteral.append($0?.postgresText) }
            times.forEach { timeLiteral.append($0?.postgresText) }
            // Compared in SQL with the same values bound one by one.
            var parameters: [(any PostgresEncodable)?] = [textLiteral, numberLiteral, flagLiteral, timeLiteral, empty]
            parameters += texts.map { $0 } + numbers.map { $0 } + flags.map { $0 } + times.map { $0 }
            func list(_ from: Int, _ count: Int, _ type: String) -> String {
                (from..<from + count).map { "$\($0)::\(type)" }.joined(separator: ", ")
            }
            let t = 6, n = t + texts.count, b = n + numbers.count, d = b + flags.count
            let row = try await pool.query(
                """
                SELECT $1::text[] IS NOT DISTINCT FROM ARRAY[\(list(t, texts.count, "text"))],
                       $2::bigint[] IS NOT DISTINCT FROM ARRAY[\(list(n, numbers.count, "bigint"))],
                       $3::boolean[] IS NOT DISTINCT FROM ARRAY[\(list(b, flags.count, "boolean"))],
                       $4::timestamptz[] IS NOT DISTINCT FROM ARRAY[\(list(d, times.count, "timestamptz"))],
                       cardinality($5::text[]), array_position($1::text[], NULL), array_position($1::text[], 'NULL')
                """,
                parameters
            )[0]
            for column in 0..<4 { #expect(try row.decode(Bool.self, at: column), "column \(column)") }
            #expect(try row.decode(Int.self, at: 4) == 0)
            #expect(try row.decode(Int.self, at: 5) == 6)
            #expect(try row.decode(Int.self, at: 6) == 5)
        }
    }

    @Test("binary arrays read back in PostgreSQL as the values bound one by one, and as their own text form")
    func binaryArrays() async throws {
        try await TestDatabase.withPool(size: 1) { pool in
            let texts: [String?] = ["a", #"say "hi""#, #"back\slash"#, "{braces}, commas", "NULL", nil, "", " spaced ", "é 😀"]
            let numbers: [Int64?] = [0, -1, 42, Int64.min, Int64.max, nil]
            let flags: [Bool?] = [true, false, nil]
            let times: [Date?] = [
                Date(timeIntervalSince1970: 1_700_000_000.123456), Date(timeIntervalSince1970: -86_400.5),
                Date(timeIntervalSince1970: 946_684_800), Date(timeIntervalSince1970: 0.0000004), nil,
            ]
            let arrays: [any PostgresEncodable] = [
                PostgresBinaryArray(texts), PostgresBinaryArray(numbers), PostgresBinaryArray(flags), PostgresBinaryArray(times),
                PostgresBinaryArray<String>(),
            ]
            #expect(PostgresBinaryArray(texts).elements == texts)
            #expect(PostgresBinaryArray(numbers).elements == numbers)
            #expect(PostgresBinaryArray(flags).elements == flags)
            #expect(PostgresBinaryArray(times).elements.map { $0?.postgresText } == times.map { $0?.postgresText })  // to the microsecond
            // Each binary array, its text form ($6 to $10), then the values one by one.
            var parameters: [(any PostgresEncodable)?] = arrays + arrays.map { $0.postgresText }
            parameters += texts.map { $0 } + numbers.map { $0 } + flags.map { $0 } + times.map { $0 }
            func list(_ from: Int, _ count: Int, _ type: String) -> String {
                (from..<from + count).map { "$\($0)::\(type)" }.joined(separator: ", ")
            }
            let t = 11, n = t + texts.count, b = n + numbers.count, d = b + flags.count
            let row = try await pool.query(
                """
                SELECT $1::text[] IS NOT DISTINCT FROM ARRAY[\(list(t, texts.count, "text"))],
                       $2::bigint[] IS NOT DISTINCT FROM ARRAY[\(list(n, numbers.count, "bigint"))],
                       $3::boolean[] IS NOT DISTINCT FROM ARRAY[\(list(b, flags.count, "boolean"))],
                       $4::timestamptz[] IS NOT DISTINCT FROM ARRAY[\(list(d, times.count, "timestamptz"))],
                       $1::text[] IS NOT DISTINCT FROM $6::text[], $2::bigint[] IS NOT DISTINCT FROM $7::bigint[],
                       $3::boolean[] IS NOT DISTINCT FROM $8::boolean[], $4::timestamptz[] IS NOT DISTINCT FROM $9::timestamptz[],
                       $5::text[] = '{}' AND $10::text[] = '{}'
                """,
                parameters
            )[0]
            for column in 0..<9 { #expect(try row.decode(Bool.self, at: column), "column \(column)") }

            let error = await #expect(throws: PostgresError.self) {
                try await pool.query("SELECT cardinality($1::text[])", [PostgresBinaryArray<String>(["fine", "a\u{0}b"])])
            }
            #expect(error?.code == .encodingFailed)
        }
    }

    @Test("timestamps are bound as PostgreSQL reads them, before 1970, at the ends of the four-digit years and beyond")
    func timestamps() async throws {
        try await TestDatabase.withPool(size: 1) { pool in
            // (seconds since 1970, PostgreSQL's own text of that instant)
            let cases: [(Double, String)] = [
                (1_700_000_000.123456, "2023-11-14 22:13:20.123456+00"),
                (-1.5, "1969-12-31 23:59:58.5+00"),
                (951_782_400, "2000-02-29 00:00:00+00"),
                (-62_135_596_800, "0001-01-01 00:00:00+00"),
                (253_402_300_799, "9999-12-31 23:59:59+00"),
                (253_402_300_800, "10000-01-01 00:00:00+00"),
            ]
            for (seconds, expected) in cases {
                let text = try await pool.query("SELECT $1::timestamptz::text", [Date(timeIntervalSince1970: seconds)])[0]
                    .decode(String.self, at: 0)
                #expect(text == expected, "\(seconds)")
            }
        }
    }

    @Test("a transaction commits on return and rolls back on any thrown error")
    func transactions() async throws {
        struct Boom: Error {}
        try await TestDatabase.withPool(size: 1) { pool in
            let organization = try await TestDatabase.makeOrganization(on: pool)
            let insert = "INSERT INTO core.content_items (organization_id, content_id, title, created_at) VALUES ($1, $2, 't', now())"
            try await pool.transaction { try $0.query(insert, [organization, "kept"]) }
            await #expect(throws: Boom.self) {
                try await pool.transaction { connection in
                    try connection.query(insert, [organization, "dropped"])
                    throw Boom()
                }
            }
            await #expect(throws: PostgresError.self) {
                try await pool.transaction { connection in
                    try connection.query(insert, [organization, "dropped-too"])
                    try connection.query(insert, [organization, "kept"])  // duplicate key
                }
            }
            let ids = try await pool.query(
                "SELECT content_id FROM core.content_items WHERE organization_id = $1 ORDER BY 1", [organization]
            ).map { try $0.decode(String.self, at: 0) }
            #expect(ids == ["kept"])
            // The connection is usable and not left inside a transaction.
            let inTransaction = try await pool.withConnection { $0.isInTransaction }
            #expect(!inTransaction)
        }
    }

    @Test("COPY escapes tabs, newlines, carriage returns, backslashes and NULL, and keeps Unicode")
    func copyEscaping() async throws {
        let awkward: [String?] = [
            "plain", "tab\tinside", "new\nline", "carriage\rreturn", "back\\slash", "\\N", nil, "",
            "émoji 🚀 and “quotes”", "ends with backslash\\", "a\\tb",
        ]
        try await TestDatabase.withPool(size: 1) { pool in
            let loaded = try await pool.withConnection { connection -> [String?] in
                try connection.execute("CREATE TEMP TABLE copy_test (n int, s text)")
                let count = try connection.copyIn("COPY copy_test (n, s) FROM STDIN") { writer in
                    for (index, value) in awkward.enumerated() {
                        writer.add(index)
                        try writer.add(value)
                        try writer.endRow()
                    }
                }
                #expect(count == awkward.count)
                return try connection.query("SELECT s FROM copy_test ORDER BY n").map { try $0.decode(String?.self, at: 0) }
            }
            #expect(loaded == awkward)
        }
    }

    @Test("a row the server refuses aborts the COPY with the server's reason and loads nothing")
    func copyRefused() async throws {
        try await TestDatabase.withPool(size: 1) { pool in
            let organization = try await TestDatabase.makeOrganization(on: pool)
            let error = await #expect(throws: PostgresError.self) {
                try await pool.withConnection { connection in
                    try connection.copyIn(
                        "COPY core.programme_costs (organization_id, cost_id, period_start, period_end, category, amount, currency) FROM STDIN"
                    ) { writer in
                        for (id, amount) in [("ok", "10.00"), ("negative", "-5")] {
                            try writer.add(organization)
                            try writer.add(id)
                            try writer.add("2024-01-01")
                            try writer.add("2024-01-31")
                            try writer.add("licence")
                            try writer.add(amount)
                            try writer.add("EUR")
                            try writer.endRow()
                        }
                    }
                }
            }
            #expect(error?.code == .copyFailed)
            #expect(error?.sqlState == "23514")
            let count = try await pool.query("SELECT count(*) FROM core.programme_costs WHERE organization_id = $1", [organization])
            #expect(try count[0].decode(Int.self, at: 0) == 0)
            // And the connection still works.
            let one = try await pool.query("SELECT 1")[0].decode(Int.self, at: 0)
            #expect(one == 1)
        }
    }
}
