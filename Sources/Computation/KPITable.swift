import Foundation
import Postgres
import Vocabulary

/// The dashboard filters; nil filters nothing. They reach SQL as parameters of the `kpi` functions.
public struct KPIFilters: Sendable {
    public var team: String?
    public var department: String?
    public var region: String?
    public var network: String?
    public var campaign: String?

    public init(team: String? = nil, department: String? = nil, region: String? = nil, network: String? = nil, campaign: String? = nil) {
        self.team = team
        self.department = department
        self.region = region
        self.network = network
        self.campaign = campaign
    }

    var parameters: [(any PostgresEncodable)?] { [team, department, region, network, campaign] }

    /// The names of the filters given.
    public var given: [BreakdownDimension] {
        BreakdownDimension.allCases.filter { self[$0] != nil }
    }

    /// The filter on one dimension.
    public subscript(dimension: BreakdownDimension) -> String? {
        get {
            switch dimension {
            case .team: team
            case .department: department
            case .region: region
            case .network: network
            case .campaign: campaign
            }
        }
        set {
            switch dimension {
            case .team: team = newValue
            case .department: department = newValue
            case .region: region = newValue
            case .network: network = newValue
            case .campaign: campaign = newValue
            }
        }
    }
}

/// Which rows of a ranked list to answer: `limit` rows after the first `offset`.
public struct Page: Sendable, Equatable {
    /// The rows a page carries when the request names no limit.
    public static let defaultLimit = 100
    /// The most rows one page may carry; a CSV export carries the whole list.
    public static let maximumLimit = 1000

    public let limit: Int
    public let offset: Int

    public init(limit: Int = Page.defaultLimit, offset: Int = 0) {
        self.limit = limit
        self.offset = offset
    }
}

/// A list or a series computed by a `kpi` function, answered as JSON (an array of objects, built by
/// PostgreSQL so numbers keep their exact text) or as CSV.
public enum KPITable {
    public enum Kind: Sendable {
        case ambassadorLeaderboard(rankedBy: AmbassadorRanking)
        case contentLeaderboard(rankedBy: ContentRanking)
        case activitySeries(granularity: Granularity)
        case trafficSeries(granularity: Granularity)
        /// Leads and applications: the candidate funnel has no team or network filter.
        case pipelineSeries(granularity: Granularity)
        /// Applications and hires only: the pipeline as HR may read it.
        case hiringSeries(granularity: Granularity)
        /// Candidate-level rows (HR only).
        case applications
        /// Posting results per team, department, region, network or campaign.
        case postBreakdown(dimension: BreakdownDimension)
        /// Reach, EMV, cost and won value per bucket (organisation-wide: no filters).
        case valueSeries(granularity: Granularity)
        /// Average SSI and share above 75 at the end of each bucket (organisation-wide).
        case ssiSeries(granularity: Granularity)

        /// The function call, with $1 organisation, $2 from, $3 to, $4 ranking or granularity, $5... filters.
        var call: String {
            switch self {
            case .ambassadorLeaderboard: "kpi.ambassador_leaderboard($1, $2::date, $3::date, $4, $5, $6, $7, $8, $9)"
            case .contentLeaderboard: "kpi.content_leaderboard($1, $2::date, $3::date, $4, $5, $6, $7, $8, $9)"
            case .activitySeries: "kpi.activity_series($1, $2::date, $3::date, $4, $5, $6, $7, $8, $9)"
            case .trafficSeries: "kpi.traffic_series($1, $2::date, $3::date, $4, $5, $6, $7, $8, $9)"
            case .pipelineSeries: "kpi.pipeline_series($1, $2::date, $3::date, $4)"
            case .hiringSeries: "kpi.hiring_series($1, $2::date, $3::date, $4)"
            case .applications: "kpi.applications($1, $2::date, $3::date)"
            case .postBreakdown: "kpi.post_breakdown($1, $2::date, $3::date, $4, $5, $6, $7, $8, $9)"
            case .valueSeries: "kpi.value_series($1, $2::date, $3::date, $4)"
            case .ssiSeries: "kpi.ssi_series($1, $2::date, $3::date, $4)"
            }
        }

        /// The function answering one page with the list's size ($10 limit, $11 offset): the leaderboards'.
        var pageCall: String? {
            switch self {
            case .ambassadorLeaderboard: "kpi.ambassador_leaderboard_page($1, $2::date, $3::date, $4, $5, $6, $7, $8, $9, $10, $11)"
            case .contentLeaderboard: "kpi.content_leaderboard_page($1, $2::date, $3::date, $4, $5, $6, $7, $8, $9, $10, $11)"
            default: nil
            }
        }

        /// Whether the kind answers pages (`KPITable.page`).
        public var isPaged: Bool { pageCall != nil }

        public var choice: String {
            switch self {
            case .ambassadorLeaderboard(let rankedBy): rankedBy.rawValue
            case .contentLeaderboard(let rankedBy): rankedBy.rawValue
            case .activitySeries(let granularity), .trafficSeries(let granularity), .pipelineSeries(let granularity),
                 .hiringSeries(let granularity): granularity.rawValue
            case .applications: ""
            case .postBreakdown(let dimension): dimension.rawValue
            case .valueSeries(let granularity), .ssiSeries(let granularity): granularity.rawValue
            }
        }

        public var usesFilters: Bool {
            switch self {
            case .pipelineSeries, .hiringSeries, .applications, .valueSeries, .ssiSeries: false
            default: true
            }
        }

        var usesChoice: Bool {
            if case .applications = self { return false }
            return true
        }
    }

    static func parameters(_ kind: Kind, _ organization: UUID, _ period: Period, _ filters: KPIFilters) -> [(any PostgresEncodable)?] {
        [organization, period.from, period.to] + (kind.usesChoice ? [kind.choice] : []) + (kind.usesFilters ? filters.parameters : [])
    }

    /// Every row the kind's function answers for the period and filters.
    public static func rows(
        _ kind: Kind, organization: UUID, period: Period, filters: KPIFilters, pool: ConnectionPool
    ) async throws -> [Record] {
        return try Record.rows(
            of: try await pool.tenantQuery(organization, "SELECT * FROM \(kind.call)", parameters(kind, organization, period, filters))
        )
    }

    /// One page of a leaderboard: `page.limit` rows after the first `page.offset`, in rank order, and how many
    /// rows the whole list has. Only the page leaves the database, and only the rows up to its end are sorted.
    public static func page(
        _ kind: Kind, organization: UUID, period: Period, filters: KPIFilters, page: Page, pool: ConnectionPool
    ) async throws -> (rows: [Record], total: Int) {
        guard let call = kind.pageCall else { throw PageError(kind: kind) }
        let parameters = parameters(kind, organization, period, filters) + [page.limit, page.offset]
        let result = try await pool.tenantQuery(organization, "SELECT * FROM \(call)", parameters)
        var total = try result.first.map { try $0.decode(Int.self, "total_rows") }
        if total == nil {
            // Past the last row the page is empty and carries no count.
            total = try await pool.tenantQuery(organization, "SELECT count(*) FROM \(kind.call)", Self.parameters(kind, organization, period, filters))[0]
                .decode(Int.self, at: 0)
        }
        let rows = try Record.rows(of: result).map { record in
            let kept = record.columns.indices.filter { record.columns[$0] != "total_rows" }
            return Record(columns: kept.map { record.columns[$0] }, values: kept.map { record.values[$0] })
        }
        return (rows, total ?? 0)
    }

    /// A kind that answers every row, asked for a page.
    public struct PageError: Error, CustomStringConvertible {
        let kind: Kind
        public var description: String { "\(kind.call) has no pages" }
    }

    /// The first `rows` rows of a long list, and how its rows spread over bins of one count column
    /// (`bins[i]`: rows with a value in [bounds[i], bounds[i + 1]), the last bin open): what a page shows of a
    /// leaderboard, from the same function as the API's answer, without carrying every row.
    public static func preview(
        _ kind: Kind, organization: UUID, period: Period, filters: KPIFilters, rows: Int,
        binning: (column: BinnedColumn, bounds: [Int])? = nil, pool: ConnectionPool
    ) async throws -> (rows: [Record], bins: [Int]) {
        var parameters = parameters(kind, organization, period, filters) + [rows]
        let limit = "$\(parameters.count)"
        var binCounts = "'[]'::json"
        if let (column, bounds) = binning {
            parameters.append(bounds)
            let thresholds = "$\(parameters.count)::int[]"
            binCounts = """
                (SELECT json_agg(coalesce(c.rows, 0) ORDER BY b)
                 FROM generate_series(1, cardinality(\(thresholds))) AS b
                 LEFT JOIN (SELECT width_bucket(l.\(column.rawValue), \(thresholds)) AS bin, count(*) AS rows
                            FROM listed AS l GROUP BY 1) AS c ON c.bin = b)
                """
        }
        let result = try await pool.tenantQuery(
            organization,
            """
            WITH listed AS MATERIALIZED (SELECT * FROM \(kind.call))
            SELECT (SELECT coalesce(json_agg(t), '[]') FROM (SELECT * FROM listed LIMIT \(limit)) AS t)::text AS rows,
                   coalesce(\(binCounts), '[]')::text AS bins
            """,
            parameters
        )[0]
        // Both are JSON that PostgreSQL made in one pass over the list: parsed, never cut up as text.
        let listed = try Value.parsing(json: try result.decode(String.self, "rows"))
        guard case .array(let objects) = listed else { return ([], []) }
        let rows = objects.compactMap { object -> Record? in
            guard case .object(let members) = object else { return nil }
            let columns = members.keys.sorted()
            return Record(columns: columns, values: columns.map { members[$0] ?? .null })
        }
        let bins = try JSONDecoder().decode([Int].self, from: Data(try result.decode(String.self, "bins").utf8))
        return (rows, bins)
    }

    /// The count columns a preview can bin (spliced into SQL: a closed list).
    public enum BinnedColumn: String, Sendable {
        case posts
    }

    public static func csv(_ kind: Kind, organization: UUID, period: Period, filters: KPIFilters, pool: ConnectionPool) async throws -> String {
        let rows = try await pool.tenantQuery(organization, "SELECT * FROM \(kind.call)", parameters(kind, organization, period, filters))
        let columns = rows.columnNames
        return CSVText.table(
            header: columns,
            rows: try rows.map { row in try columns.indices.map { try row.decode(String?.self, at: $0) ?? "" } }
        )
    }
}
