import API
import Access
import Foundation
import HummingbirdTesting
import Migrations
import Postgres
import TestSupport
import Testing

#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// The service as an operator runs it: the real binary, its /metrics and its log lines, its refusal to start
/// on a database of another build, its graceful stop. Each test has a database of its own, since some lock
/// tables or edit the schema's record.
@Suite("Operations", .serialized, .enabled(if: ServiceProcess.isBuilt, "build the advocacy executable first"))
struct OperationsTests {
    /// A Prometheus text exposition as series (`name{labels}`) and values.
    struct Scrape {
        let series: [String: Double]
        let text: String

        init(_ text: String) {
            self.text = text
            var series: [String: Double] = [:]
            for line in text.split(separator: "\n") where !line.hasPrefix("#") {
                guard let space = line.lastIndex(of: " "), let value = Double(line[line.index(after: space)...]) else { continue }
                series[String(line[..<space])] = value
            }
            self.series = series
        }

        /// The sum over every series of `name` whose labels include each of `labels` (`key="value"`).
        func value(_ name: String, _ labels: String...) -> Double? {
            value(name, labels)
        }

        func value(_ name: String, _ labels: [String]) -> Double? {
            let matching = series.filter { key, _ in
                (key == name || key.hasPrefix(name + "{")) && labels.allSatisfy { key.contains($0) }
            }
            return matching.isEmpty ? nil : matching.values.reduce(0, +)
        }
    }

    struct Server {
        let process: ServiceProcess
        let base: String
        let metrics: URL

        func scrape() async throws -> Scrape {
            let (data, _) = try await URLSession.shared.data(from: metrics)
            return Scrape(String(decoding: data, as: UTF8.self))
        }
    }

    static func start(database url: String, _ extra: [String] = []) async throws -> Server {
        let (port, metricsPort) = (try ServiceProcess.freePort(), try ServiceProcess.freePort())
        let process = try ServiceProcess(
            ["serve", "--port", "\(port)", "--metrics-address", "127.0.0.1:\(metricsPort)", "--sql", TestDatabase.sqlDirectory] + extra,
            environment: ["DATABASE_URL": url, "LOG_LEVEL": "info", "LOG_FORMAT": "json"]
        )
        let server = Server(
            process: process, base: "http://127.0.0.1:\(port)",
            metrics: try #require(URL(string: "http://127.0.0.1:\(metricsPort)/metrics"))
        )
        let ready = try await process.waitUntilAnswering(try #require(URL(string: "\(server.base)/health")))
        try #require(ready, "the service did not start: \(process.standardError)")
        return server
    }

    static func request(
        _ method: String, _ url: String, key: String? = nil, body: String? = nil, headers: [String: String] = [:],
        session: URLSession = .shared
    ) async throws -> (status: Int, headers: [String: String], body: String) {
        var request = URLRequest(url: try #require(URL(string: url)))
        request.httpMethod = method
        request.timeoutInterval = 60
        if let key { request.setValue("Bearer \(key)", forHTTPHeaderField: "Authorization") }
        if let body {
            request.httpBody = Data(body.utf8)
            request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        }
        for (name, value) in headers { request.setValue(value, forHTTPHeaderField: name) }
        let (data, response) = try await session.data(for: request)
        let http = try #require(response as? HTTPURLResponse)
        var headers: [String: String] = [:]
        for (name, value) in http.allHeaderFields {
            if let name = name as? String, let value = value as? String { headers[name.lowercased()] = value }
        }
        return (http.statusCode, headers, String(decoding: data, as: UTF8.self))
    }

    /// A migrated database of the test's own with one organisation and a key of `scopes`.
    static func organization(in database: String, scopes: Set<Scope>) async throws
        -> (url: String, admin: PostgresConnection, organization: UUID, key: String)
    {
        let url = try await TestDatabase.makeMigrated(named: database)
        let admin = try PostgresConnection.connect(.init(conninfo: url))
        let organization = try Organizations.create(.init(slug: "ops", name: "Operations"), on: admin)
        let key = try APIKeys.create(organization: organization, name: "ops", scopes: scopes, expiresAt: nil, actor: nil, on: admin).key
        return (url, admin, organization, key)
    }

    static func event(_ id: String, _ type: String, _ data: String) -> String {
        #"{"id":"\#(id)","type":"\#(type)","occurred_at":"2026-03-05T10:00:00Z","data":\#(data)}"#
    }

    static func post(_ id: String, ambassador: String) -> String {
        event(id, "post.published", #"{"post_id":"\#(id)","ambassador_id":"\#(ambassador)","network":"linkedin"}"#)
    }

    /// Polls until `condition` holds on a scrape, for at most `timeout`. - Returns: the last scrape.
    static func scrape(_ server: Server, until condition: (Scrape) -> Bool, timeout: Duration = .seconds(30)) async throws -> Scrape {
        let deadline = ContinuousClock.now + timeout
        var last = try await server.scrape()
        while !condition(last), ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(200))
            last = try await server.scrape()
        }
        return last
    }

    @Test("GET /metrics has every series an operator needs, each moved by traffic; the log is JSON lines with request ids and no key, secret or identifier")
    func metricsAndLogs() async throws {
        let (url, admin, organization, key) = try await Self.organization(in: "advocacy_test_operations", scopes: Scope.organizationWide)
        defer { admin.close() }
        // The database refuses one ambassador id: a refusal the validator cannot foresee (SQLSTATE class 23).
        try admin.execute("ALTER TABLE fact.posts ADD CONSTRAINT test_refused CHECK (ambassador_id <> 'refused-private-person')")

        let server = try await Self.start(database: url, ["--ingest-connections", "1"])
        defer { server.process.signal(SIGKILL) }
        let before = try await server.scrape()

        // Two batches on one ingestion connection, held by a lock: one stores, the other waits for the connection.
        try admin.execute("BEGIN; LOCK TABLE fact.posts IN ACCESS EXCLUSIVE MODE")
        async let first = Self.request(
            "POST", "\(server.base)/v1/events", key: key,
            body: "[\(Self.post("p1", ambassador: "zed-private-person")),\(Self.post("p2", ambassador: "refused-private-person")),"
                + #"{"id":"bad","type":"post.published","occurred_at":"2026-03-05T10:00:00Z","data":{"post_id":"p3"}}]"#,
            headers: ["X-Request-Id": "ops-test-1"]
        )
        // A session of its own: never queued behind the first request on a shared client connection.
        async let second = Self.request(
            "POST", "\(server.base)/v1/events", key: key, body: "[\(Self.post("p1", ambassador: "zed-private-person"))]",
            session: URLSession(configuration: .ephemeral)
        )
        let busy = try await Self.scrape(server) {
            ($0.value("db_pool_connections_in_use", #"pool="ingestion""#) ?? 0) >= 1
                && ($0.value("db_pool_waiting_borrowers", #"pool="ingestion""#) ?? 0) >= 1
        }
        #expect(busy.value("db_pool_connections_in_use", #"pool="ingestion""#) == 1)
        #expect(busy.value("db_pool_waiting_borrowers", #"pool="ingestion""#) == 1)
        #expect(busy.value("db_pool_connections", #"pool="ingestion""#) == 1)
        // The queue's metrics: the maintenance waits on the rollups while the days it must recompute are queued.
        try admin.execute("COMMIT; BEGIN; LOCK TABLE rollup.daily IN ACCESS EXCLUSIVE MODE")
        let answers = try await [first, second]
        #expect(answers.map(\.status) == [200, 200], "\(answers.map(\.body)); the server's log: \(server.process.standardError.suffix(4_000))")
        #expect(answers[0].headers["x-request-id"] == "ops-test-1")
        let queued = try await Self.scrape(server) { ($0.value("rollup_queue_days") ?? 0) > 0 && ($0.value("rollup_queue_oldest_age_seconds") ?? 0) > 0 }
        #expect(queued.value("rollup_queue_days") ?? 0 > 0)
        #expect(queued.value("rollup_queue_organizations") == 1)
        try admin.execute("COMMIT")

        // Reads, on the read pool; a guessed key; a page that does not exist.
        #expect(try await Self.request("GET", "\(server.base)/v1/kpis?from=2026-03-01&to=2026-03-31", key: key).status == 200)
        let guessed = "adv_0123456789abcdef0123456789abcdef_GuessedSecretGuessedSecret0123"
        #expect(try await Self.request("GET", "\(server.base)/v1/kpis", key: guessed).status == 401)
        #expect(try await Self.request("GET", "\(server.base)/no/such/page").status == 404)

        let after = try await Self.scrape(server) {
            ($0.value("rollup_maintenance_days_total") ?? 0) > 0 && $0.value("rollup_queue_days") == 0
        }
        func moved(_ name: String, _ labels: String...) {
            let (was, now) = (before.value(name, labels) ?? 0, after.value(name, labels) ?? 0)
            #expect(now > was, "\(name) \(labels) did not move: \(was) -> \(now)")
        }
        moved("http_requests_total", #"route="/v1/events""#, #"method="POST""#, #"status="200""#)
        moved("http_requests_total", #"route="/v1/kpis""#, #"status="401""#)
        moved("http_requests_total", #"route="NotFound""#, #"status="404""#)
        moved("http_request_duration_seconds_count", #"route="/v1/kpis""#, #"status="200""#)
        moved("http_request_duration_seconds_bucket", #"route="/v1/events""#, #"le="+Inf""#)
        moved("ingest_events_total", #"type="post.published""#, #"status="accepted""#)
        moved("ingest_events_total", #"type="post.published""#, #"status="duplicate""#)
        moved("ingest_events_total", #"status="rejected""#, #"reason="missing_field""#)
        moved("ingest_events_total", #"status="rejected""#, #"reason="constraint_violation""#)
        moved("ingest_batch_events_count")
        moved("ingest_batch_events_sum")
        for pool in ["primary", "ingestion", "read"] {
            moved("db_pool_lease_wait_seconds_count", #"pool="\#(pool)""#)
        }
        moved("db_errors_total", #"sqlstate_class="23""#)
        moved("rollup_maintenance_days_total")
        moved("rollup_maintenance_duration_seconds_count")
        #expect(after.value("rollup_maintenance_failures_total") == 0)
        #expect(after.value("advocacy_build_info") == 1)
        // Prometheus's conventions: counters end in _total, histograms in base units; no organisation id anywhere.
        for line in after.text.split(separator: "\n") where line.hasPrefix("# TYPE ") {
            let parts = line.split(separator: " ")
            if parts[3] == "counter" { #expect(parts[2].hasSuffix("_total"), "counter \(parts[2])") }
        }
        #expect(!after.text.contains(organization.uuidString.lowercased()))
        // The Grafana dashboard names only metrics the service exports, and shows each family an operator needs.
        let charted = try Self.dashboardMetrics()
        let unknown = charted.subtracting(Self.exportedNames(after.text))
        #expect(unknown.isEmpty, "the dashboard names metrics the service does not export: \(unknown.sorted())")
        for needed in ["ingest_events_total", "http_request_duration_seconds_bucket", "db_pool_connections_in_use", "rollup_queue_oldest_age_seconds"] {
            #expect(charted.contains(needed), "the dashboard does not chart \(needed)")
        }

        // The log: every line one JSON object; one line per request with its id, route, status and duration.
        server.process.signal(SIGTERM)
        #expect(try await server.process.waitForExit(timeout: .seconds(30)))
        let log = server.process.standardError
        let lines = log.split(separator: "\n").map(String.init)
        let records = lines.compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
        #expect(records.count == lines.count, "lines that are not JSON objects: \(lines.filter { !$0.hasPrefix("{") }.prefix(3))")
        for record in records {
            #expect(record["time"] is String && record["level"] is String && record["message"] is String)
        }
        let requests = records.filter { $0["message"] as? String == "request" }
        let traced = try #require(requests.first { $0["request_id"] as? String == "ops-test-1" })
        #expect(traced["route"] as? String == "/v1/events")
        #expect(traced["method"] as? String == "POST")
        #expect(traced["status"] as? Int == 200)
        #expect((traced["duration_ms"] as? Double ?? -1) > 0)
        #expect(traced["organization_id"] as? String == organization.uuidString.lowercased())
        #expect(Set(requests.compactMap { $0["request_id"] as? String }).count == requests.count, "a request id used twice")
        #expect(requests.contains { $0["status"] as? Int == 401 && $0["organization_id"] == nil })
        for secret in [key, guessed, String(key.split(separator: "_").last ?? ""), "GuessedSecret", "private-person"] {
            #expect(!log.contains(secret), "the log holds \(secret)")
        }
    }

    /// Every series name a scrape can hold: each metric's, and a histogram's `_bucket`, `_sum` and `_count`.
    static func exportedNames(_ text: String) -> Set<String> {
        var names: Set<String> = []
        for line in text.split(separator: "\n") where line.hasPrefix("# TYPE ") {
            let parts = line.split(separator: " ")
            let name = String(parts[2])
            names.insert(name)
            if parts[3] == "histogram" { names.formUnion(["_bucket", "_sum", "_count"].map { name + $0 }) }
        }
        return names
    }

    /// The metric names of every PromQL expression of Deploy/production/grafana-dashboard.json (a valid JSON
    /// document with panels): identifiers that are not functions, keywords, labels or variables.
    static func dashboardMetrics() throws -> Set<String> {
        let path = TestDatabase.sqlDirectory + "/../Deploy/production/grafana-dashboard.json"
        let document = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path))) as? [String: Any])
        let panels = try #require(document["panels"] as? [[String: Any]])
        let expressions = panels.flatMap { ($0["targets"] as? [[String: Any]] ?? []).compactMap { $0["expr"] as? String } }
        #expect(expressions.count >= 15)
        #expect(Set(panels.compactMap { $0["id"] as? Int }).count == panels.count, "panel ids are not unique")
        let keywords: Set<String> = ["by", "without", "on", "ignoring", "group_left", "group_right", "and", "or", "unless", "bool", "offset"]
        var names: Set<String> = []
        for expression in expressions {
            // Drop label matchers, groupings and ranges: what is left names metrics, functions and keywords.
            var text = expression
            for pattern in [#"\{[^}]*\}"#, #"\b(by|without)\s*\([^)]*\)"#, #"\[[^\]]*\]"#] {
                text = text.replacingOccurrences(of: pattern, with: " ", options: .regularExpression)
            }
            let scanner = text.unicodeScalars
            var identifier = ""
            var characters = Array(scanner)
            characters.append(" ")
            for (index, character) in characters.enumerated() {
                if CharacterSet.alphanumerics.contains(character) || character == "_" || character == ":" {
                    identifier.unicodeScalars.append(character)
                    continue
                }
                defer { identifier = "" }
                guard let first = identifier.unicodeScalars.first, !CharacterSet.decimalDigits.contains(first) else { continue }
                let rest = characters[index...].drop { $0 == " " }
                if rest.first == "(" || keywords.contains(identifier) { continue }
                names.insert(identifier)
            }
        }
        return names
    }

    @Test("serve refuses to start, saying why, on a database older or newer than the build")
    func refusesAnotherBuildsSchema() async throws {
        let url = try await TestDatabase.recreate(named: "advocacy_test_operations_schema")
        func refusal() async throws -> String {
            let process = try ServiceProcess(
                ["serve", "--port", "\(try ServiceProcess.freePort())", "--metrics-address", "off", "--sql", TestDatabase.sqlDirectory],
                environment: ["DATABASE_URL": url]
            )
            let exited = try await process.waitForExit(timeout: .seconds(30))
            #expect(exited, "serve started on a database of another build")
            #expect(process.exitStatus != 0)
            return process.standardError
        }
        // Never migrated: every migration of SQL/schema is pending.
        let migrations = try SQLSource(directory: URL(fileURLWithPath: TestDatabase.sqlDirectory)).load().migrations.count
        #expect(try await refusal().contains("the database is older than this build: \(migrations) migration(s) not applied"))

        _ = try await TestDatabase.makeMigrated(named: "advocacy_test_operations_schema")
        let admin = try PostgresConnection.connect(.init(conninfo: url))
        defer { admin.close() }
        // A newer build applied a migration this one does not have.
        try admin.execute("INSERT INTO meta.schema_migrations (version, name, checksum, duration_ms) VALUES (9999, '9999_from_the_future', 'x', 0)")
        let newer = try await refusal()
        #expect(newer.contains("9999_from_the_future") && newer.contains("this build is older than the database"))
        // An instance already running says so too: not ready, and why (not "database unavailable").
        let settings = AppSettings(port: 0, database: .init(connection: .init(conninfo: url)), sqlDirectory: TestDatabase.sqlDirectory)
        try await buildApplication(settings).test(.router) { client in
            try await client.execute(uri: "/ready", method: .get) { response in
                #expect(response.status == .serviceUnavailable)
                #expect((response.json["reason"] as? String ?? "").contains("9999_from_the_future"))
            }
        }
        // Or changed a definition.
        try admin.execute("DELETE FROM meta.schema_migrations WHERE version = 9999")
        try admin.execute("UPDATE meta.schema_definitions SET checksum = 'x' WHERE path = 'functions/kpi/summary.sql'")
        #expect(try await refusal().contains("functions/kpi/summary.sql: changed"))
    }

    @Test("on SIGTERM, a request in flight is answered and stored before the process ends; past the grace period it is cut")
    func drainsOnSigterm() async throws {
        let (url, admin, _, key) = try await Self.organization(in: "advocacy_test_operations_drain", scopes: [.ingest])
        defer { admin.close() }

        for (grace, held) in [(30, Duration.seconds(2)), (1, Duration.seconds(6))] {
            let server = try await Self.start(database: url, ["--shutdown-grace-seconds", "\(grace)"])
            defer { server.process.signal(SIGKILL) }
            try admin.execute("BEGIN; LOCK TABLE fact.posts IN ACCESS EXCLUSIVE MODE")
            let id = "drain-\(grace)"
            let answer = Task { try await Self.request("POST", "\(server.base)/v1/events", key: key, body: "[\(Self.post(id, ambassador: "a1"))]") }
            _ = try await Self.scrape(server) { ($0.value("db_pool_connections_in_use", #"pool="ingestion""#) ?? 0) >= 1 }
            server.process.signal(SIGTERM)
            try await Task.sleep(for: held)
            try admin.execute("COMMIT")
            let stored = { try admin.query("SELECT count(*) FROM fact.posts WHERE post_id = $1", [id])[0].decode(Int.self, at: 0) }
            if grace == 30 {
                #expect(server.process.isRunning, "ended before its request was answered")
                let response = try await answer.value
                #expect(response.status == 200 && response.body.contains(#""accepted":1"#))
                #expect(try await server.process.waitForExit(timeout: .seconds(30)))
                #expect(server.process.exitStatus == 0)
                #expect(try stored() == 1)
            } else {
                #expect(!server.process.isRunning, "still running \(held) after SIGTERM with a grace period of \(grace) s")
                if case .success(let response) = await answer.result {
                    #expect(response.status != 200, "the cut request was answered as stored")
                }
                try await Task.sleep(for: .seconds(1))
                #expect(try stored() == 0, "a request cut at shutdown stored its batch anyway")
            }
        }
    }

    @Test("advocacy --version names the version and the commit")
    func version() async throws {
        let process = try ServiceProcess(["--version"])
        #expect(try await process.waitForExit(timeout: .seconds(10)))
        #expect(process.exitStatus == 0)
        #expect(process.standardOutput.range(of: #"^advocacy \d+\.\d+\.\d+ \(commit ([0-9a-f]{12}(-dirty)?|unknown)\)\n$"#, options: .regularExpression) != nil,
                "\(process.standardOutput)")
    }
}
