import Access
import Foundation
import Hummingbird
import Postgres
import Synchronization

/// Authenticates /v1 requests by their `Authorization: Bearer adv_...` key (or, for a GET, the dashboards'
/// session cookie). No key, or an unknown, revoked
/// or expired one: 401 (which never says whether another organisation's object exists). Repeated failures
/// from one key id or address are answered 429 with Retry-After until the window passes.
struct APIKeyAuthenticator: RouterMiddleware {
    typealias Context = AppRequestContext
    let pool: ConnectionPool
    let limiter: FailureLimiter

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let token: String
        if let header = request.headers[.authorization], header.lowercased().hasPrefix("bearer ") {
            token = String(header.dropFirst(7)).trimmingCharacters(in: .whitespaces)
        } else if request.method == .get, let cookie = request.cookies[DashboardController.cookieName]?.value, !cookie.isEmpty {
            // A signed-in browser downloads the dashboards' CSV from the API: reads only (SameSite=Strict
            // keeps other sites' links from carrying it), never a write.
            token = cookie
        } else {
            throw APIError(status: .unauthorized, code: "unauthenticated", message: "send an API key: Authorization: Bearer adv_...",
                           headers: [.wwwAuthenticate: "Bearer"])
        }
        let subjects = [APIKeys.keyID(of: token).map { "key:\($0)" }, context.remoteAddress?.ipAddress.map { "ip:\($0)" }].compactMap { $0 }
        if let wait = limiter.blocked(subjects) {
            throw APIError(status: .tooManyRequests, code: "too_many_failures",
                           message: "too many failed authentications; retry in \(wait) s", headers: [.retryAfter: "\(wait)"])
        }
        switch try await APIKeys.verify(token, on: pool) {
        case .failure(let refusal):
            limiter.recordFailure(subjects)
            throw APIError(status: .unauthorized, code: "invalid_key", message: refusal.message, headers: [.wwwAuthenticate: "Bearer"])
        case .success(let identity):
            var context = context
            context.identity = identity
            context.logger[metadataKey: "organization"] = "\(identity.organization)"
            return try await next(request, context)
        }
    }
}

/// Counts authentication failures per subject (key id, address) in a sliding window.
final class FailureLimiter: Sendable {
    let maximumFailures: Int
    let window: TimeInterval
    private let failures = Mutex<[String: [Date]]>([:])

    init(maximumFailures: Int = 10, window: TimeInterval = 60) {
        self.maximumFailures = maximumFailures
        self.window = window
    }

    /// Seconds to wait when any subject has failed too often recently, nil when none has.
    func blocked(_ subjects: [String], now: Date = Date()) -> Int? {
        failures.withLock { table in
            subjects.compactMap { subject -> Int? in
                let recent = (table[subject] ?? []).filter { now.timeIntervalSince($0) < window }
                table[subject] = recent.isEmpty ? nil : recent
                guard recent.count >= maximumFailures, let oldest = recent.first else { return nil }
                return max(1, Int((window - now.timeIntervalSince(oldest)).rounded(.up)))
            }.max()
        }
    }

    func recordFailure(_ subjects: [String], now: Date = Date()) {
        failures.withLock { table in
            for subject in subjects { table[subject, default: []].append(now) }
            // Random key ids must not grow the table forever: drop subjects with no recent failure.
            if table.count > 10_000 {
                table = table.filter { _, times in times.contains { now.timeIntervalSince($0) < window } }
            }
        }
    }
}
