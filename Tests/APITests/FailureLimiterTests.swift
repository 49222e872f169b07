import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import TestSupport
import Testing

@testable import API

/// The failure limiter and the client address it counts by (issue 14, point 2).
@Suite("Failure limiter")
struct FailureLimiterTests {
    static let unknownKey = "adv_" + String(repeating: "a", count: 32) + "_" + String(repeating: "x", count: 43)

    @Test("ten unknown keys from an address: its next failures are 429, its valid keys still pass")
    func validKeyFromBlockedAddress() async throws {
        let app = try await TestApp.make()
        try await app.test { client in
            for _ in 0..<10 {
                try await client.execute(uri: "/v1/kpis/catalog", method: .get, headers: app.headers(key: Self.unknownKey)) { response in
                    #expect(response.status == .unauthorized)
                }
            }
            try await client.execute(uri: "/v1/kpis/catalog", method: .get, headers: app.headers(key: Self.unknownKey)) { response in
                #expect(response.status == .tooManyRequests)
                #expect(Int(response.headers[.retryAfter] ?? "") ?? 0 > 0)
            }
            try await client.execute(uri: "/v1/kpis/catalog", method: .get, headers: app.headers) { response in
                #expect(response.status == .ok, "a valid key is never refused for someone else's failures")
            }
        }
    }

    @Test("ten wrong secrets naming another tenant's key id never lock that key out")
    func wrongSecretsDoNotLockOut() async throws {
        let victim = try await TestApp.make()
        let attacker = try await TestApp.make()
        let keyID = try #require(victim.key.split(separator: "_").dropFirst().first)
        let guess = "adv_\(keyID)_" + String(repeating: "G", count: 43)
        // Both tenants' requests reach the same server: one application, one limiter.
        try await victim.test { client in
            for _ in 0..<12 {
                try await client.execute(uri: "/v1/kpis/catalog", method: .get, headers: attacker.headers(key: guess)) { _ in }
            }
            try await client.execute(uri: "/v1/kpis/catalog", method: .get, headers: attacker.headers(key: guess)) { response in
                #expect(response.status == .tooManyRequests, "the guesses themselves are limited")
            }
            try await client.execute(uri: "/v1/kpis/catalog", method: .get, headers: victim.headers) { response in
                #expect(response.status == .ok)
            }
            let form: HTTPFields = [.contentType: "application/x-www-form-urlencoded", .origin: "http://localhost"]
            try await client.execute(uri: "/sign-in", method: .post, headers: form, body: ByteBuffer(string: "key=\(victim.key)")) { response in
                #expect(response.status == .found, "and the dashboards let it sign in")
            }
        }
    }

    @Test("unknown session cookies go through the same limiter")
    func cookiesAreLimited() async throws {
        let app = try await TestApp.make()
        try await app.test { client in
            let cookie: HTTPFields = [
                .cookie: "\(DashboardController.cookieName)=ses_\(String(repeating: "b", count: 32))_\(String(repeating: "y", count: 43))",
                .accept: "text/html",
            ]
            for _ in 0..<10 {
                try await client.execute(uri: "/dashboard/overview", method: .get, headers: cookie) { response in
                    #expect(response.status == .found)
                }
            }
            try await client.execute(uri: "/dashboard/overview", method: .get, headers: cookie) { response in
                #expect(response.status == .tooManyRequests)
                #expect(response.headers[.retryAfter] != nil)
            }
            // The same address's next unknown API key is refused as well: one limiter for both doors.
            try await client.execute(uri: "/v1/kpis/catalog", method: .get, headers: app.headers(key: Self.unknownKey)) { response in
                #expect(response.status == .tooManyRequests)
            }
        }
    }

    @Test("memory stays bounded under failures from many addresses, and a window later everything is forgotten")
    func boundedMemory() {
        let start = Date(timeIntervalSince1970: 1_000_000)
        let limiter = FailureLimiter(maximumFailures: 3, window: 60, capacity: 1000, now: start)
        for index in 0..<50_000 {
            limiter.recordFailure(.address("10.\(index >> 16).\((index >> 8) & 255).\(index & 255)"), now: start.addingTimeInterval(Double(index) / 1000))
        }
        #expect(limiter.usage.tracked <= 2000)
        #expect(limiter.usage.untracked > 0)
        // Blocking works and ends after the window.
        for _ in 0..<3 { limiter.recordFailure(.key(UUID(uuidString: "00000000-0000-0000-0000-000000000001")!), now: start.addingTimeInterval(200)) }
        let subject = FailureLimiter.Subject.key(UUID(uuidString: "00000000-0000-0000-0000-000000000001")!)
        #expect(limiter.retryAfter(subject, now: start.addingTimeInterval(200)) == 60)
        #expect(limiter.retryAfter(subject, now: start.addingTimeInterval(230)) == 30)
        #expect(limiter.retryAfter(subject, now: start.addingTimeInterval(261)) == nil)
        _ = limiter.retryAfter(subject, now: start.addingTimeInterval(1000))
        #expect(limiter.usage.tracked == 0)
    }

    @Test("X-Forwarded-For is believed only from a trusted proxy, read from the right, skipping trusted hops")
    func forwardedFor() throws {
        let proxies = TrustedProxies([try #require(AddressRange("10.0.0.0/8")), try #require(AddressRange("::1"))])
        #expect(proxies.clientAddress(peer: "203.0.113.9", forwardedFor: ["198.51.100.1"]) == "203.0.113.9", "an untrusted peer's header is ignored")
        #expect(proxies.clientAddress(peer: "10.1.2.3", forwardedFor: ["198.51.100.1"]) == "198.51.100.1")
        #expect(proxies.clientAddress(peer: "10.1.2.3", forwardedFor: ["6.6.6.6, 198.51.100.1, 10.9.9.9"]) == "198.51.100.1",
                "a client cannot pick its address by prepending to the header")
        #expect(proxies.clientAddress(peer: "::1", forwardedFor: ["6.6.6.6", "198.51.100.2"]) == "198.51.100.2")
        #expect(proxies.clientAddress(peer: "10.1.2.3", forwardedFor: ["not-an-address"]) == "10.1.2.3")
        #expect(proxies.clientAddress(peer: "10.1.2.3", forwardedFor: []) == "10.1.2.3")
        #expect(proxies.viaTLS(peer: "10.1.2.3", https: false, forwardedProto: "https"))
        #expect(!proxies.viaTLS(peer: "203.0.113.9", https: false, forwardedProto: "https"))
        #expect(AddressRange("10.0.0.0/33") == nil && AddressRange("example.com") == nil && AddressRange("fd00::/8") != nil)
    }

    @Test("behind a trusted proxy each client is limited apart and HSTS is sent over TLS; without one, the header changes nothing")
    func liveBehindProxy() async throws {
        var app = try await TestApp.make()
        let forwardedFor = HTTPField.Name("X-Forwarded-For")!
        let forwardedProto = HTTPField.Name("X-Forwarded-Proto")!
        for trusted in [true, false] {
            app.settings.trustedProxies = trusted ? TrustedProxies([AddressRange("127.0.0.1")!, AddressRange("::1")!]) : TrustedProxies()
            try await buildApplication(app.settings).test(.live) { [app] client in
                for _ in 0..<10 {
                    try await client.execute(uri: "/v1/kpis/catalog", method: .get,
                                             headers: app.headers(key: Self.unknownKey) + [forwardedFor: "203.0.113.5"]) { _ in }
                }
                try await client.execute(uri: "/v1/kpis/catalog", method: .get,
                                         headers: app.headers(key: Self.unknownKey) + [forwardedFor: "203.0.113.6"]) { response in
                    #expect(response.status == (trusted ? .unauthorized : .tooManyRequests), "trusted: \(trusted)")
                }
                try await client.execute(uri: "/v1/kpis/catalog", method: .get, headers: app.headers + [forwardedProto: "https"]) { response in
                    #expect(response.status == .ok)
                    #expect((response.headers[.strictTransportSecurity] != nil) == trusted, "trusted: \(trusted)")
                }
            }
        }
    }
}
