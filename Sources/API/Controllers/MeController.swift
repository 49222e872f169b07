import Access
import Computation
import Foundation
import Hummingbird
import Postgres
import Vocabulary

/// `GET /v1/me`: an ambassador's own view, for the ambassador their key is bound to; an admin names the
/// ambassador (`ambassador_id`) to see what that ambassador sees.
struct MeController {
    let reads: ConnectionPool

    var endpoints: RouteCollection<AppRequestContext> {
        let routes = RouteCollection(context: AppRequestContext.self)
        routes.get("me", use: show)
        return routes
    }

    @Sendable func show(_ request: Request, context: AppRequestContext) async throws -> Response {
        let identity = try context.require(.ambassador)
        let asked = request.uri.queryParameters["ambassador_id"].map(String.init)
        let ambassador: String
        if let bound = identity.ambassadorID {
            // An ambassador's key reads its own ambassador, whatever the query says.
            guard asked == nil || asked == bound else {
                throw APIError(status: .forbidden, code: "forbidden", message: "this key reads its own ambassador's numbers only")
            }
            ambassador = bound
        } else {
            // The parameter is optional for an ambassador's key: its absence is a rule of the admin's key.
            guard let asked else { throw APIError.inconsistent("ambassador_id", "an admin key names the ambassador to view: ambassador_id=...") }
            guard ExternalID.isValid(asked) else {
                throw APIError.badParameter("ambassador_id", "ambassador_id must be 1 to 200 characters, without control characters")
            }
            ambassador = asked
        }
        let period = try await KPIController.period(of: request, organization: identity.organization, pool: reads)
        guard let me = try await AmbassadorView.load(organization: identity.organization, ambassador: ambassador, period: period, pool: reads) else {
            throw APIError(status: .notFound, code: "not_found", message: "no ambassador \(ambassador)")
        }
        return try Response.encoded(me)
    }
}
