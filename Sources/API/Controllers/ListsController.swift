import Access
import Computation
import Foundation
import HTTPTypes
import Hummingbird
import Ingestion
import Postgres
import Vocabulary

/// Leaderboards and time series for a period, with the dashboard filters, as JSON or CSV:
/// `GET /v1/leaderboards/ambassadors`, `GET /v1/leaderboards/content`, `GET /v1/series/activity`,
/// `GET /v1/series/traffic`, `GET /v1/series/pipeline` (leads and applications), `GET /v1/series/value` (reach, EMV, cost, won value),
/// `GET /v1/breakdowns/posts`, and for HR the
/// candidate-level `GET /v1/candidates/applications`.
struct ListsController {
    let pool: ConnectionPool

    var endpoints: RouteCollection<AppRequestContext> {
        let routes = RouteCollection(context: AppRequestContext.self)
        routes.get("leaderboards/ambassadors") { request, context in
            try await answer(request, context, scopes: [.marketing], name: "ambassador-leaderboard") { query in
                .ambassadorLeaderboard(rankedBy: try Self.choice(query, "by", default: AmbassadorRanking.posts))
            }
        }
        routes.get("leaderboards/content") { request, context in
            try await answer(request, context, scopes: [.marketing], name: "content-leaderboard") { query in
                .contentLeaderboard(rankedBy: try Self.choice(query, "by", default: ContentRanking.shares))
            }
        }
        routes.get("series/activity") { request, context in
            try await answer(request, context, scopes: [.marketing], name: "activity") { query in
                .activitySeries(granularity: try Self.choice(query, "granularity", default: Granularity.week))
            }
        }
        routes.get("series/traffic") { request, context in
            try await answer(request, context, scopes: [.marketing], name: "traffic") { query in
                .trafficSeries(granularity: try Self.choice(query, "granularity", default: Granularity.week))
            }
        }
        routes.get("series/pipeline") { request, context in
            try await answer(request, context, scopes: [.marketing], name: "pipeline") { query in
                .pipelineSeries(granularity: try Self.choice(query, "granularity", default: Granularity.week))
            }
        }
        // The pipeline without its leads: what HR may read.
        routes.get("series/hiring") { request, context in
            try await answer(request, context, scopes: [.marketing, .hr], name: "hiring") { query in
                .hiringSeries(granularity: try Self.choice(query, "granularity", default: Granularity.week))
            }
        }
        routes.get("series/value") { request, context in
            try await answer(request, context, scopes: [.marketing], name: "value") { query in
                .valueSeries(granularity: try Self.choice(query, "granularity", default: Granularity.week))
            }
        }
        routes.get("breakdowns/posts") { request, context in
            try await answer(request, context, scopes: [.marketing], name: "post-breakdown") { query in
                .postBreakdown(dimension: try Self.choice(query, "by", default: BreakdownDimension.team))
            }
        }
        // Candidate-level rows: HR and admin only; marketing sees hiring as aggregates.
        routes.get("candidates/applications") { request, context in
            try await answer(request, context, scopes: [.hr], name: "applications") { _ in .applications }
        }
        return routes
    }

    /// The value of parameter `name`, one of `Choice`'s cases; 400 naming the accepted ones otherwise.
    static func choice<Choice: RawRepresentable & CaseIterable>(
        _ query: Parameters, _ name: String, default value: Choice
    ) throws -> Choice where Choice.RawValue == String {
        guard let given = query[Substring(name)].map(String.init) else { return value }
        guard let choice = Choice(rawValue: given) else {
            throw APIError.badParameter(name, "\(name) must be one of \(Choice.names.joined(separator: ", ")), not \"\(given)\"")
        }
        return choice
    }

    static func filters(_ query: Parameters) throws -> KPIFilters {
        let network = query["network"].map(String.init)
        if let network, Network(rawValue: network) == nil {
            throw APIError.badParameter("network", "network must be one of \(Network.names.joined(separator: ", "))")
        }
        return KPIFilters(
            team: query["team"].map(String.init), department: query["department"].map(String.init),
            region: query["region"].map(String.init), network: network, campaign: query["campaign"].map(String.init)
        )
    }

    func answer(
        _ request: Request, _ context: AppRequestContext, scopes: [Scope], name: String, kind: (Parameters) throws -> KPITable.Kind
    ) async throws -> Response {
        let organization = try context.require(anyOf: scopes).organization
        let query = request.uri.queryParameters
        let format = try KPIController.format(of: request)
        let kind = try kind(query)
        let filters = try Self.filters(query)
        let period = try await KPIController.period(of: request, organization: organization, pool: pool)
        switch (format, try Self.page(query, of: kind)) {
        case (.json, nil):
            return try Response.encoded(try await KPITable.rows(kind, organization: organization, period: period, filters: filters, pool: pool))
        case (.json, let page?):
            let (rows, total) = try await KPITable.page(kind, organization: organization, period: period, filters: filters, page: page, pool: pool)
            var response = try Response.encoded(rows)
            if let header = Self.totalCountHeader { response.headers[header] = String(total) }
            return response
        case (.csv, _):
            let body = try await KPITable.csv(kind, organization: organization, period: period, filters: filters, pool: pool)
            return KPIController.csv(body, fileName: "\(name)-\(period.from)-\(period.to)")
        }
    }

    /// The page of a leaderboard's JSON answer (`limit`, default 100, at most 1000; `offset`, default 0); nil for
    /// the other lists, which answer every row. A CSV export is the whole list.
    static func page(_ query: Parameters, of kind: KPITable.Kind) throws -> Page? {
        guard kind.isPaged else { return nil }
        return Page(
            limit: try EventsController.integer(query, "limit", default: Page.defaultLimit, range: 1...Page.maximumLimit),
            offset: try EventsController.integer(query, "offset", default: 0, range: 0...1_000_000)
        )
    }

    /// How many rows the whole list has, beside a page of it.
    static let totalCountHeader = HTTPField.Name("X-Total-Count")
}
