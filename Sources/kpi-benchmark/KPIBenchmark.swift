import Access
import AsyncHTTPClient
import BenchmarkSupport
import Foundation
import NIOCore
import Postgres

/// KPI read latency: each endpoint of the API over a 90-day and a 365-day period (p50, p95), against the
/// same KPIs computed by SQL straight from the raw fact tables in the same run, on the demo organisation
/// at each size asked for.
///
///     swift build -c release && DATABASE_URL=... .build/release/kpi-benchmark [--facts 1000000,10000000] [--requests 20]
///         [--read-database-url URL]   (reads also through a second server reading there, e.g. a standby: both timed,
///                                      interleaved, and the ratio printed)
@main
struct KPIBenchmark {
    static let endDate = "2026-06-30"

    static func main() async {
        do {
            try await run()
        } catch {
            FileHandle.standardError.write(Data("kpi-benchmark: \(error)\n".utf8))
            exit(1)
        }
    }

    static func run() async throws {
        var sizes = [1_000_000]
        var requests = 30
        var port = 18_081
        var reseed = true
        var rawSamples = 3
        var timePages = true
        var readURL: String?
        var iterator = CommandLine.arguments.dropFirst().makeIterator()
        while let flag = iterator.next() {
            guard let value = iterator.next() else { throw BenchmarkError("\(flag) needs a value") }
            switch flag {
            case "--facts": sizes = value.split(separator: ",").compactMap { Int($0) }
            case "--requests": requests = Int(value) ?? requests
            case "--port": port = Int(value) ?? port
            case "--reseed": reseed = value != "no"
            case "--raw-samples": rawSamples = max(0, Int(value) ?? rawSamples)
            case "--pages": timePages = value != "no"
            case "--read-database-url": readURL = value
            default:
                throw BenchmarkError("unknown option \(flag) (use --facts, --requests, --raw-samples (0: none), --port, --reseed yes|no, --pages yes|no)")
            }
        }
        guard let databaseURL = ProcessInfo.processInfo.environment["DATABASE_URL"] else {
            throw BenchmarkError("set DATABASE_URL (eval \"export $(Deploy/db start)\")")
        }
        let advocacy = Server.siblingBinary("advocacy")
        try Server.migrate(binary: advocacy, databaseURL: databaseURL)
        let admin = try PostgresConnection.connect(.init(conninfo: databaseURL))
        var targets: [Target] = []
        for facts in sizes {
            let slug = "bench-kpi-\(facts)"
            let seeded = try admin.query("SELECT count(*) FROM core.organizations WHERE slug = $1", [slug])[0].decode(Int.self, at: 0) > 0
            if reseed || !seeded {
                say("seeding \(slug) (\(facts) facts, year ending \(endDate))...")
                try seed(advocacy, facts: facts, slug: slug, databaseURL: databaseURL)
            }
            let organization = try admin.query("SELECT organization_id FROM core.organizations WHERE slug = $1", [slug])[0]
                .decode(UUID.self, at: 0)
            let key = try APIKeys.create(organization: organization, name: "kpi-benchmark", scopes: [.marketing, .hr], expiresAt: nil,
                                         actor: nil, on: admin).key
            targets.append(Target(facts: facts, organization: organization, key: key, reads: "primary", base: "http://127.0.0.1:\(port)"))
            if readURL != nil {
                targets.append(Target(facts: facts, organization: organization, key: key, reads: "read URL", base: "http://127.0.0.1:\(port + 1)"))
            }
        }

        // One server for every size, and the sizes' requests interleaved (1M, 10M, 1M, 10M...): a change in the
        // load of this shared machine then weighs on every size alike, and the growth compares like with like.
        // Every request is timed before any raw computation: a raw scan of millions of rows evicts the rollups
        // from the caches, and a request timed right after it would pay for that.
        let server = try await Server.start(binary: advocacy, databaseURL: databaseURL, port: port)
        defer { server.stop() }
        var reader: Server?
        if let readURL {
            reader = try await Server.start(binary: advocacy, databaseURL: databaseURL, port: port + 1, environment: ["READ_DATABASE_URL": readURL])
        }
        defer { reader?.stop() }
        var sessions: [String] = []
        for target in targets { sessions.append(try await signIn(base: target.base, key: target.key)) }
        say("latency over \(requests) requests after 2 warm-ups, the sizes' requests interleaved")
        let periods: [(days: Int, from: String)] = try [90, 365].map { (days: Int) in
            (days: days, from: try admin.query("SELECT ($1::date - $2::int + 1)::text", [endDate, days])[0].decode(String.self, at: 0))
        }
        // Samples per target, in the order printed.
        var api: [(name: String, days: Int, from: String, rawSQL: String, samples: [[Double]])] = []
        var pageTimes: [(page: String, days: Int, html: [[Double]], behind: [[Double]])] = []
        for (days, from) in periods {
            for (name, path, rawSQL) in endpoints(from: from) {
                api.append((name, days, from, rawSQL, try await timeHTTP(targets.map { ($0.base + path, $0.key, nil) }, requests: requests)))
            }
            for (page, behind) in timePages ? pages(from: from) : [] {
                let query = "from=\(from)&to=\(endDate)"
                pageTimes.append((
                    page, days,
                    try await timeHTTP(zip(targets, sessions).map { ("\($0.base)/dashboard/\(page)?\(query)", nil, $1) }, requests: requests),
                    try await timeHTTP(targets.map { ($0.base + behind, $0.key, nil) }, requests: requests)
                ))
            }
        }
        server.stop()
        reader?.stop()

        for (index, target) in targets.enumerated() {
            say("\(target.facts) facts, reads from the \(target.reads)")
            say("endpoint".padding(toLength: 44, withPad: " ", startingAt: 0) + "  days   API p50   API p95   raw SQL p50   raw / API")
            for timed in api {
                let samples = timed.samples[index]
                // The raw computation takes seconds at 10 million facts: a median of a few is enough for a ratio.
                // 0 samples: no raw timing (while tuning; the ratio then prints as nan).
                let raw = try timeSQL(admin, timed.rawSQL, [target.organization, timed.from, endDate], requests: rawSamples)
                say(String(format: "%@  %4d  %6.1f ms  %6.1f ms  %9.1f ms  %9.2f",
                           timed.name.padding(toLength: 44, withPad: " ", startingAt: 0), timed.days,
                           percentile(samples, 0.5) * 1000, percentile(samples, 0.95) * 1000, percentile(raw, 0.5) * 1000,
                           percentile(raw, 0.5) / percentile(samples, 0.5)))
            }
            if timePages {
                say("dashboard page".padding(toLength: 44, withPad: " ", startingAt: 0) + "  days  page p50  page p95   API p50 (behind)  page / API")
                for timed in pageTimes {
                    let (html, behind) = (timed.html[index], timed.behind[index])
                    say(String(format: "%@  %4d  %6.1f ms  %6.1f ms  %9.1f ms       %9.2f",
                               "/dashboard/\(timed.page)".padding(toLength: 44, withPad: " ", startingAt: 0), timed.days,
                               percentile(html, 0.5) * 1000, percentile(html, 0.95) * 1000, percentile(behind, 0.5) * 1000,
                               percentile(html, 0.5) / percentile(behind, 0.5)))
                }
            }
        }
        if readURL != nil {
            say("p50 through the read URL / p50 through the primary, same run:")
            let series = api.map { ("\($0.name) \($0.days)", $0.samples) } + pageTimes.map { ("page \($0.page) \($0.days)", $0.html) }
            for (key, samples) in series.sorted(by: { $0.0 < $1.0 }) {
                let ratios = stride(from: 0, to: targets.count, by: 2).map { index in
                    String(format: "%d facts x%.2f", targets[index].facts,
                           percentile(samples[index + 1], 0.5) / percentile(samples[index], 0.5))
                }
                say("  \(key)  " + ratios.joined(separator: ", "))
            }
        }
        if sizes.count > 1 {
            say("growth of p95 from \(sizes.first ?? 0) to \(sizes.last ?? 0) facts:")
            let series = api.map { ("\($0.name) \($0.days)", $0.samples) } + pageTimes.map { ("page \($0.page) \($0.days)", $0.html) }
            for (key, samples) in series.sorted(by: { $0.0 < $1.0 }) {
                say(String(format: "  %@  x%.2f", key, percentile(samples.last ?? [], 0.95) / percentile(samples.first ?? [], 0.95)))
            }
        }
    }

    struct Target {
        let facts: Int
        let organization: UUID
        let key: String
        /// Which database the server of `base` reads from.
        let reads: String
        let base: String
    }

    /// A dashboard session for `key` (the pages take a session cookie, never the key).
    static func signIn(base: String, key: String) async throws -> String {
        let client = HTTPClient(configuration: .init(redirectConfiguration: .disallow))
        defer { _ = client.shutdown() }
        var request = HTTPClientRequest(url: base + "/sign-in")
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/x-www-form-urlencoded")
        request.headers.add(name: "Origin", value: base)
        request.body = .bytes(ByteBuffer(string: "key=\(key)"))
        let response = try await client.execute(request, timeout: .seconds(30))
        guard let cookie = response.headers["Set-Cookie"].first, let value = cookie.split(separator: ";").first?.split(separator: "=", maxSplits: 1).last
        else { throw BenchmarkError("\(base)/sign-in: no session (HTTP \(response.status.code))") }
        return String(value)
    }

    /// The endpoints and, for each, the SQL that computes the same answer from the raw tables ($1 organisation,
    /// $2 from, $3 to): the raw KPI functions kept as the rollups' reference, for the period and the one before.
    static func endpoints(from: String) -> [(String, String, String)] {
        let period = "from=\(from)&to=\(endDate)"
        let rawSummary = """
            SELECT * FROM kpi.summary_raw($1, $2::date, $3::date)
            UNION ALL SELECT * FROM kpi.summary_raw($1, $2::date - ($3::date - $2::date + 1), $2::date - 1)
            """
        let rawSeries: [String: String] = [
            "programme": "SELECT count(*) FROM kpi.activity_series_raw($1, $2::date, $3::date, 'week')",
            "reach": "SELECT count(*) FROM kpi.value_series_raw($1, $2::date, $3::date, 'week')",
            "ssi": """
                SELECT count(*) FROM kpi.buckets($2::date, $3::date, 'week') AS b (bucket),
                       kpi.ssi_summary($1, least(b.bucket + 6, $3::date)) AS s
                """,
            "traffic": "SELECT count(*) FROM kpi.traffic_series_raw($1, $2::date, $3::date, 'week')",
            "leads": "SELECT count(*) FROM kpi.pipeline_series_raw($1, $2::date, $3::date, 'week')",
        ]
        let seriesOf = ["programme": "programme", "content": "programme", "ambassadors": "programme", "reach": "reach",
                        "ssi": "ssi", "traffic": "traffic", "emv": "reach", "leads": "leads", "candidates": "leads"]
        var result = [("GET /v1/kpis", "/v1/kpis?\(period)", rawSummary)]
        for family in ["programme", "content", "ambassadors", "reach", "ssi", "traffic", "emv", "leads", "candidates"] {
            let series = rawSeries[seriesOf[family] ?? ""] ?? ""
            result.append(("GET /v1/kpis/\(family)", "/v1/kpis/\(family)?\(period)",
                           "WITH kpis AS (\(rawSummary)) SELECT (SELECT count(*) FROM kpis), (\(series))"))
        }
        return result
    }

    /// Each dashboard page and the API call whose answer it draws most from.
    static func pages(from: String) -> [(String, String)] {
        let period = "from=\(from)&to=\(endDate)"
        return [
            ("overview", "/v1/kpis?\(period)"), ("programme", "/v1/kpis/programme?\(period)"),
            ("content", "/v1/leaderboards/content?\(period)"), ("ssi", "/v1/ssi?date=\(endDate)&improved_since=\(from)"),
            ("results", "/v1/kpis/traffic?\(period)"), ("hr", "/v1/kpis/candidates?\(period)"),
        ]
    }

    static func seed(_ advocacy: URL, facts: Int, slug: String, databaseURL: String) throws {
        try Server.command(advocacy, ["seed-demo", "--facts", "\(facts)", "--slug", slug, "--end-date", endDate], databaseURL: databaseURL)
    }

    /// Latencies of `requests` GETs of each target after 2 warm-ups, one request of each target in turn; each
    /// target is a URL with the key as a bearer token or as the dashboards' cookie.
    static func timeHTTP(_ targets: [(url: String, key: String?, cookie: String?)], requests: Int) async throws -> [[Double]] {
        var samples = Array(repeating: [Double](), count: targets.count)
        for attempt in 0..<(requests + 2) {
            for (index, target) in targets.enumerated() {
                var request = HTTPClientRequest(url: target.url)
                if let key = target.key { request.headers.add(name: "Authorization", value: "Bearer \(key)") }
                if let cookie = target.cookie { request.headers.add(name: "Cookie", value: "advocacy_session=\(cookie)") }
                let started = ContinuousClock.now
                let response = try await HTTPClient.shared.execute(request, timeout: .seconds(120))
                _ = try await response.body.collect(upTo: 64 << 20)
                guard response.status == .ok else { throw BenchmarkError("\(target.url): HTTP \(response.status.code)") }
                if attempt >= 2 { samples[index].append(seconds(since: started)) }
            }
        }
        return samples
    }

    static func timeSQL(_ connection: PostgresConnection, _ sql: String, _ parameters: [(any PostgresEncodable)?], requests: Int) throws -> [Double] {
        var samples: [Double] = []
        for _ in 0..<requests {
            let started = ContinuousClock.now
            _ = try connection.query(sql, parameters)
            samples.append(seconds(since: started))
        }
        return samples
    }
}
