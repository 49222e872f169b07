import Access
import Foundation
import Hummingbird
import Postgres

/// Authenticates /v1 requests by their `Authorization: Bearer adv_...` key (or, for a GET, the dashboards'
/// session cookie). No key, or an unknown, revoked or expired one: 401 (which never says whether another
/// organisation's object exists). Repeated failures are answered 429 with Retry-After (see `Credentials`).
struct APIKeyAuthenticator: RouterMiddleware {
    typealias Context = AppRequestContext
    let credentials: Credentials

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let outcome: Credentials.Outcome
        if let header = request.headers[.authorization], header.lowercased().hasPrefix("bearer ") {
            outcome = try await credentials.key(String(header.dropFirst(7)).trimmingCharacters(in: .whitespaces), from: context.client.address)
        } else if request.method == .get, let cookie = request.cookies[DashboardController.cookieName]?.value, !cookie.isEmpty {
            // A signed-in browser downloads the dashboards' CSV from the API: reads only (SameSite=Strict
            // keeps other sites' links from carrying it), never a write.
            outcome = try await credentials.session(cookie, from: context.client.address)
        } else {
            throw APIError(status: .unauthorized, code: "unauthenticated", message: "send an API key: Authorization: Bearer adv_...",
                           headers: [.wwwAuthenticate: "Bearer"])
        }
        switch outcome {
        case .tooManyFailures(let wait):
            throw APIError(status: .tooManyRequests, code: "too_many_failures",
                           message: "too many failed authentications; retry in \(wait) s", headers: [.retryAfter: "\(wait)"])
        case .refused(let refusal):
            throw APIError(status: .unauthorized, code: "invalid_key", message: refusal.message, headers: [.wwwAuthenticate: "Bearer"])
        case .valid(let identity):
            var context = context
            context.identity = identity
            context.logger[metadataKey: "organization"] = "\(identity.organization)"
            return try await next(request, context)
        }
    }
}
