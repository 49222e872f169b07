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
            case .candidates: Family(series: { .hiringSeries(granularity: $0) }, scopes: [.marketing, .hr], posts: false)
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
        case nil: return request.headers[.accept].map(prefersCSV) == true ? .csv : .json
        }
    }

    /// Whether an Accept header ranks text/csv above application/json: by quality, then by order.
    static func prefersCSV(_ accept: String) -> Bool {
        var best: (csv: Bool, quality: Double)?
        for item in accept.split(separator: ",") {
            let parts = item.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
            guard let type = parts.first, type == "text/csv" || type == "application/json" else { continue }
            let quality = parts.dropFirst().first { $0.hasPrefix("q=") }.flatMap { Double($0.dropFirst(2)) } ?? 1
            if best == nil || quality > best?.quality ?? 0 { best = (type == "text/csv", quality) }
        }
        return best?.csv == true
    }

    /// The period a request asks for (`period`, or `from` and `to`); a bad one is a 400 naming the parameter.
    static func period(of request: Request, organization: UUID, pool: ConnectionPool) async throws -> Period {
        let query = request.uri.queryParameters
        // The document describes the period as one object parameter sent as its fields; its own name is no parameter.
        if query["period_selection"] != nil {
            throw APIError.badParameter("period_selection", "send period, or from and to, each as a query parameter of its own")
        }
        if let name = Period.bracketedParameter(among: query.map(\.key)) {
            throw APIError.badParameter(name, "\(name) takes one plain value, not an object or a list")
        }
        do {
            return try await Period.resolve(
                name: query["period"].map(String.init), from: query["from"].map(String.init), to: query["to"].map(String.init),
                organization: organization, pool: pool
            )
        } catch let error as PeriodError {
            throw error.inconsistent ? APIError.inconsistent(error.parameter, error.message) : APIError.badParameter(error.parameter, error.message)
        }
    }

    /// The answer in the format asked: `body` is JSON or CSV accordingly.
    /// A CSV download named `fileName`.csv.
    static func csv(_ body: String, fileName: String) -> Response {
        Response(
            status: .ok,
            headers: [.contentType: "text/csv; charset=utf-8", .contentDisposition: "attachment; filename=\"\(fileName).csv\""],
            body: .init(byteBuffer: ByteBuffer(string: body))
        )
    }

    /// A family's answer: its KPIs (the report's fields), its series and, when asked, a breakdown.
    struct FamilyAnswer: Encodable {
        let report: KPIReport
        let family: KPIFamily
        let granularity: String
        let series: [Record]
        let breakdownBy: String?
        let breakdown: [Record]?

        enum CodingKeys: String, CodingKey {
            case family, granularity, series, breakdownBy = "breakdown_by", breakdown
        }

        func encode(to encoder: any Encoder) throws {
            try report.encode(to: encoder)
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(family, forKey: .family)
            try container.encode(granularity, forKey: .granularity)
            try container.encode(series, forKey: .series)
            try container.encodeIfPresent(breakdownBy, forKey: .breakdownBy)
            try container.encodeIfPresent(breakdown, forKey: .breakdown)
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
        return format == .json ? try Response.encoded(report) : Self.csv(report.csv(), fileName: "kpis-\(period.from)-\(period.to)")
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
            throw APIError.inconsistent(given.rawValue, "the \(name) series is organisation-wide: \(given.rawValue) does not apply to it")
        }
        let breakdown = try query["by"].map { _ in
            guard family.posts else { throw APIError.inconsistent("by", "the \(name) family has no breakdown") }
            return KPITable.Kind.postBreakdown(dimension: try ListsController.choice(query, "by", default: BreakdownDimension.team))
        }
        let period = try await Self.period(of: request, organization: organization, pool: pool)
        let fileName = "\(name)-\(period.from)-\(period.to)"
        if format == .csv {
            return Self.csv(try await KPITable.csv(series, organization: organization, period: period, filters: filters, pool: pool),
                            fileName: fileName)
        }
        let report = try await KPIReport.load(organization: organization, period: period, pool: pool).only(families: [familyName])
        let rows = try await KPITable.rows(series, organization: organization, period: period, filters: filters, pool: pool)
        var broken: [Record]?
        if let breakdown {
            broken = try await KPITable.rows(breakdown, organization: organization, period: period, filters: filters, pool: pool)
        }
        return try Response.encoded(
            FamilyAnswer(report: report, family: familyName, granularity: series.choice, series: rows, breakdownBy: breakdown?.choice,
                         breakdown: broken)
        )
    }

    @Sendable func catalog(_ request: Request, context: AppRequestContext) async throws -> Response {
        _ = try context.require(.marketing, .hr, .ingest)
        let format = try Self.format(of: request)
        let catalog = try await KPICatalog.load(pool: pool)
        return format == .json ? try Response.encoded(["kpis": catalog.entries]) : Self.csv(catalog.csv(), fileName: "kpi-catalog")
    }
}
