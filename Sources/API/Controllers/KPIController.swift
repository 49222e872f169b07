import Access
import Computation
import Foundation
import Hummingbird
import Postgres

/// `GET /v1/kpis`: every KPI for a period with the previous period and the change; `GET /v1/kpis/catalog`:
/// what each KPI means. Both answer JSON, or CSV with `format=csv` or `Accept: text/csv`.
struct KPIController {
    let pool: ConnectionPool

    var endpoints: RouteCollection<AppRequestContext> {
        let routes = RouteCollection(context: AppRequestContext.self)
        routes.get("kpis", use: summary)
        routes.get("kpis/catalog", use: catalog)
        return routes
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
        if !identity.has(anyOf: [.marketing]) { report = report.only(families: ["candidates"]) }
        return Self.respond(format, body: format == .json ? report.json() : report.csv(), fileName: "kpis-\(period.from)-\(period.to)")
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
