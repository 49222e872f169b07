import Access
import Foundation
import Logging
import Postgres
import Vocabulary

/// Loads a realistic, deterministic demo organisation in one transaction: the same plan gives the same rows,
/// and a failed load leaves nothing behind. An existing organisation with the plan's slug is replaced. Rows are
/// staged through COPY, then stored by the `ingest.*` functions that store ingested events, so demo data goes
/// through the same row rules (newest fact wins, site sections, first touches) and the same pseudonym function.
public struct DemoSeeder: Sendable {
    public let plan: DemoPlan
    private let logger: Logger

    public init(plan: DemoPlan, logger: Logger) {
        self.plan = plan
        self.logger = logger
    }

    /// - Parameter progress: called with (rows written, rows expected) as the load goes.
    public func run(on pool: ConnectionPool, progress: @escaping @Sendable (Int, Int) -> Void) async throws -> DemoSummary {
        let plan = self.plan
        return try await pool.withConnection { connection in
            // A large load must not be cut by the service's statement timeout.
            try connection.transaction { connection in
                try connection.query("SELECT set_config('statement_timeout', '0', true)")
                var load = DemoLoad(plan: plan, connection: connection, progress: progress)
                return try load.run()
            }
        }
    }
}

/// One load in progress: the generator state and the tables written so far.
struct DemoLoad {
    let plan: DemoPlan
    let connection: PostgresConnection
    let progress: @Sendable (Int, Int) -> Void
    var random: SplitMix64
    var written = 0
    var rows: [(table: String, count: Int)] = []
    var organization = UUID()

    // Generated entities that later tables refer to.
    var ambassadors: [Ambassador] = []
    var ambassadorWeights: [Double] = []  // cumulative activity, for weighted picks
    var contents: [Content] = []
    var posts = Posts()

    let day: Int64 = 86_400_000_000  // microseconds
    let start: Int64
    let end: Int64

    init(plan: DemoPlan, connection: PostgresConnection, progress: @escaping @Sendable (Int, Int) -> Void) {
        self.plan = plan
        self.connection = connection
        self.progress = progress
        self.random = SplitMix64(seed: plan.seed)
        self.end = Int64(plan.endDate.timeIntervalSince1970 * 1_000_000) + 86_400_000_000 - 1
        self.start = end + 1 - 365 * 86_400_000_000
    }

    struct Ambassador {
        let id: String
        let enrolled: Int64
        let left: Int64?
        let linkedinConnections: Int
        let xFollowers: Int?
        let ssiBase: Double
        let ssiTrend: Double
        let pillarWeights: [Double]
    }

    struct Content {
        let id: String
        let created: Int64
        let campaign: String
        let url: String
    }

    /// Posts as columns: millions of them must stay cheap.
    struct Posts {
        var time: [Int64] = []
        var ambassador: [Int32] = []
        var network: [UInt8] = []
        var content: [Int32] = []  // -1: own post
        var id: [String] = []
        var token: [String] = []
    }

    static let networks = Network.names
    static let host = "www.demo-corp.example"

    /// The event id and time of a fact that describes one thing (a post, a lead...): the seeder's rows hold
    /// none ('' and -infinity), so that any event about the same thing wins over them.
    static let described: [(name: String, type: String)] = [("event_id", "text"), ("occurred", "timestamptz")]

    func describe(_ writer: CopyWriter) throws {
        try writer.add("")
        try writer.add("-infinity")
    }
    static let teams: [(team: String, department: String, region: String)] = [
        ("Enterprise Sales", "Sales", "EMEA"), ("SMB Sales", "Sales", "EMEA"), ("Sales Americas", "Sales", "Americas"),
        ("Sales APAC", "Sales", "APAC"), ("Brand", "Marketing", "EMEA"), ("Demand Generation", "Marketing", "Americas"),
        ("Product Marketing", "Marketing", "EMEA"), ("Platform Engineering", "Engineering", "EMEA"),
        ("Data Engineering", "Engineering", "Americas"), ("Talent Acquisition", "HR", "EMEA"),
        ("Customer Success", "Services", "APAC"), ("Consulting", "Services", "Americas"),
    ]
    static let topics = ["product", "culture", "customer story", "hiring", "thought leadership", "event", "research", "csr"]
    static let campaigns = [
        "spring-launch", "summer-hiring", "autumn-summit", "year-end-report", "customer-week", "always-on",
        "webinar-series", "new-office", "sustainability", "product-tour",
    ]

    func date(_ micros: Int64) -> Date { Date(timeIntervalSince1970: Double(micros) / 1_000_000) }

    /// A time in [from, to], denser towards `to` when `growth` > 1 (adoption grows over the year).
    mutating func time(from: Int64, to: Int64, growth: Double = 1) -> Int64 {
        guard to > from else { return from }
        let u = growth == 1 ? random.unit() : Foundation.pow(random.unit(), 1 / growth)
        return from + Int64(Double(to - from) * u)
    }

    /// Stages the rows `body` writes (COPY into a temporary table with one column per argument of `function`
    /// after the organisation), then stores them with `function`, `chunk` rows a call. `table` is the table
    /// they end in, for the summary.
    mutating func ingest(
        _ table: String, through function: String, _ columns: [(name: String, type: String)],
        _ body: (inout DemoLoad, CopyWriter) throws -> Void
    ) throws {
        let definition = columns.map { "\($0.name) \($0.type)" }.joined(separator: ", ")
        try connection.execute("CREATE TEMPORARY TABLE demo_staged (n bigint GENERATED ALWAYS AS IDENTITY, \(definition)) ON COMMIT DROP")
        try copy(table, into: "demo_staged", columns.map(\.name).joined(separator: ", "), body)
        let arrays = columns.map { "array_agg(s.\($0.name) ORDER BY s.n)" }.joined(separator: ", ")
        try connection.query(
            "SELECT \(function)($1, \(arrays)) FROM demo_staged AS s GROUP BY (s.n - 1) / $2", [organization, Self.chunk]
        )
        try connection.execute("DROP TABLE demo_staged")
    }

    /// Rows per call of an ingest function: a large batch, as a backfill sends them.
    static let chunk = 20_000

    mutating func copy(
        _ table: String, into target: String, _ columns: String, _ body: (inout DemoLoad, CopyWriter) throws -> Void
    ) throws {
        var written = 0
        var this = self
        let (base, total, progress) = (self.written, plan.estimatedRows, self.progress)
        try connection.copyIn("COPY \(target) (\(columns)) FROM STDIN") { writer in
            writer.onChunkSent = { rows in progress(base + rows, max(base + rows, total)) }
            try body(&this, writer)
            written = writer.rowCount
        }
        self = this
        self.written += written
        rows.append((table, written))
        progress(self.written, max(self.written, plan.estimatedRows))
    }

    mutating func run() throws -> DemoSummary {
        try Organizations.delete(slug: plan.slug, on: connection)
        organization = try Organizations.create(
            .init(slug: plan.slug, name: plan.name, currency: "EUR", timeZone: "Europe/Paris", careersPath: "/careers"), on: connection
        )
        try loadAmbassadors()
        try loadContent()
        try loadPosts()
        try loadMetrics()
        try loadAudience()
        try loadSSI()
        try loadVisits()
        try loadLeads()
        try loadApplications()
        try loadCostsAndRates()
        try connection.execute("ANALYZE")
        return DemoSummary(organizationID: organization, rows: rows)
    }

    mutating func loadAmbassadors() throws {
        for index in 0..<plan.ambassadors {
            let enrolled = random.chance(0.7)
                ? start - Int64(random.int(1...365)) * day
                : time(from: start, to: end - 30 * day)
            let left: Int64? = random.chance(0.08) ? time(from: enrolled + 30 * day, to: end) : nil
            let base = min(92, max(15, random.normal(mean: 55, deviation: 12)))
            ambassadors.append(
                Ambassador(
                    id: String(format: "amb-%05d", index + 1),
                    enrolled: enrolled,
                    left: left.flatMap { $0 < end ? $0 : nil },
                    linkedinConnections: Int(random.logNormal(median: 600, spread: 0.7)),
                    xFollowers: random.chance(0.3) ? Int(random.logNormal(median: 300, spread: 1)) : nil,
                    ssiBase: base,
                    ssiTrend: random.normal(mean: 0.12, deviation: 0.2),
                    pillarWeights: (0..<4).map { _ in 0.8 + random.unit() * 0.4 }
                )
            )
            let activity = random.logNormal(median: 1, spread: 0.9)
            ambassadorWeights.append((ambassadorWeights.last ?? 0) + activity)
        }
        // Each ambassador's enrolment (with their attributes and network sizes) and, for some, their leaving.
        try ingest("core.ambassador_events", through: "ingest.record_ambassador_events", [
            ("event_id", "text"), ("ambassador_id", "text"), ("kind", "text"), ("occurred", "timestamptz"), ("effective", "timestamptz"),
            ("attributes", "jsonb"),
        ]) { load, writer in
            for (index, ambassador) in load.ambassadors.enumerated() {
                let team = Self.teams[index % Self.teams.count]
                var attributes: [String: Any] = [
                    "display_name": "Ambassador \(index + 1)", "team": team.team, "department": team.department, "region": team.region,
                    "networks.linkedin": ambassador.linkedinConnections,
                ]
                if let followers = ambassador.xFollowers { attributes["networks.x"] = followers }
                let json = try JSONSerialization.data(withJSONObject: attributes, options: [.sortedKeys])
                try writer.add("enrolled-\(ambassador.id)")
                try writer.add(ambassador.id)
                try writer.add("enrolled")
                try writer.add(load.date(ambassador.enrolled))
                try writer.add(load.date(ambassador.enrolled))
                try writer.add(String(decoding: json, as: UTF8.self))
                try writer.endRow()
                if let left = ambassador.left {
                    try writer.add("left-\(ambassador.id)")
                    try writer.add(ambassador.id)
                    try writer.add("left")
                    try writer.add(load.date(left))
                    try writer.add(load.date(left))
                    try writer.add("{}")
                    try writer.endRow()
                }
            }
        }
    }

    mutating func loadContent() throws {
        let spacing = (end - start + 60 * day) / Int64(plan.contentItems)
        for index in 0..<plan.contentItems {
            let slug = String(format: "content-%04d", index + 1)
            contents.append(
                Content(
                    id: slug,
                    created: start - 60 * day + Int64(index) * spacing,
                    campaign: random.pick(Self.campaigns),
                    url: "https://www.demo-corp.example/blog/\(slug)"
                )
            )
        }
        try ingest("core.content_items", through: "ingest.upsert_content_items", Self.described + [
            ("content_id", "text"), ("title", "text"), ("url", "text"), ("topic", "text"), ("campaign", "text"), ("created", "timestamptz"),
        ]) { load, writer in
            for (index, content) in load.contents.enumerated() {
                let topic = Self.topics[index % Self.topics.count]
                try load.describe(writer)
                try writer.add(content.id)
                try writer.add("\(topic.capitalized) #\(index + 1)")
                try writer.add(content.url)
                try writer.add(topic)
                try writer.add(content.campaign)
                try writer.add(load.date(content.created))
                try writer.endRow()
            }
        }
    }

    mutating func pickAmbassador() -> Int {
        let target = random.unit() * (ambassadorWeights.last ?? 0)
        var low = 0
        var high = ambassadorWeights.count - 1
        while low < high {
            let middle = (low + high) / 2
            if ambassadorWeights[middle] <= target { low = middle + 1 } else { high = middle }
        }
        return low
    }

    mutating func loadPosts() throws {
        let networkWeights: [(UInt8, Double)] = [(0, 75), (1, 10), (2, 6), (3, 4), (4, 3), (5, 2)]
        for index in 0..<plan.posts {
            let ambassadorIndex = pickAmbassador()
            let ambassador = ambassadors[ambassadorIndex]
            let from = max(start, ambassador.enrolled)
            let to = min(end, ambassador.left ?? end)
            let posted = time(from: from, to: to, growth: 1.6)
            // Recent content is shared most: pick among items created before the post, skewed to the newest.
            let available = contents.lastIndex { $0.created <= posted } ?? -1
            var content: Int32 = -1
            if available >= 0, random.chance(0.8) {
                content = Int32(available - Int(Double(available) * Foundation.pow(random.unit(), 3)))
            }
            posts.time.append(posted)
            posts.ambassador.append(Int32(ambassadorIndex))
            posts.network.append(random.pick(networkWeights))
            posts.content.append(content)
            posts.id.append("post-\(index + 1)")
            posts.token.append("p" + String(index + 1, radix: 36))
        }
        try ingest("fact.posts", through: "ingest.upsert_posts", Self.described + [
            ("post_id", "text"), ("ambassador_id", "text"), ("network", "text"), ("content_id", "text"), ("posted", "timestamptz"),
            ("tracked_url", "text"), ("utm_token", "text"),
        ]) { load, writer in
            for index in load.posts.id.indices {
                let network = Self.networks[Int(load.posts.network[index])]
                let contentIndex = Int(load.posts.content[index])
                let content = contentIndex >= 0 ? load.contents[contentIndex] : nil
                try load.describe(writer)
                try writer.add(load.posts.id[index])
                try writer.add(load.ambassadors[Int(load.posts.ambassador[index])].id)
                try writer.add(network)
                try writer.add(content?.id)
                try writer.add(load.date(load.posts.time[index]))
                try writer.add(
                    content.map {
                        "\($0.url)?utm_medium=employee_advocacy&utm_source=\(network)"
                            + "&utm_campaign=\($0.campaign)&utm_content=\(load.posts.token[index])"
                    }
                )
                try writer.add(content == nil ? nil : load.posts.token[index])
                try writer.endRow()
            }
        }
    }

    mutating func loadMetrics() throws {
        // Cumulative counters observed 2 hours to 4 weeks after posting; each observation is larger.
        let checkpoints: [(offset: Int64, share: Double)] = [
            (2 * 3_600_000_000, 0.25), (day, 0.6), (3 * day, 0.85), (7 * day, 0.95), (28 * day, 1),
        ]
        let bandReach: [Double] = [0.75, 0.75, 1, 1.25, 1.5]  // seed 001: reach by SSI band
        try ingest("fact.post_metric_observations", through: "ingest.upsert_post_metrics", Self.described + [
            ("post_id", "text"), ("observed", "timestamptz"), ("impressions", "bigint"), ("members_reached", "bigint"),
            ("reactions", "bigint"), ("comments", "bigint"), ("reshares", "bigint"), ("clicks", "bigint"), ("saves", "bigint"),
            ("sends", "bigint"), ("followers_gained", "bigint"),
        ]) { load, writer in
            for index in load.posts.id.indices {
                let ambassador = load.ambassadors[Int(load.posts.ambassador[index])]
                let network = Int(load.posts.network[index])
                let audience = network == 1 ? (ambassador.xFollowers ?? 150) : ambassador.linkedinConnections
                let band = min(4, max(0, Int((ambassador.ssiBase - 30) / 15)))
                let finalImpressions = Double(audience) * bandReach[band] * load.random.logNormal(median: 0.6, spread: 0.8)
                let reactionRate = load.random.logNormal(median: 0.015, spread: 0.5)
                let clickRate = load.random.logNormal(median: 0.008, spread: 0.6)
                for checkpoint in checkpoints {
                    let observed = load.posts.time[index] + checkpoint.offset
                    guard observed <= load.end else { break }
                    let impressions = Int(finalImpressions * checkpoint.share)
                    let reactions = Int(Double(impressions) * reactionRate)
                    try load.describe(writer)
                    try writer.add(load.posts.id[index])
                    try writer.add(load.date(observed))
                    writer.add(impressions)
                    writer.add(Int(Double(impressions) * 0.72))
                    writer.add(reactions)
                    writer.add(reactions / 8)
                    writer.add(reactions / 16)
                    writer.add(Int(Double(impressions) * clickRate))
                    writer.add(reactions / 20)
                    try writer.add(nil as String?)
                    try writer.add(nil as String?)
                    try writer.endRow()
                }
            }
        }
    }

    mutating func loadAudience() throws {
        let members = max(1, plan.touches / 3)
        try ingest("fact.audience_touches", through: "ingest.insert_audience_touches", [
            ("event_id", "text"), ("member", "text"), ("post_id", "text"), ("ambassador_id", "text"), ("touched", "timestamptz"),
        ]) { load, writer in
            guard !load.posts.id.isEmpty else { return }
            for index in 0..<load.plan.touches {
                let post = load.random.int(0...(load.posts.id.count - 1))
                let member = Int(Double(members) * Foundation.pow(load.random.unit(), 1.5))
                let delay = Int64(load.random.logNormal(median: 6, spread: 1) * 3_600_000_000)
                try writer.add("touch-\(index + 1)")
                try writer.add("member-\(member)")
                try writer.add(load.posts.id[post])
                try writer.add(load.ambassadors[Int(load.posts.ambassador[post])].id)
                try writer.add(load.date(min(load.end, load.posts.time[post] + delay)))
                try writer.endRow()
            }
        }
    }

    mutating func loadSSI() throws {
        try ingest("fact.ssi_snapshots", through: "ingest.upsert_ssi_snapshots", [
            ("event_id", "text"), ("occurred", "timestamptz"), ("ambassador_id", "text"), ("day", "date"), ("brand", "numeric"),
            ("people", "numeric"), ("insights", "numeric"), ("relationships", "numeric"), ("total", "numeric"),
            ("industry_rank", "numeric"), ("network_rank", "numeric"), ("industry_average", "numeric"), ("network_average", "numeric"),
        ]) { load, writer in
            for ambassador in load.ambassadors {
                let first = max(load.start, ambassador.enrolled + 7 * load.day) / load.day
                let last = min(load.end, ambassador.left ?? load.end) / load.day
                var week = 0
                var dayNumber = first
                while dayNumber <= last {
                    let score = min(98, max(5, ambassador.ssiBase + ambassador.ssiTrend * Double(week) + load.random.normal(deviation: 1.2)))
                    let weightSum = ambassador.pillarWeights.reduce(0, +)
                    // Pillars in hundredths, each at most 25.00; the total is their exact sum.
                    let pillars = ambassador.pillarWeights.map { min(2_500, Int((score * $0 / weightSum * 100).rounded())) }
                    let total = pillars.reduce(0, +)
                    let snapshotDate = load.date(dayNumber * load.day)
                    try writer.add("ssi-\(ambassador.id)-\(dayNumber)")
                    try writer.add(load.date(dayNumber * load.day + 6 * 3_600_000_000))
                    try writer.add(ambassador.id)
                    try writer.add(String(snapshotDate.postgresText.prefix(10)))
                    for pillar in pillars { try writer.add(Self.hundredths(pillar)) }
                    try writer.add(Self.hundredths(total))
                    try writer.add(Self.hundredths(max(100, min(10_000, (10_000 - total) * 11 / 10))))
                    try writer.add(Self.hundredths(max(100, min(10_000, (10_000 - total) * 8 / 10))))
                    try writer.add("48.50")
                    try writer.add("52.10")
                    try writer.endRow()
                    week += 1
                    dayNumber += 7
                }
            }
        }
    }

    static func hundredths(_ value: Int) -> String {
        let cents = value % 100
        return "\(value / 100).\(cents < 10 ? "0" : "")\(cents)"
    }

    mutating func loadVisits() throws {
        let visitors = max(1, plan.visits / 2)
        let others: [((medium: String?, source: String?), Double)] = [
            ((nil, nil), 40), (("cpc", "google"), 30), (("email", "newsletter"), 20), (("social", "linkedin"), 10),
        ]
        try ingest("fact.web_visits", through: "ingest.upsert_web_visits", [
            ("event_id", "text"), ("occurred", "timestamptz"), ("visit_id", "text"), ("visitor", "text"), ("landing_url", "text"),
            ("host", "text"), ("path", "text"), ("source", "text"), ("medium", "text"), ("campaign", "text"), ("content", "text"),
            ("term", "text"), ("advocacy", "boolean"),
        ]) { load, writer in
            for index in 0..<load.plan.visits {
                let careers = load.random.chance(0.12)
                let path = careers ? "/careers/jobs/job-\(load.random.int(1...40))" : "/blog/content-\(load.random.int(1...load.plan.contentItems))"
                var occurred: Int64
                var source: String?
                var medium: String?
                var campaign: String?
                var token: String?
                if load.random.chance(0.3), !load.posts.id.isEmpty {
                    let post = load.random.int(0...(load.posts.id.count - 1))
                    occurred = load.posts.time[post] + Int64(load.random.logNormal(median: 12, spread: 1) * 3_600_000_000)
                    source = Self.networks[Int(load.posts.network[post])]
                    medium = "employee_advocacy"
                    let content = Int(load.posts.content[post])
                    campaign = content >= 0 ? load.contents[content].campaign : "own-posts"
                    // A few links lose their token on the way (shortened, edited): still advocacy traffic.
                    token = load.random.chance(0.03) ? "unknown\(index)" : load.posts.token[post]
                } else {
                    occurred = load.time(from: load.start, to: load.end, growth: 1.2)
                    let channel = load.random.pick(others)
                    medium = channel.medium
                    source = channel.source
                    campaign = medium == nil ? nil : load.random.pick(Self.campaigns)
                }
                occurred = min(occurred, load.end)
                var query: [String] = []
                if let source { query.append("utm_source=\(source)") }
                if let medium { query.append("utm_medium=\(medium)") }
                if let campaign { query.append("utm_campaign=\(campaign)") }
                if let token { query.append("utm_content=\(token)") }
                let url = "https://\(Self.host)\(path)" + (query.isEmpty ? "" : "?" + query.joined(separator: "&"))
                let visit = "visit-\(index + 1)"
                try writer.add(visit)
                try writer.add(load.date(occurred))
                try writer.add(visit)
                try writer.add("visitor-\(Int(Double(visitors) * Foundation.pow(load.random.unit(), 1.3)))")
                try writer.add(url)
                try writer.add(Self.host)
                try writer.add(path)
                try writer.add(source)
                try writer.add(medium)
                try writer.add(campaign)
                try writer.add(token)
                try writer.add(nil as String?)
                try writer.add(medium == Channel.employeeAdvocacy.rawValue)
                try writer.endRow()
            }
        }
    }

    mutating func loadLeads() throws {
        let channels: [(String, Double)] = [
            ("employee_advocacy", 12), ("paid", 30), ("organic", 25), ("email", 15), ("event", 10), ("referral", 5),
            ("other", 3),
        ]
        var changes: [(id: String, lead: String, stage: String, at: Int64, amount: String?)] = []
        try ingest("fact.leads", through: "ingest.upsert_leads", Self.described + [
            ("lead_id", "text"), ("created", "timestamptz"), ("channel", "text"), ("ambassador_id", "text"), ("post_id", "text"),
            ("estimated_value", "numeric"), ("currency", "text"),
        ]) { load, writer in
            for index in 0..<load.plan.leads {
                let channel = load.random.pick(channels)
                let advocacy = channel == "employee_advocacy" && !load.posts.id.isEmpty
                var created = load.time(from: load.start, to: load.end, growth: 1.3)
                var ambassador: String?
                var post: String?
                if advocacy {
                    let postIndex = load.random.int(0...(load.posts.id.count - 1))
                    created = min(load.end, load.posts.time[postIndex] + Int64(load.random.int(1...20)) * load.day)
                    post = load.posts.id[postIndex]
                    ambassador = load.ambassadors[Int(load.posts.ambassador[postIndex])].id
                }
                let estimate = Int(load.random.logNormal(median: 12_000, spread: 0.8) * 100)
                let lead = "lead-\(index + 1)"
                try load.describe(writer)
                try writer.add(lead)
                try writer.add(load.date(created))
                try writer.add(advocacy ? "employee_advocacy" : (channel == "employee_advocacy" ? "other" : channel))
                try writer.add(ambassador)
                try writer.add(post)
                try writer.add(Self.hundredths(estimate))
                try writer.add("EUR")
                try writer.endRow()
                // Advocacy leads close about seven times as often (seed 004).
                if load.random.chance(advocacy ? 0.5 : 0.3) {
                    changes.append(("\(lead)-q", lead, "qualified", created + Int64(load.random.int(2...14)) * load.day, nil))
                }
                if load.random.chance(advocacy ? 0.21 : 0.03) {
                    let amount = Int(Double(estimate) * (0.7 + load.random.unit() * 0.6))
                    changes.append(("\(lead)-w", lead, "won", created + Int64(load.random.int(20...90)) * load.day, Self.hundredths(amount)))
                } else if load.random.chance(0.5) {
                    changes.append(("\(lead)-l", lead, "lost", created + Int64(load.random.int(15...120)) * load.day, nil))
                }
            }
        }
        try ingest("fact.lead_stage_changes", through: "ingest.insert_lead_stage_changes", [
            ("event_id", "text"), ("lead_id", "text"), ("stage", "text"), ("changed", "timestamptz"), ("amount", "numeric"),
            ("currency", "text"),
        ]) { load, writer in
            for change in changes where change.at <= load.end {
                try writer.add(change.id)
                try writer.add(change.lead)
                try writer.add(change.stage)
                try writer.add(load.date(change.at))
                try writer.add(change.amount)
                try writer.add(change.amount == nil ? nil : "EUR")
                try writer.endRow()
            }
        }
    }

    mutating func loadApplications() throws {
        let channels: [(String, Double)] = [
            ("employee_advocacy", 18), ("job_board", 20), ("careers_site", 35), ("referral", 12), ("agency", 5), ("other", 10),
        ]
        var changes: [(id: String, application: String, stage: String, at: Int64)] = []
        try ingest("fact.applications", through: "ingest.upsert_applications", Self.described + [
            ("application_id", "text"), ("job_id", "text"), ("applied", "timestamptz"), ("channel", "text"), ("ambassador_id", "text"),
            ("candidate_ref", "text"),
        ]) { load, writer in
            for index in 0..<load.plan.applications {
                let channel = load.random.pick(channels)
                let advocacy = channel == "employee_advocacy"
                let applied = load.time(from: load.start, to: load.end, growth: 1.2)
                let application = "app-\(index + 1)"
                try load.describe(writer)
                try writer.add(application)
                try writer.add(String(format: "job-%03d", load.random.int(1...40)))
                try writer.add(load.date(applied))
                try writer.add(channel)
                try writer.add(advocacy ? load.ambassadors[load.pickAmbassador()].id : nil)
                try writer.add("cand-\(index + 1)")
                try writer.endRow()
                var at = applied
                func step(_ stage: String, _ days: ClosedRange<Int>, _ load: inout DemoLoad) {
                    at += Int64(load.random.int(days)) * load.day
                    changes.append(("\(application)-\(stage)", application, stage, at))
                }
                guard load.random.chance(0.6) else {
                    step("rejected", 2...10, &load)
                    continue
                }
                step("screened", 3...10, &load)
                guard load.random.chance(0.5) else { continue }
                step("interviewed", 7...15, &load)
                guard load.random.chance(0.35) else {
                    step("rejected", 3...10, &load)
                    continue
                }
                step("offered", 10...15, &load)
                // Of those offered, advocacy candidates accept more often.
                if load.random.chance(advocacy ? 0.85 : 0.6) { step("hired", 5...20, &load) } else { step("rejected", 3...10, &load) }
            }
        }
        try ingest("fact.application_stage_changes", through: "ingest.insert_application_stage_changes", [
            ("event_id", "text"), ("application_id", "text"), ("stage", "text"), ("changed", "timestamptz"),
        ]) { load, writer in
            for change in changes where change.at <= load.end {
                try writer.add(change.id)
                try writer.add(change.application)
                try writer.add(change.stage)
                try writer.add(load.date(change.at))
                try writer.endRow()
            }
        }
    }

    mutating func loadCostsAndRates() throws {
        let firstDay = start / day
        try ingest("core.programme_costs", through: "ingest.upsert_programme_costs", Self.described + [
            ("cost_id", "text"), ("period_start", "date"), ("period_end", "date"), ("category", "text"), ("amount", "numeric"),
            ("currency", "text"), ("note", "text"),
        ]) { load, writer in
            for month in 0..<12 {
                let from = String(load.date((firstDay + Int64(month) * 365 / 12) * load.day).postgresText.prefix(10))
                let to = String(load.date((firstDay + Int64(month + 1) * 365 / 12 - 1) * load.day).postgresText.prefix(10))
                for (category, amount) in [("licence", "2500.00"), ("rewards", "600.00"), ("time", "3000.00")] {
                    try load.describe(writer)
                    try writer.add("\(category)-\(month + 1)")
                    try writer.add(from)
                    try writer.add(to)
                    try writer.add(category)
                    try writer.add(amount)
                    try writer.add("EUR")
                    try writer.add(nil as String?)
                    try writer.endRow()
                }
            }
        }
        let cards: [(network: String, rates: [String])] = [
            ("linkedin", ["28.00", "5.50", "0.80", "2.50", "4.00"]), ("x", ["7.50", "1.20", "0.20", "0.80", "1.00"]),
            ("facebook", ["9.00", "1.10", "0.25", "0.90", "1.20"]), ("instagram", ["8.50", "1.00", "0.25", "0.90", "1.10"]),
            ("xing", ["12.00", "2.50", "0.40", "1.50", "2.00"]), ("other", ["5.00", "0.80", "0.10", "0.50", "0.60"]),
        ]
        let midYear = String(date((firstDay + 182) * day).postgresText.prefix(10))
        let yearStart = String(date((firstDay - 400) * day).postgresText.prefix(10))
        try ingest("core.emv_rate_cards", through: "ingest.upsert_rate_cards", Self.described + [
            ("network", "text"), ("currency", "text"), ("effective", "date"), ("cpm", "numeric"), ("cpc", "numeric"),
            ("per_reaction", "numeric"), ("per_comment", "numeric"), ("per_reshare", "numeric"),
        ]) { load, writer in
            for card in cards {
                try load.describe(writer)
                try writer.add(card.network)
                try writer.add("EUR")
                try writer.add(yearStart)
                for rate in card.rates { try writer.add(rate) }
                try writer.endRow()
            }
            // LinkedIn's prices rise mid-year: EMV must use the card in force on each post's date.
            try load.describe(writer)
            try writer.add("linkedin")
            try writer.add("EUR")
            try writer.add(midYear)
            for rate in ["31.00", "5.90", "0.85", "2.60", "4.20"] { try writer.add(rate) }
            try writer.endRow()
        }
    }
}
