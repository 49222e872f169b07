import Access
import Hummingbird
import NIOCore

/// The request context of every route: who is calling (set by `APIKeyAuthenticator` on /v1) and from where.
public struct AppRequestContext: RequestContext, RemoteAddressRequestContext {
    public var coreContext: CoreRequestContextStorage
    public let remoteAddress: SocketAddress?
    /// The key's organisation and scopes; nil outside /v1.
    public var identity: Identity? {
        didSet { observation.organization = identity?.organization }
    }
    /// What the request log line and the metrics report once the answer is written.
    public let observation = RequestObservation()
    /// Where the request comes from (set by `ClientMiddleware`, which believes only trusted proxies).
    public var client = Client(address: nil, viaTLS: false)

    public init(source: ApplicationRequestContextSource) {
        self.coreContext = .init(source: source)
        self.remoteAddress = source.channel.remoteAddress
        self.identity = nil
    }

    /// The caller's identity when its key has one of `scopes` (admin has all); 403 naming them otherwise.
    func require(_ scopes: Scope...) throws -> Identity {
        try require(anyOf: scopes)
    }

    func require(anyOf scopes: [Scope]) throws -> Identity {
        guard let identity else {
            throw APIError(status: .unauthorized, code: "unauthenticated", message: "send an API key: Authorization: Bearer adv_...")
        }
        guard identity.has(anyOf: Set(scopes)) else {
            let needed = (scopes.map(\.rawValue) + ["admin"]).joined(separator: " or ")
            throw APIError(
                status: .forbidden, code: "missing_scope", message: "this key lacks the scope needed here: \(needed)",
                details: ["scope": scopes.map(\.rawValue).joined(separator: ",")]
            )
        }
        return identity
    }
}
