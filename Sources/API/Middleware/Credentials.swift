import Access
import Foundation
import Postgres

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
        let keyID = APIKeys.keyID(of: token)
        if keyID == nil, let wait = limiter.retryAfter(.address(address ?? "unknown")) {
            return .tooManyFailures(retryAfter: wait)
        }
        return judge(try await APIKeys.verify(token, on: pool), keyID: keyID, address: address)
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
        let byAddress = FailureLimiter.Subject.address(address ?? "unknown")
        let subject: FailureLimiter.Subject
        switch refusal {
        case .revoked, .expired: return .refused(refusal)
        case .wrongSecret: subject = keyID.map { .key($0) } ?? byAddress
        case .malformed, .unknown: subject = byAddress
        }
        if let wait = limiter.retryAfter(subject) { return .tooManyFailures(retryAfter: wait) }
        limiter.recordFailure(subject)
        return .refused(refusal)
    }
}
