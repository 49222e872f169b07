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

/// Checks API keys and dashboard sessions, and limits guessing where it happens.
///
/// The credential is always checked first (one index look-up and one hash comparison in the database), so a
/// valid one is never refused because of someone else's failures. Only failures are counted: a token that
/// names no key or session counts against the client's address, a wrong secret against its key id; a revoked
/// or expired credential is not a guess and is not counted. Once a subject has failed too often, its failing
/// requests are answered 429, and malformed tokens from a blocked address are refused without a query.
struct Credentials: Sendable {
    let pool: ConnectionPool
    let limiter: FailureLimiter
    let sessions: Sessions.Settings

    enum Outcome {
        case valid(Identity)
        case refused(KeyRefusal)
        case tooManyFailures(retryAfter: Int)
    }

    func key(_ token: String, from address: String?) async throws -> Outcome {
        if APIKeys.keyID(of: token) == nil, let wait = limiter.retryAfter(.address(address ?? "unknown")) {
            return .tooManyFailures(retryAfter: wait)
        }
        return judge(try await APIKeys.verify(token, on: pool), keyID: APIKeys.keyID(of: token), address: address)
    }

    func session(_ token: String, from address: String?) async throws -> Outcome {
        judge(try await Sessions.verify(token, settings: sessions, on: pool), keyID: nil, address: address)
    }

    private func judge(_ result: Result<Identity, KeyRefusal>, keyID: UUID?, address: String?) -> Outcome {
        let refusal: KeyRefusal
        switch result {
        case .success(let identity): return .valid(identity)
        case .failure(let failure): refusal = failure
        }
        let subject: FailureLimiter.Subject
        switch refusal {
        case .revoked, .expired: return .refused(refusal)
        case .wrongSecret: subject = keyID.map { .key($0) } ?? .address(address ?? "unknown")
        case .malformed, .unknown: subject = .address(address ?? "unknown")
        }
        if let wait = limiter.retryAfter(subject) { return .tooManyFailures(retryAfter: wait) }
        limiter.recordFailure(subject)
        return .refused(refusal)
    }
}
