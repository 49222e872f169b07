import Access
import AsyncHTTPClient
import BenchmarkSupport
import Foundation
import NIOCore
import Postgres
import Synchronization

/// Ingestion throughput: generated events sent over HTTP on loopback (batches, concurrent senders) to a
/// real `advocacy serve`, against `psql \copy` of the same rows into the same tables, in the same run.
///
///     swift build -c release && DATABASE_URL=... .build/release/ingest-benchmark [--events N] [--senders S] [--batch B] [--rounds R]
@main
struct IngestBenchmark {
    struct Options {
        var events = 300_000
        var senders = 8
        var batch = 1_000
        var port = 18_080
        var rounds = 3

        init(_ arguments: [String]) throws {
            var iterator = arguments.dropFirst().makeIterator()
            while let flag = iterator.next() {
                guard let text = iterator.next(), let value = Int(text), value > 0 else {
                    throw BenchmarkError("\(flag) needs a positive number")
                }
                switch flag {
                case "--events": events = value
                case "--senders": senders = value
                case "--batch": batch = value
                case "--port": port = value
                case "--rounds": rounds = value
                default: throw BenchmarkError("unknown option \(flag) (use --events, --senders, --batch, --port, --rounds)")
                }
            }
        }
    }

    static func main() async {
        do {
            try await run()
        } catch {
            FileHandle.standardError.write(Data("ingest-benchmark: \(error)\n".utf8))
            exit(1)
        }
    }

    static func run() async throws {
        let options = try Options(CommandLine.arguments)
        guard let databaseURL = ProcessInfo.processInfo.environment["DATABASE_URL"] else {
            throw BenchmarkError("set DATABASE_URL (eval \"export $(Deploy/db start)\")")
        }
        let binary = Server.siblingBinary("advocacy")
        try Server.migrate(binary: binary, databaseURL: databaseURL)
        let admin = try PostgresConnection.connect(.init(conninfo: databaseURL))
        let data = Workload(count: options.events, start: Date().addingTimeInterval(-30 * 86_400))
        say("ingest-benchmark: \(options.events) events (50% post metrics, 30% web visits, 20% audience touches), "
            + "\(options.rounds) rounds of HTTP then \\copy")
        let server = try await Server.start(binary: binary, databaseURL: databaseURL, port: options.port)
        defer { server.stop() }
        // CPU used during an HTTP run by the server, by PostgreSQL (every backend of the cluster: the server's
        // connections, and its background workers), and by this client.
        let postmaster = try CPUTime.parent(of: admin.query("SELECT pg_backend_pid()")[0].decode(Int32.self, at: 0)) ?? 0
        func cpu() -> CPUSeconds {
            CPUSeconds(database: CPUTime.children(of: postmaster).map(CPUTime.seconds(of:)).reduce(0, +),
                       server: CPUTime.seconds(of: server.process.processIdentifier), client: CPUTime.seconds(of: getpid()))
        }

        // Rounds of the HTTP run then the \copy runs, each in new organisations: the load of this shared machine
        // changes by the minute, and a ratio is only fair between runs made close together.
        var rates: [(http: Double, copy: Double, copyAll: Double)] = []
        var cpuSeconds: [CPUSeconds] = []
        var walBytes: [(http: Double, copy: Double, copyAll: Double)] = []
        var maintenance: [(seconds: Double, cpu: Double)] = []
        for round in 1...options.rounds {
            let stamp = "\(Int(Date().timeIntervalSince1970))-\(round)"
            let httpOrganization = try makeOrganization(admin, slug: "bench-http-\(stamp)")
            let copyOrganization = try makeOrganization(admin, slug: "bench-copy-\(stamp)")
            let key = try APIKeys.create(organization: httpOrganization, name: "ingest-benchmark", scopes: [.ingest], expiresAt: nil,
                                         actor: nil, on: admin).key
            // Each phase starts right after a checkpoint: the first change of a page after one writes the whole
            // page to the WAL, and a checkpoint falling in one phase and not the other would weigh on it alone.
            try admin.execute("CHECKPOINT")
            let cpuBefore = cpu()
            let walBefore = try walPosition(admin)
            let http = try await sendOverHTTP(data, key: key, options: options)
            let cpuAfterHTTP = cpu()
            cpuSeconds.append(cpuAfterHTTP - cpuBefore)
            let walAfterHTTP = try walPosition(admin)
            // The server's background worker recomputes the HTTP run's days once ingestion stops: \copy runs after
            // it, not beside it. What PostgreSQL spends meanwhile is the rollups' maintenance.
            let waitStarted = ContinuousClock.now
            try await waitForRollups(of: httpOrganization, admin)
            maintenance.append((seconds: seconds(since: waitStarted), cpu: (cpu() - cpuAfterHTTP).database))
            try admin.execute("CHECKPOINT")
            let walBeforeCopy = try walPosition(admin)
            let copy = try loadWithCopy(data.copyRows(organization: copyOrganization), databaseURL: databaseURL)
            let walAfterCopy = try walPosition(admin)
            let copyDerived = try loadWithCopy(data.derivedRows(organization: copyOrganization), databaseURL: databaseURL)
            let walAfterDerived = try walPosition(admin)
            walBytes.append((http: walAfterHTTP - walBefore, copy: walAfterCopy - walBeforeCopy, copyAll: walAfterDerived - walBeforeCopy))
            let stored = try admin.query(
                """
                SELECT (SELECT count(*) FROM fact.post_metric_observations WHERE organization_id = $1)
                     + (SELECT count(*) FROM fact.web_visits WHERE organization_id = $1)
                     + (SELECT count(*) FROM fact.audience_touches WHERE organization_id = $1)
                """,
                [httpOrganization]
            )[0].decode(Int.self, at: 0)
            guard stored == options.events else {
                throw BenchmarkError("the HTTP run stored \(stored) facts, expected \(options.events)")
            }
            for organization in [httpOrganization, copyOrganization] {
                try admin.query("SELECT core.delete_organization($1)", [organization])
            }
            // The next round measures ingestion, not the clean-up of this one: its dead rows are vacuumed
            // now, not by autovacuum during the next round's run.
            try vacuumDeadRows(admin)
            let rate = (http: Double(options.events) / http, copy: Double(options.events) / copy,
                        copyAll: Double(options.events) / (copy + copyDerived))
            rates.append(rate)
            say(String(format: "round %d: HTTP %.0f events/s, \\copy of the facts %.0f rows/s, \\copy of all rows %.0f events/s, "
                       + "HTTP / \\copy %.2f and %.2f; CPU during HTTP (%.1f s on %d cores): PostgreSQL %.1f s, server %.1f s, client %.1f s",
                       round, rate.http, rate.copy, rate.copyAll, rate.http / rate.copy, rate.http / rate.copyAll, http,
                       ProcessInfo.processInfo.activeProcessorCount, cpuSeconds[round - 1].database, cpuSeconds[round - 1].server,
                       cpuSeconds[round - 1].client))
        }
        let peak = server.peakMemoryKiB()

        let median = { (values: [Double]) in percentile(values, 0.5) }
        say(String(format: "HTTP ingest          %9.0f events/s  (median of %d rounds; batches of %d, %d senders, all accepted and stored)",
                   median(rates.map(\.http)), options.rounds, options.batch, options.senders))
        say(String(format: "psql \\copy, facts    %9.0f rows/s    (the same fact rows into the same fact tables)", median(rates.map(\.copy))))
        say(String(format: "psql \\copy, all rows %9.0f events/s  (also the ledger and the first touches ingestion writes)",
                   median(rates.map(\.copyAll))))
        say(String(format: "ratio HTTP / \\copy of the facts: %.2f; HTTP / \\copy of all rows: %.2f (medians of the rounds' ratios)",
                   median(rates.map { $0.http / $0.copy }), median(rates.map { $0.http / $0.copyAll })))
        say(String(format: "CPU per event during HTTP (median): PostgreSQL %.1f us, server %.1f us, client %.1f us",
                   median(cpuSeconds.map(\.database)) / Double(options.events) * 1e6,
                   median(cpuSeconds.map(\.server)) / Double(options.events) * 1e6, median(cpuSeconds.map(\.client)) / Double(options.events) * 1e6))
        say(String(format: "WAL per event (median): HTTP %.0f bytes, \\copy of the facts %.0f bytes, \\copy of all rows %.0f bytes",
                   median(walBytes.map(\.http)) / Double(options.events), median(walBytes.map(\.copy)) / Double(options.events),
                   median(walBytes.map(\.copyAll)) / Double(options.events)))
        say(String(format: "rollup maintenance after the HTTP run (median): %.1f s, PostgreSQL CPU %.1f us per event",
                   median(maintenance.map(\.seconds)), median(maintenance.map(\.cpu)) / Double(options.events) * 1e6))
        say(String(format: "server peak memory (VmHWM): %.1f MiB", Double(peak) / 1024))
    }

    static func vacuumDeadRows(_ admin: PostgresConnection) throws {
        // The statistics of the deletion just made reach pg_stat_user_tables after a flush.
        try admin.execute("SELECT pg_stat_force_next_flush()")
        let tables = try admin.query(
            "SELECT format('%I.%I', schemaname, relname) FROM pg_stat_user_tables WHERE n_dead_tup > 1000"
        ).map { try $0.decode(String.self, at: 0) }
        // Names from the catalogue, quoted by format(): VACUUM takes no parameters.
        for table in tables { try admin.execute("VACUUM \(table)") }
    }

    static func waitForRollups(of organization: UUID, _ admin: PostgresConnection) async throws {
        let deadline = ContinuousClock.now + .seconds(300)
        while try admin.query("SELECT count(*) FROM rollup.dirty_days WHERE organization_id = $1", [organization])[0]
            .decode(Int.self, at: 0) > 0
        {
            guard ContinuousClock.now < deadline else { throw BenchmarkError("the server's rollup maintenance did not finish in 5 minutes") }
            try await Task.sleep(for: .milliseconds(200))
        }
    }

    /// The cluster's write-ahead log position in bytes: what a phase wrote, with whatever else ran meanwhile.
    static func walPosition(_ admin: PostgresConnection) throws -> Double {
        try admin.query("SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), '0/0')::float8")[0].decode(Double.self, at: 0)
    }

    /// CPU seconds used by PostgreSQL (every backend of the cluster), the server and this client.
    struct CPUSeconds {
        let database: Double, server: Double, client: Double

        static func - (after: CPUSeconds, before: CPUSeconds) -> CPUSeconds {
            CPUSeconds(database: after.database - before.database, server: after.server - before.server, client: after.client - before.client)
        }
    }

    static func makeOrganization(_ admin: PostgresConnection, slug: String) throws -> UUID {
        try admin.query("INSERT INTO core.organizations (slug, name) VALUES ($1, $1) RETURNING organization_id", [slug])[0]
            .decode(UUID.self, at: 0)
    }

    static func sendOverHTTP(_ data: Workload, key: String, options: Options) async throws -> Double {
        let bodies: [ByteBuffer] = stride(from: 0, to: data.count, by: options.batch).map { start in
            ByteBuffer(string: "[" + (start..<min(data.count, start + options.batch)).map(data.json).joined(separator: ",") + "]")
        }
        let client = HTTPClient(eventLoopGroupProvider: .singleton)
        let next = BatchCursor()
        let url = "http://127.0.0.1:\(options.port)/v1/events"
        let allAccepted = Array(",\"rejected\":0}".utf8.reversed())
        say("sending \(bodies.count) batches...")
        let started = ContinuousClock.now
        do {
            try await withThrowingTaskGroup(of: Void.self) { group in
                for _ in 0..<options.senders {
                    group.addTask {
                        while true {
                            let index = next.take()
                            guard index < bodies.count else { return }
                            var request = HTTPClientRequest(url: url)
                            request.method = .POST
                            request.headers.add(name: "Content-Type", value: "application/json")
                            request.headers.add(name: "Authorization", value: "Bearer \(key)")
                            request.body = .bytes(bodies[index])
                            let response = try await client.execute(request, timeout: .seconds(120))
                            let body = try await response.body.collect(upTo: 64 << 20)
                            // The answer's last bytes, without turning its tens of kilobytes into a string.
                            guard response.status == .ok, body.readableBytesView.reversed().starts(with: allAccepted) else {
                                throw BenchmarkError("batch \(index): HTTP \(response.status.code): \(String(buffer: body).prefix(300))")
                            }
                        }
                    }
                }
                try await group.waitForAll()
            }
        } catch {
            try await client.shutdown()
            throw error
        }
        let elapsed = seconds(since: started)
        try await client.shutdown()
        return elapsed
    }

    /// The same rows as tab-separated files, loaded with `psql \copy`, one table after another.
    static func loadWithCopy(_ tables: [(String, String, [String])], databaseURL: String) throws -> Double {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("ingest-benchmark-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        var commands: [String] = []
        for (table, columns, rows) in tables {
            let file = directory.appendingPathComponent("\(table).tsv")
            try rows.joined(separator: "\n").appending("\n").write(to: file, atomically: true, encoding: .utf8)
            commands.append("\\copy \(table) (\(columns)) FROM '\(file.path)'")
        }
        let started = ContinuousClock.now
        for command in commands {
            let psql = Process()
            psql.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            psql.arguments = ["psql", databaseURL, "-v", "ON_ERROR_STOP=1", "-q", "-c", command]
            try psql.run()
            psql.waitUntilExit()
            guard psql.terminationStatus == 0 else { throw BenchmarkError("psql failed: \(command)") }
        }
        return seconds(since: started)
    }
}

/// The generated facts: event i is a metrics observation, a visit or a touch, by i mod 10.
struct Workload: Sendable {
    let count: Int
    let start: Date

    enum Kind { case metrics, visit, touch }

    func kind(_ index: Int) -> Kind {
        switch index % 10 {
        case 0..<5: .metrics
        case 5..<8: .visit
        default: .touch
        }
    }

    /// `start` plus `index` seconds, as RFC 3339 (formatted by hand: a formatter per event is slow).
    func time(_ index: Int) -> String {
        let seconds = Int(start.timeIntervalSince1970) + index
        let rest = seconds % 86_400
        let (year, month, day) = CivilCalendar.civil(fromDays: Int64(seconds / 86_400))
        func two(_ value: Int) -> String { value < 10 ? "0\(value)" : "\(value)" }
        return "\(year)-\(two(Int(month)))-\(two(Int(day)))T\(two(rest / 3600)):\(two(rest / 60 % 60)):\(two(rest % 60))Z"
    }

    func landing(_ index: Int) -> String {
        "https://www.example.com/blog/post-\(index % 500)?utm_source=linkedin&utm_medium=employee_advocacy&utm_campaign=spring&utm_content=t\(index % 20_000)"
    }

    func json(_ index: Int) -> String {
        let envelope = #"{"id":"ev-\#(index)","occurred_at":"\#(time(index))","#
        switch kind(index) {
        case .metrics:
            return envelope + #""type":"post.metrics_observed","data":{"post_id":"p\#(index % 20_000)","impressions":\#(index % 5_000 + 100),"members_reached":\#(index % 5_000),"reactions":\#(index % 97),"comments":\#(index % 13),"reshares":\#(index % 7),"clicks":\#(index % 41)}}"#
        case .visit:
            return envelope + #""type":"web.visit","data":{"visitor":"v\#(index % 50_000)","landing_url":"\#(landing(index))"}}"#
        case .touch:
            return envelope + #""type":"audience.touched","data":{"member":"m\#(index % 30_000)","post_id":"p\#(index % 20_000)"}}"#
        }
    }

    /// What ingestion writes besides the facts: the ledger and each member's first touch (the same rows, so
    /// both loads end with the same tables).
    func derivedRows(organization: UUID) -> [(String, String, [String])] {
        let org = organization.uuidString.lowercased()
        var ledger: [String] = []
        var firstTouch: [Int: Int] = [:]  // member -> index of its first touch
        for index in 0..<count {
            let type: String
            switch kind(index) {
            case .metrics: type = "post.metrics_observed"
            case .visit: type = "web.visit"
            case .touch:
                type = "audience.touched"
                firstTouch[index % 30_000] = min(firstTouch[index % 30_000] ?? index, index)
            }
            ledger.append([org, "ev-\(index)", type, time(index)].joined(separator: "\t"))
        }
        let members = firstTouch.map { member, index in [org, hash(member), time(index)].joined(separator: "\t") }
        return [
            ("ingest.accepted_events", "organization_id, event_id, event_type, occurred_at", ledger),
            ("fact.audience_members", "organization_id, member_hash, first_touched_at", members),
        ]
    }

    func hash(_ index: Int) -> String {
        "\\\\x" + String(repeating: String(format: "%016llx", UInt64(index) &* 0x9E37_79B9_7F4A_7C15), count: 4)
    }

    func copyRows(organization: UUID) -> [(String, String, [String])] {
        var metrics: [String] = []
        var visits: [String] = []
        var touches: [String] = []
        let org = organization.uuidString.lowercased()
        for index in 0..<count {
            let hash = hash(index)
            switch kind(index) {
            case .metrics:
                metrics.append([org, "p\(index % 20_000)", time(index), "\(index % 5_000 + 100)", "\(index % 5_000)", "\(index % 97)",
                                "\(index % 13)", "\(index % 7)", "\(index % 41)"].joined(separator: "\t"))
            case .visit:
                visits.append([org, "ev-\(index)", time(index), hash, landing(index), "linkedin", "employee_advocacy", "spring",
                               "t\(index % 20_000)", "\\N", "main", "t"].joined(separator: "\t"))
            case .touch:
                touches.append([org, "ev-\(index)", hash, "p\(index % 20_000)", "\\N", time(index)].joined(separator: "\t"))
            }
        }
        return [
            ("fact.post_metric_observations",
             "organization_id, post_id, observed_at, impressions, members_reached, reactions, comments, reshares, clicks", metrics),
            ("fact.web_visits",
             "organization_id, visit_id, occurred_at, visitor_hash, landing_url, utm_source, utm_medium, utm_campaign, utm_content, utm_term, site_section, is_advocacy",
             visits),
            ("fact.audience_touches", "organization_id, touch_id, member_hash, post_id, ambassador_id, occurred_at", touches),
        ]
    }
}

