import Access
import AsyncHTTPClient
import BenchmarkSupport
import Foundation
import NIOCore
import Postgres

/// KPI read latency: each endpoint of the API over a 90-day and a 365-day period (p50, p95), against the
/// same KPIs computed by SQL straight from the raw fact tables in the same run, on the demo organisation
/// at each size asked for; then every view that takes a filter, with one filter of each kind and a team with a
/// network, and the post breakdown by each dimension.
///
///     swift build -c release && DATABASE_URL=... .build/release/kpi-benchmark [--facts 1000000,10000000] [--requests 20]
///         [--filtered yes|no|only]    (the filtered views too (default), not, or only them)
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
        var filtered = "yes"
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
            case "--filtered":
                guard ["yes", "no", "only"].contains(value) else { throw BenchmarkError("--filtered takes yes, no or only") }
                filtered = value
            default:
                throw BenchmarkError(
                    "unknown option \(flag) (use --facts, --requests, --raw-samples (0: none), --port, --reseed yes|no, --pages yes|no, --filtered yes|no|only)"
                )
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
        var api: [(name: String, days: Int, from: String, rawSQL: String, rawParameters: [String?], samples: [[Double]])] = []
        var pageTimes: [(page: String, days: Int, html: [[Double]], behind: [[Double]])] = []
        if filtered != "no" { try FilterValues.check(targets.map(\.organization), on: admin) }
        for (days, from) in periods {
            let timed = (filtered == "only" ? [] : endpoints(from: from)) + (filtered == "no" ? [] : filteredEndpoints(from: from))
            for endpoint in timed {
                api.append((endpoint.name, days, from, endpoint.rawSQL, endpoint.rawParameters,
                            try await timeHTTP(targets.map { ($0.base + endpoint.path, $0.key, nil) }, requests: requests)))
            }
            let timedPages = (filtered == "only" ? [] : pages(from: from)) + (filtered == "no" ? [] : filteredPages(from: from))
            for (page, behind) in timePages ? timedPages : [] {
                let query = "from=\(from)&to=\(endDate)"
                let path = page.contains("?") ? "\(page)&\(query)" : "\(page)?\(query)"
                pageTimes.append((
                    page, days,
                    try await timeHTTP(zip(targets, sessions).map { ("\($0.base)/dashboard/\(path)", nil, $1) }, requests: requests),
                    try await timeHTTP(targets.map { ($0.base + behind, $0.key, nil) }, requests: requests)
                ))
            }
        }
        server.stop()
        reader?.stop()

        for (index, target) in targets.enumerated() {
            say("\(target.facts) facts, reads from the \(target.reads)")
            say("endpoint".padding(toLength: 72, withPad: " ", startingAt: 0) + "  days   API p50   API p95   raw SQL p50   raw / API")
            for timed in api {
                let samples = timed.samples[index]
                // The raw computation takes seconds at 10 million facts: a median of a few is enough for a ratio.
                // 0 samples: no raw timing (while tuning; the ratio then prints as nan).
                let raw = try timeSQL(admin, timed.rawSQL, [target.organization, timed.from, endDate] + timed.rawParameters.map { $0 as (any PostgresEncodable)? }, requests: rawSamples)
                say(String(format: "%@  %4d  %6.1f ms  %6.1f ms  %9.1f ms  %9.2f",
                           timed.name.padding(toLength: 72, withPad: " ", startingAt: 0), timed.days,
                           percentile(samples, 0.5) * 1000, percentile(samples, 0.95) * 1000, percentile(raw, 0.5) * 1000,
                           percentile(raw, 0.5) / percentile(samples, 0.5)))
            }
            if timePages {
                say("dashboard page".padding(toLength: 72, withPad: " ", startingAt: 0) + "  days  page p50  page p95   API p50 (behind)  page / API")
                for timed in pageTimes {
                    let (html, behind) = (timed.html[index], timed.behind[index])
                    say(String(format: "%@  %4d  %6.1f ms  %6.1f ms  %9.1f ms       %9.2f",
                               "/dashboard/\(timed.page)".padding(toLength: 72, withPad: " ", startingAt: 0), timed.days,
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
    static func endpoints(from: String) -> [Endpoint] {
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
        var result = [Endpoint(name: "GET /v1/kpis", path: "/v1/kpis?\(period)", rawSQL: rawSummary)]
        for family in ["programme", "content", "ambassadors", "reach", "ssi", "traffic", "emv", "leads", "candidates"] {
            let series = rawSeries[seriesOf[family] ?? ""] ?? ""
            result.append(Endpoint(name: "GET /v1/kpis/\(family)", path: "/v1/kpis/\(family)?\(period)",
                                   rawSQL: "WITH kpis AS (\(rawSummary)) SELECT (SELECT count(*) FROM kpis), (\(series))"))
        }
        return result
    }

    /// An endpoint, its path, and the SQL computing its answer from the facts ($1 organisation, $2 from, $3 to,
    /// then `rawParameters`).
    struct Endpoint {
        let name: String
        let path: String
        let rawSQL: String
        var rawParameters: [String?] = []
    }

    /// Every list that takes a filter, with each filter of `FilterValues.sets`, and the post breakdown by each
    /// dimension; the raw computation of each is its `_raw` function with the same filters ($4 to $8).
    static func filteredEndpoints(from: String) -> [Endpoint] {
        let period = "from=\(from)&to=\(endDate)"
        let lists: [(name: String, path: String, raw: String)] = [
            ("ambassador leaderboard", "/v1/leaderboards/ambassadors", "kpi.ambassador_leaderboard_raw($1, $2::date, $3::date, 'posts', $4, $5, $6, $7, $8)"),
            ("content leaderboard", "/v1/leaderboards/content", "kpi.content_ranking($1, $2::date, $3::date, 'shares', $4, $5, $6, $7, $8, false, NULL, 0)"),
            ("activity series", "/v1/series/activity", "kpi.activity_series_raw($1, $2::date, $3::date, 'week', $4, $5, $6, $7, $8)"),
            ("traffic series", "/v1/series/traffic", "kpi.traffic_series_raw($1, $2::date, $3::date, 'week', $4, $5, $6, $7, $8)"),
            ("post breakdown by team", "/v1/breakdowns/posts", "kpi.post_breakdown_raw($1, $2::date, $3::date, 'team', $4, $5, $6, $7, $8)"),
        ]
        var result: [Endpoint] = []
        for (label, filters) in FilterValues.sets {
            for list in lists {
                result.append(Endpoint(name: "\(list.name), \(label)", path: "\(list.path)?\(period)&\(FilterValues.query(filters))",
                                       rawSQL: "SELECT count(*) FROM \(list.raw)", rawParameters: FilterValues.parameters(filters)))
            }
        }
        for dimension in ["team", "department", "region", "network", "campaign"] {
            result.append(Endpoint(name: "post breakdown by \(dimension)", path: "/v1/breakdowns/posts?\(period)&by=\(dimension)",
                                   rawSQL: "SELECT count(*) FROM kpi.post_breakdown_raw($1, $2::date, $3::date, $4)", rawParameters: [dimension]))
        }
        return result
    }

    /// The pages that take filters, with each filter they take, and the API call behind each.
    static func filteredPages(from: String) -> [(String, String)] {
        let period = "from=\(from)&to=\(endDate)"
        var result: [(String, String)] = []
        for (label, filters) in FilterValues.sets {
            let query = FilterValues.query(filters)
            result.append(("programme?\(query)", "/v1/series/activity?\(period)&\(query)"))
            result.append(("content?\(query)", "/v1/leaderboards/content?\(period)&\(query)"))
            if label == "team" { result.append(("ssi?\(query)", "/v1/ssi?date=\(endDate)&improved_since=\(from)&\(query)")) }
            if Set(filters.map(\.0)).isSubset(of: ["network", "campaign"]) {
                result.append(("results?\(query)", "/v1/series/traffic?\(period)&\(query)"))
            }
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

    /// Seeds the organisation and builds its year of rollups, printing the time of each.
    static func seed(_ advocacy: URL, facts: Int, slug: String, databaseURL: String) throws {
        let printed = try Server.command(advocacy, ["seed-demo", "--facts", "\(facts)", "--slug", slug, "--end-date", endDate], databaseURL: databaseURL)
        for line in printed.split(separator: "\n") where line.hasPrefix("demo organisation") || line.hasPrefix("rollups:") {
            say("  \(line)")
        }
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

/// The filter values timed: the demo plan's names, the same at every size (checked before timing).
enum FilterValues {
    static let team = "Brand"
    static let department = "Sales"
    static let region = "EMEA"
    static let network = "linkedin"
    static let campaign = "spring-launch"

    /// One filter of each kind, and a team with a network.
    static let sets: [(String, [(String, String)])] = [
        ("team", [("team", team)]), ("department", [("department", department)]), ("region", [("region", region)]),
        ("network", [("network", network)]), ("campaign", [("campaign", campaign)]),
        ("team and network", [("team", team), ("network", network)]),
    ]

    static func query(_ filters: [(String, String)]) -> String {
        filters.map { "\($0)=\($1.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? $1)" }.joined(separator: "&")
    }

    /// The raw functions' filter parameters: team, department, region, network, campaign.
    static func parameters(_ filters: [(String, String)]) -> [String?] {
        ["team", "department", "region", "network", "campaign"].map { name in filters.first { $0.0 == name }?.1 }
    }

    /// Refuses to time a filter that selects nothing at some size: its time would say nothing.
    static func check(_ organizations: [UUID], on connection: PostgresConnection) throws {
        for organization in organizations {
            let found = try connection.query(
                """
                SELECT (SELECT count(*) FROM core.ambassadors WHERE organization_id = $1 AND team = $2),
                       (SELECT count(*) FROM core.ambassadors WHERE organization_id = $1 AND department = $3),
                       (SELECT count(*) FROM core.ambassadors WHERE organization_id = $1 AND region = $4),
                       (SELECT count(*) FROM core.content_items WHERE organization_id = $1 AND campaign = $5)
                """,
                [organization, team, department, region, campaign]
            )[0]
            for (index, name) in ["team \(team)", "department \(department)", "region \(region)", "campaign \(campaign)"].enumerated()
            where try found.decode(Int.self, at: index) == 0 {
                throw BenchmarkError("organisation \(organization) has no \(name): seed it again (--reseed yes)")
            }
        }
    }
}
