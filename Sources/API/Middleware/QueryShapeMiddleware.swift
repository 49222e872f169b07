import Foundation
import Hummingbird

/// Query parameters are plain `name=value` pairs. A parameter of this API sent with a bracketed name
/// (`to[year]=2026`, `team[]=...`) is a client serialising an object or a list where one value goes: refused
/// (400) rather than ignored as an unknown parameter, which would answer as if it had not been sent. Other
/// unknown parameters are ignored.
struct QueryShapeMiddleware<Context: RequestContext>: RouterMiddleware {
    /// Every query parameter of the OpenAPI document (`EventsAPITests` keeps the two lists equal).
    static var parameters: Set<String> {
        [
            "ambassador_id", "by", "campaign", "content_id", "cursor", "date", "department", "format", "from", "granularity",
            "improved_since", "limit", "network", "offset", "period", "reason", "region", "resolved", "since", "team", "to", "until",
        ]
    }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws
        -> Response
    {
        for (key, _) in request.uri.queryParameters where key.contains("[") || key.contains("%5B") || key.contains("%5b") {
            // The names are as sent, percent-encoded or not.
            let name = String(key).removingPercentEncoding ?? String(key)
            let base = String(name.prefix { $0 != "[" })
            if Self.parameters.contains(base) {
                throw APIError.badParameter(base, "\(base) takes one plain value: the query parameter \(name) is an object or a list")
            }
        }
        return try await next(request, context)
    }
}
