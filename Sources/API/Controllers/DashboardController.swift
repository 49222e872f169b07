import Access
import Computation
import Dashboards
import Foundation
import HTTPTypes
import Hummingbird
import Postgres
import Vocabulary

/// The dashboards in the browser: `/sign-in` with an organisation key, which a session cookie then carries
/// (HttpOnly, SameSite=Strict, Secure behind TLS), `/dashboard/{page}` rendered on the server, `/sign-out`.
/// Each page honours the key's scopes: marketing pages need `marketing`, the HR page `hr`; an HR key sees
/// the candidate KPIs only on the overview.
struct DashboardController {
    static let cookieName = "advocacy_key"
    let pool: ConnectionPool
    let limiter: FailureLimiter

    var endpoints: RouteCollection<AppRequestContext> {
        let routes = RouteCollection(context: AppRequestContext.self)
        routes.get { _, _ in Response.redirect(to: "/dashboard/overview", type: .normal) }
        routes.get("sign-in") { _, _ in Self.html(.ok, Dashboards.signIn(message: nil)) }
        routes.post("sign-in", use: signIn)
        routes.post("sign-out") { request, _ in
            var response = Response.redirect(to: "/sign-in", type: .found)
            response.setCookie(Self.cookie("", maxAge: 0, secure: Self.isTLS(request)))
            return response
        }
        routes.get("dashboard") { _, _ in Response.redirect(to: "/dashboard/overview", type: .normal) }
        routes.get("dashboard/:page", use: page)
        return routes
    }

    static func html(_ status: HTTPResponse.Status, _ body: String) -> Response {
        Response(status: status, headers: [.contentType: "text/html; charset=utf-8", .cacheControl: "no-store"],
                 body: .init(byteBuffer: ByteBuffer(string: body)))
    }

    /// Behind a TLS-terminating proxy the request says so; the cookie is then Secure.
    static func isTLS(_ request: Request) -> Bool {
        request.uri.scheme == .https || request.headers[Self.forwardedProto]?.lowercased() == "https"
    }

    static let forwardedProto = HTTPField.Name("X-Forwarded-Proto") ?? .via

    static func cookie(_ value: String, maxAge: Int, secure: Bool) -> Cookie {
        Cookie(name: cookieName, value: value, maxAge: maxAge, path: "/", secure: secure, httpOnly: true, sameSite: .strict)
    }

    @Sendable func signIn(_ request: Request, context: AppRequestContext) async throws -> Response {
        let body = try await request.body.collect(upTo: 16 << 10)
        let form = URLComponents(string: "?" + String(buffer: body).replacingOccurrences(of: "+", with: " "))?.queryItems ?? []
        let key = (form.first { $0.name == "key" }?.value ?? "").trimmingCharacters(in: .whitespaces)
        let subjects = [APIKeys.keyID(of: key).map { "key:\($0)" }, context.remoteAddress?.ipAddress.map { "ip:\($0)" }].compactMap { $0 }
        if let wait = limiter.blocked(subjects) {
            return Self.html(.tooManyRequests, Dashboards.signIn(message: "Too many failed attempts: try again in \(wait) s."))
        }
        switch try await APIKeys.verify(key, on: pool) {
        case .failure(let refusal):
            limiter.recordFailure(subjects)
            return Self.html(.unauthorized, Dashboards.signIn(message: "This key cannot sign in: \(refusal.message)."))
        case .success:
            var response = Response.redirect(to: "/dashboard/overview", type: .found)
            response.setCookie(Self.cookie(key, maxAge: 8 * 3600, secure: Self.isTLS(request)))
            return response
        }
    }

    @Sendable func page(_ request: Request, context: AppRequestContext) async throws -> Response {
        guard let key = request.cookies[Self.cookieName]?.value, !key.isEmpty,
              case .success(let identity) = try await APIKeys.verify(key, on: pool)
        else {
            return Response.redirect(to: "/sign-in", type: .found)
        }
        let pages = DashboardPage.allCases.filter { page in
            switch page {
            case .overview: identity.has(anyOf: [.marketing, .hr])
            case .hr: identity.has(anyOf: [.hr])
            default: identity.has(anyOf: [.marketing])
            }
        }
        guard let page = DashboardPage(rawValue: try context.parameters.require("page")) else {
            return Self.html(.notFound, Dashboards.message(title: "No such page", text: "This dashboard does not exist."))
        }
        guard pages.contains(page) else {
            return Self.html(.forbidden, Dashboards.message(
                title: "Not for this key", text: "The key you signed in with lacks the scope of the \(page.title) page."
            ))
        }
        let query = request.uri.queryParameters
        func given(_ name: String) -> String? { query[Substring(name)].map(String.init).flatMap { $0.isEmpty ? nil : $0 } }
        do {
            let named = given("period") ?? (given("from") == nil && given("to") == nil ? NamedPeriod.last30Days.rawValue : nil)
            let period = try await Period.resolve(
                name: named, from: named == nil ? given("from") : nil, to: named == nil ? given("to") : nil,
                organization: identity.organization, pool: pool
            )
            guard let granularity = Granularity(rawValue: given("granularity") ?? Granularity.week.rawValue) else {
                throw PeriodError(parameter: "granularity", message: "granularity must be \(Granularity.listed)")
            }
            var filters = KPIFilters()
            for dimension in page.filters {
                filters[dimension] = dimension == .network ? given(dimension.rawValue)?.lowercased() : given(dimension.rawValue)
            }
            let view = DashboardView(page: page, period: period, periodName: named, granularity: granularity, filters: filters,
                                     pages: pages, keyName: identity.scopes.map(\.rawValue).sorted().joined(separator: ", ") + " key")
            let hrOnly = !identity.has(anyOf: [.marketing])
            return Self.html(.ok, try await Dashboards.render(view, organization: identity.organization, hrOnly: hrOnly, pool: pool))
        } catch let error as PeriodError {
            return Self.html(.badRequest, Dashboards.message(title: "Check the \(error.parameter)", text: error.message))
        }
    }
}
