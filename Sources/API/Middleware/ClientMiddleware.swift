import Foundation
import Hummingbird
import NIOCore

#if canImport(Glibc)
import Glibc
#endif

/// An IPv4 or IPv6 address range, written `203.0.113.7`, `10.0.0.0/8` or `fd00::/8`.
public struct AddressRange: Sendable, Equatable, CustomStringConvertible {
    let bytes: [UInt8]
    let prefixLength: Int

    public init?(_ text: String) {
        let parts = text.trimmingCharacters(in: .whitespaces).split(separator: "/", maxSplits: 1).map(String.init)
        guard let first = parts.first, let bytes = Self.bytes(of: first) else { return nil }
        let length = parts.count == 2 ? Int(parts[1]) : bytes.count * 8
        guard let length, (0...bytes.count * 8).contains(length) else { return nil }
        self.bytes = bytes
        self.prefixLength = length
    }

    public var description: String { "\(Self.text(of: bytes))/\(prefixLength)" }

    func contains(_ address: [UInt8]) -> Bool {
        guard address.count == bytes.count else { return false }
        var remaining = prefixLength
        for (a, b) in zip(address, bytes) where remaining > 0 {
            let bits = min(8, remaining)
            let mask = UInt8(truncatingIfNeeded: 0xFF << (8 - bits))
            guard a & mask == b & mask else { return false }
            remaining -= bits
        }
        return true
    }

    /// The 4 or 16 bytes of an address in text form, nil when it is not one.
    static func bytes(of text: String) -> [UInt8]? {
        var v4 = in_addr()
        if inet_pton(AF_INET, text, &v4) == 1 { return withUnsafeBytes(of: &v4) { Array($0) } }
        var v6 = in6_addr()
        if inet_pton(AF_INET6, text, &v6) == 1 { return withUnsafeBytes(of: &v6) { Array($0) } }
        return nil
    }

    static func text(of bytes: [UInt8]) -> String {
        var buffer = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN))
        let family = bytes.count == 4 ? AF_INET : AF_INET6
        let ok = bytes.withUnsafeBytes { inet_ntop(family, $0.baseAddress, &buffer, socklen_t(buffer.count)) } != nil
        return ok ? String(cString: buffer) : "?"
    }
}

/// The reverse proxies whose `X-Forwarded-For` and `X-Forwarded-Proto` are believed. Anyone can send those
/// headers; only a proxy we run sets them truthfully.
public struct TrustedProxies: Sendable, Equatable {
    public let ranges: [AddressRange]

    public init(_ ranges: [AddressRange] = []) { self.ranges = ranges }

    func trusts(_ address: String) -> Bool {
        guard let bytes = AddressRange.bytes(of: address) else { return false }
        return ranges.contains { $0.contains(bytes) }
    }

    /// The client's address: the peer's, or, when the peer is a trusted proxy, the nearest address in
    /// `X-Forwarded-For` (read from the right) that is not itself a trusted proxy.
    func clientAddress(peer: String?, forwardedFor: [String]) -> String? {
        guard var client = peer, trusts(client) else { return peer }
        let hops = forwardedFor.flatMap { $0.split(separator: ",") }.map { $0.trimmingCharacters(in: .whitespaces) }
        for hop in hops.reversed() {
            // A hop that is not an address ends the chain: what lies to its left cannot be checked.
            guard AddressRange.bytes(of: hop) != nil else { break }
            client = hop
            guard trusts(hop) else { break }
        }
        return client
    }

    /// Whether the client reached us over TLS: the request's own scheme, or a trusted proxy's `X-Forwarded-Proto`.
    func viaTLS(peer: String?, https: Bool, forwardedProto: String?) -> Bool {
        if https { return true }
        guard let peer, trusts(peer), let proto = forwardedProto else { return false }
        return proto.split(separator: ",").first?.trimmingCharacters(in: .whitespaces).lowercased() == "https"
    }
}

/// Resolves where each request comes from (`AppRequestContext.client`) before anything else uses it: the
/// failure limiter, the session cookie's Secure flag, HSTS, the logs.
struct ClientMiddleware: RouterMiddleware {
    typealias Context = AppRequestContext
    let proxies: TrustedProxies

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        func values(_ name: String) -> [String] { request.headers.filter { $0.name.canonicalName == name }.map(\.value) }
        var context = context
        let peer = context.remoteAddress?.ipAddress
        context.client = Client(
            address: proxies.clientAddress(peer: peer, forwardedFor: values("x-forwarded-for")),
            viaTLS: proxies.viaTLS(peer: peer, https: request.uri.scheme == .https, forwardedProto: values("x-forwarded-proto").first)
        )
        return try await next(request, context)
    }
}

/// Where a request comes from, as far as we can tell.
public struct Client: Sendable {
    /// The client's IP address; nil when unknown (tests without a socket).
    public var address: String?
    public var viaTLS: Bool
}
