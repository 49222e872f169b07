import Access
import Computation
import Foundation
import Hummingbird
import Postgres
import Vocabulary

/// `GET /v1/kpis`: every KPI for a period with the previous period and the change; `GET /v1/kpis/{family}`:
/// one family's KPIs with its time series and, for the posting families, a breakdown; `GET /v1/kpis/catalog`:
/// what each KPI means. All answer JSON, or CSV with `format=csv` or `Accept: text/csv`.
struct KPIController {
    let pool: ConnectionPool

    var endpoints: RouteCollection<AppRequestContext> {
        let routes = RouteCollection(context: AppRequestContext.self)
        routes.get("kpis", use: summary)
        routes.get("kpis/catalog", use: catalog)
        routes.get("kpis/:family", use: family)
        return routes
    }

    /// A family of the catalog: the series that shows it over time, who may read it, and whether its facts
    /// are posts (which a breakdown by team, department, region, network or campaign splits).
    struct Family: Sendable {
        let series: @Sendable (Granularity) -> KPITable.Kind
        let scopes: [Scope]
        let posts: Bool

        static func of(_ family: KPIFamily) -> Family {
            switch family {
            case .programme, .content, .ambassadors: Family(series: { .activitySeries(granularity: $0) }, scopes: [.marketing], posts: true)
            case .reach, .emv: Family(series: { .valueSeries(granularity: $0) }, scopes: [.marketing], posts: true)
            case .ssi: Family(series: { .ssiSeries(granularity: $0) }, scopes: [.marketing], posts: false)
            case .traffic: Family(series: { .trafficSeries(granularity: $0) }, scopes: [.marketing], posts: false)
            case .leads: Family(series: { .pipelineSeries(granularity: $0) }, scopes: [.marketing], posts: false)
            case .candidates: Family(series: { .pipelineSeries(granularity: $0) }, scopes: [.marketing, .hr], posts: false)
            }
        }
    }

    enum Format {
        case json, csv
    }

    static func format(of request: Request) throws -> Format {
        switch request.uri.queryParameters["format"].map(String.init) {
        case "csv"?: return .csv
        case "json"?: return .json
        case let other?: throw APIError.badParameter("format", "format must be json or csv, not \"\(other)\"")
        case nil: return request.headers[.accept]?.contains("text/csv") == true ? .csv : .json
        }
    }

    /// The period a request asks for (`period`, or `from` and `to`); a bad one is a 400 naming the parameter.
    static func period(of request: Request, organization: UUID, pool: ConnectionPool) async throws -> Period {
        let query = request.uri.queryParameters
        do {
            return try await Period.resolve(
                name: query["period"].map(String.init), from: query["from"].map(String.init), to: query["to"].map(String.init),
                organization: organization, pool: pool
            )
        } catch let error as PeriodError {
            throw APIError.badParameter(error.parameter, error.message)
        }
    }

    /// The answer in the format asked: `body` is JSON or CSV accordingly.
    static func respond(_ format: Format, body: String, fileName: String) -> Response {
        switch format {
        case .json:
            return Response.json(body)
        case .csv:
            return Response(
                status: .ok,
                headers: [.contentType: "text/csv; charset=utf-8", .contentDisposition: "attachment; filename=\"\(fileName).csv\""],
                body: .init(byteBuffer: ByteBuffer(string: body))
            )
        }
    }

    @Sendable func summary(_ request: Request, context: AppRequestContext) async throws -> Response {
        let identity = try context.require(.marketing, .hr)
        let organization = identity.organization
        let format = try Self.format(of: request)
        let period = try await Self.period(of: request, organization: organization, pool: pool)
        var report = try await KPIReport.load(organization: organization, period: period, pool: pool)
        // HR reads the candidate KPIs (careers traffic included), not marketing's.
        if !identity.has(anyOf: [.marketing]) { report = report.only(families: [.candidates]) }
        return Self.respond(format, body: format == .json ? report.json() : report.csv(), fileName: "kpis-\(period.from)-\(period.to)")
    }

    /// The family's KPIs (organisation-wide, with the previous period), its series by `granularity` with the
    /// filters it takes, and with `by`, the posting results broken down. CSV: the series.
    @Sendable func family(_ request: Request, context: AppRequestContext) async throws -> Response {
        let name = try context.parameters.require("family")
        guard let familyName = KPIFamily(rawValue: name) else {
            throw APIError(
                status: .notFound, code: "unknown_family",
                message: "no KPI family \"\(name)\"; families: \(KPIFamily.names.sorted().joined(separator: ", "))"
            )
        }
        let family = Family.of(familyName)
        let organization = try context.require(anyOf: family.scopes).organization
        let query = request.uri.queryParameters
        let format = try Self.format(of: request)
        let series = family.series(try ListsController.choice(query, "granularity", default: Granularity.week))
        let filters = try ListsController.filters(query)
        if !series.usesFilters, let given = filters.given.first {
            throw APIError.badParameter(given.rawValue, "the \(name) series is organisation-wide: \(given.rawValue) does not apply to it")
        }
        let breakdown = try query["by"].map { _ in
            guard family.posts else { throw APIError.badParameter("by", "the \(name) family has no breakdown") }
            return KPITable.Kind.postBreakdown(dimension: try ListsController.choice(query, "by", default: BreakdownDimension.team))
        }
        let period = try await Self.period(of: request, organization: organization, pool: pool)
        let fileName = "\(name)-\(period.from)-\(period.to)"
        if format == .csv {
            return Self.respond(format, body: try await KPITable.csv(series, organization: organization, period: period, filters: filters, pool: pool),
                                fileName: fileName)
        }
        // One refresh of the rollups for the report, the series and the breakdown.
        try await Rollups.refresh(organization: organization, through: period.to, pool: pool)
        let report = try await KPIReport.load(organization: organization, period: period, pool: pool, refresh: false).only(families: [familyName])
        var body = String(report.json().dropLast())
        body += ",\"family\":\"\(name)\",\"granularity\":\"\(series.choice)\",\"series\":"
        body += try await KPITable.json(series, organization: organization, period: period, filters: filters, pool: pool, refresh: false)
        if let breakdown {
            body += ",\"breakdown_by\":\"\(breakdown.choice)\",\"breakdown\":"
            body += try await KPITable.json(breakdown, organization: organization, period: period, filters: filters, pool: pool,
                                            refresh: false)
        }
        return Response.json(body + "}")
    }

    @Sendable func catalog(_ request: Request, context: AppRequestContext) async throws -> Response {
        _ = try context.require(.marketing, .hr, .ingest)
        let format = try Self.format(of: request)
        let catalog = try await KPICatalog.load(pool: pool)
        let body = format == .json
            ? String(decoding: try JSONEncoder.api.encode(["kpis": catalog.entries]), as: UTF8.self) : catalog.csv()
        return Self.respond(format, body: body, fileName: "kpi-catalog")
    }
}
