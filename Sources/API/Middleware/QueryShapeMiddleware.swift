import Foundation
import Hummingbird

/// Query parameters are plain `name=value` pairs. A bracketed name (`to[year]=2026`, `from[]=...`) is a client
/// serialising an object or a list where the API takes one value: refused (400) rather than ignored as an unknown
/// parameter, which would answer as if the parameter had not been sent.
struct QueryShapeMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws
        -> Response
    {
        // The names are as sent, percent-encoded or not.
        if let name = request.uri.queryParameters.lazy.map({ String($0.key).removingPercentEncoding ?? String($0.key) }).first(where: { $0.contains("[") }) {
            let base = name.prefix { $0 != "[" }
            throw APIError.badParameter(
                String(base), "\(base) takes one plain value: the query parameter \(name) is an object or a list"
            )
        }
        return try await next(request, context)
    }
}
