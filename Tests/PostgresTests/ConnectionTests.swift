import Foundation
import Postgres
import TestSupport
import Testing

@Suite("Connecting")
struct ConnectionTests {
    @Test("a postgres:// URL and a libpq conninfo string both connect")
    func urlAndConninfo() async throws {
        let url = try await TestDatabase.url
        let viaURL = try PostgresConnection.connect(.init(conninfo: url))
        #expect(try viaURL.query("SELECT current_database()")[0].decode(String.self, at: 0) == TestDatabase.name)

        let components = try #require(URLComponents(string: url))
        let conninfo = "host=\(components.host ?? "127.0.0.1") port=\(components.port ?? 5432) "
            + "user=\(components.user ?? "postgres") dbname=\(TestDatabase.name)"
        let viaConninfo = try PostgresConnection.connect(.init(conninfo: conninfo))
        #expect(try viaConninfo.query("SELECT 1")[0].decode(Int.self, at: 0) == 1)
    }

    @Test("a multi-host URL with target_session_attrs skips the host that is down, as libpq defines")
    func multiHost() async throws {
        let url = try await TestDatabase.url
        let components = try #require(URLComponents(string: url))
        let port = try #require(components.port)
        // Port 1 on loopback refuses connections: libpq must move on to the second host.
        let multi = "postgresql://\(components.user ?? "postgres")@127.0.0.1:1,127.0.0.1:\(port)/"
            + "\(TestDatabase.name)?target_session_attrs=read-write&connect_timeout=5"
        let connection = try PostgresConnection.connect(.init(conninfo: multi))
        #expect(try connection.query("SELECT inet_server_port()")[0].decode(Int.self, at: 0) == port)
    }

    @Test("a connection whose role switch fails is closed and never lent as the login user")
    func failedSetupIsNeverLent() async throws {
        let url = try await TestDatabase.url
        let settings = PostgresConnection.Settings(conninfo: url, role: "advocacy_role_that_does_not_exist")
        let pool = ConnectionPool(configuration: .init(connection: settings, size: 1), logger: TestDatabase.logger)
        // Every borrower fails: the first because the switch fails, the next ones because the half-set-up
        // session was closed instead of being handed on as the login user (often a superuser).
        for attempt in 1...3 {
            let error = await #expect(throws: PostgresError.self, "attempt \(attempt)") {
                try await pool.query("SELECT current_user")
            }
            #expect(error?.sqlState == "22023", "\(String(describing: error))")
        }
        await pool.close()
    }

    @Test("a server that is not there gives a connection error that says what to check")
    func unreachable() {
        let error = #expect(throws: PostgresError.self) {
            _ = try PostgresConnection.connect(.init(conninfo: "postgresql://postgres@127.0.0.1:1/none?connect_timeout=2"))
        }
        #expect(error?.code == .connectionFailed)
        #expect(error?.description.contains("DATABASE_URL") == true)
    }

    @Test("statement_timeout cancels a statement that runs too long")
    func statementTimeout() async throws {
        try await TestDatabase.withPool(size: 1, statementTimeout: .milliseconds(100)) { pool in
            let error = await #expect(throws: PostgresError.self) {
                try await pool.query("SELECT pg_sleep(2)")
            }
            #expect(error?.isQueryCanceled == true)
            #expect(error?.sqlState == "57014")
            // The connection is still good afterwards.
            let two = try await pool.query("SELECT 2")[0].decode(Int.self, at: 0)
            #expect(two == 2)
        }
    }

    @Test("the server's diagnostics reach the error: SQLSTATE, message, detail, constraint, table")
    func errorFields() async throws {
        try await TestDatabase.withPool(size: 1) { pool in
            let organization = try await TestDatabase.makeOrganization(on: pool)
            let insert = "INSERT INTO core.content_items (organization_id, content_id, title, created_at) VALUES ($1, $2, $3, now())"
            try await pool.query(insert, [organization, "c1", "First"])
            let duplicate = await #expect(throws: PostgresError.self) {
                try await pool.query(insert, [organization, "c1", "Again"])
            }
            #expect(duplicate?.isUniqueViolation == true)
            #expect(duplicate?.constraint == "content_items_pkey")
            #expect(duplicate?.table == "content_items")
            #expect(duplicate?.detail?.contains("already exists") == true)
            #expect(duplicate?.query == insert)

            let badCost = await #expect(throws: PostgresError.self) {
                try await pool.query(
                    """
                    INSERT INTO core.programme_costs
                        (organization_id, cost_id, period_start, period_end, category, amount, currency)
                    VALUES ($1, 'k1', '2024-02-01', '2024-01-01', 'licence', 10, 'EUR')
                    """,
                    [organization]
                )
            }
            #expect(badCost?.isCheckViolation == true)
            #expect(badCost?.constraint == "cost_period_is_ordered")
            #expect(badCost?.description.contains("cost_period_is_ordered") == true)
        }
    }

    @Test("a statement on a connection the server ended (a restart, a terminated backend) is a lost connection: unavailable, not a query error")
    func lostConnectionIsUnavailable() async throws {
        let url = try await TestDatabase.url
        let connection = try PostgresConnection.connect(.init(conninfo: url))
        let pid = try #require(connection.backendPID)
        let admin = try PostgresConnection.connect(.init(conninfo: url))
        try admin.query("SELECT pg_terminate_backend($1)", [Int(pid)])
        for _ in 0..<100 where try admin.query("SELECT count(*) FROM pg_stat_activity WHERE pid = $1", [Int(pid)])[0].decode(Int.self, at: 0) > 0 {
            try await Task.sleep(for: .milliseconds(20))
        }
        let error = #expect(throws: PostgresError.self) { try connection.query("SELECT 1") }
        #expect(error?.isUnavailable == true, "\(String(describing: error))")
        #expect(PostgresError(code: .queryFailed, message: "x", sqlState: "57P01").isUnavailable)
        #expect(PostgresError(code: .queryFailed, message: "x", sqlState: "25006").isUnavailable)
        #expect(!PostgresError(code: .queryFailed, message: "x", sqlState: "23505").isUnavailable)
    }

    @Test("a read-only connection's every transaction is READ ONLY: a write fails, on any server")
    func readOnlyConnection() async throws {
        let connection = try PostgresConnection.connect(.init(conninfo: try await TestDatabase.url, readOnly: true))
        #expect(try connection.query("SHOW transaction_read_only")[0].decode(String.self, at: 0) == "on")
        let error = #expect(throws: PostgresError.self) { try connection.execute("CREATE TEMP TABLE t (x int)") }
        #expect(error?.sqlState == "25006")
    }

    @Test("the primary's conninfo gets target_session_attrs=read-write unless it names its own, in URL and keyword forms")
    func targetSessionAttrs() {
        func add(_ conninfo: String) -> String { PostgresConnection.Settings.conninfo(conninfo, adding: "target_session_attrs", "read-write") }
        #expect(add("postgres://u@h:5432/db") == "postgres://u@h:5432/db?target_session_attrs=read-write")
        #expect(add("postgresql://u@h1:5432,h2:5433/db?sslmode=disable") == "postgresql://u@h1:5432,h2:5433/db?sslmode=disable&target_session_attrs=read-write")
        #expect(add("postgres://h/db?target_session_attrs=any") == "postgres://h/db?target_session_attrs=any")
        #expect(add("host=h1,h2 port=5432,5433 dbname=db") == "host=h1,h2 port=5432,5433 dbname=db target_session_attrs=read-write")
        #expect(add("host=h target_session_attrs=primary") == "host=h target_session_attrs=primary")
    }

    @Test("a parameter with a NUL character is refused before it reaches the server")
    func nulParameter() async throws {
        try await TestDatabase.withPool(size: 1) { pool in
            let error = await #expect(throws: PostgresError.self) {
                try await pool.query("SELECT $1::text", ["a\u{0}b"])
            }
            #expect(error?.code == .encodingFailed)
            #expect(error?.message.contains("$1") == true)
        }
    }

    @Test("a prepared statement is prepared once per session, answers as the plain one does, and again on a new session")
    func preparedStatements() async throws {
        let url = try await TestDatabase.url
        let connection = try PostgresConnection.connect(.init(conninfo: url))
        let sql = "SELECT $1::int * 2, $2::text"
        func preparedCount() throws -> Int {
            try connection.query("SELECT count(*) FROM pg_prepared_statements WHERE statement = $1", [sql])[0].decode(Int.self, at: 0)
        }
        for value in [1, 21, -5] {
            let prepared = try connection.query(sql, [value, "x\(value)"], prepared: true)[0]
            let plain = try connection.query(sql, [value, "x\(value)"])[0]
            #expect(try prepared.decode(Int.self, at: 0) == plain.decode(Int.self, at: 0))
            #expect(try prepared.decode(String.self, at: 1) == "x\(value)")
        }
        #expect(try preparedCount() == 1)

        // An error at execution is the statement's error, and the session goes on.
        let error = #expect(throws: PostgresError.self) {
            try connection.query("SELECT 1 / $1::int", [0], prepared: true)
        }
        #expect(error?.sqlState == "22012")
        #expect(try connection.query("SELECT 1 / $1::int", [1], prepared: true)[0].decode(Int.self, at: 0) == 1)

        // A new session (the server ended the old one) knows no prepared statement: it is prepared again.
        let pid = try #require(connection.backendPID)
        let admin = try PostgresConnection.connect(.init(conninfo: url))
        try admin.query("SELECT pg_terminate_backend($1)", [Int(pid)])
        for _ in 0..<100 where try admin.query("SELECT count(*) FROM pg_stat_activity WHERE pid = $1", [Int(pid)])[0].decode(Int.self, at: 0) > 0 {
            try await Task.sleep(for: .milliseconds(20))
        }
        try connection.prepareForUse()
        #expect(connection.backendPID != pid)
        #expect(try connection.query(sql, [4, "y"], prepared: true)[0].decode(Int.self, at: 0) == 8)
        #expect(try preparedCount() == 1)
    }
}
