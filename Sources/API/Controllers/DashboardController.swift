import Access
import Computation
import Dashboards
import Foundation
import HTTPTypes
import Hummingbird
import Postgres
import Vocabulary

/// The dashboards in the browser: `/sign-in` with an organisation key opens a server-side session whose opaque
/// token a cookie carries (HttpOnly, SameSite=Strict, Secure behind TLS), `/dashboard/{page}` rendered on the
/// server, `/sign-out` ends the session. Sign-in and sign-out accept only requests from our own pages (their
/// Origin, or Referer, names this host). Each page honours the key's scopes: marketing pages need
/// `marketing`, the HR page `hr`; an HR key sees the candidate KPIs only on the overview.
struct DashboardController {
    static let cookieName = "advocacy_session"
    /// The primary: sessions are opened and closed there.
    let pool: ConnectionPool
    /// The read pool: the pages' numbers.
    let reads: ConnectionPool
    let lag: ReplicaLag
    let credentials: Credentials

    var endpoints: RouteCollection<AppRequestContext> {
        let routes = RouteCollection(context: AppRequestContext.self)
        routes.get { _, _ in Response.redirect(to: "/dashboard/overview", type: .normal) }
        routes.get("sign-in") { _, _ in Self.html(.ok, Dashboards.signIn(message: nil)) }
        routes.post("sign-in", use: signIn)
        routes.post("sign-out", use: signOut)
        routes.get("dashboard") { _, _ in Response.redirect(to: "/dashboard/overview", type: .normal) }
        routes.get("dashboard.css") { _, _ in
            Response(status: .ok, headers: [.contentType: "text/css; charset=utf-8", .cacheControl: "public, max-age=3600"],
                     body: .init(byteBuffer: ByteBuffer(string: Dashboards.stylesheet)))
        }
        routes.get("dashboard/:page", use: page)
        return routes
    }

    static func html(_ status: HTTPResponse.Status, _ body: String) -> Response {
        Response(status: status, headers: [.contentType: "text/html; charset=utf-8", .cacheControl: "no-store"],
                 body: .init(byteBuffer: ByteBuffer(string: body)))
    }

    func cookie(_ value: String, maxAge: Int, context: AppRequestContext) -> Cookie {
        Cookie(name: Self.cookieName, value: value, maxAge: maxAge, path: "/", secure: context.client.viaTLS, httpOnly: true, sameSite: .strict)
    }

    /// Whether a form post comes from a page of this host: its Origin (or, without one, its Referer) names the
    /// host the request was sent to. A cross-site form can set neither.
    static func isSameOrigin(_ request: Request) -> Bool {
        guard let host = request.head.authority ?? request.headers.first(where: { $0.name.canonicalName == "host" })?.value,
              let source = request.headers[.origin] ?? request.headers[.referer],
              let url = URL(string: source), let sourceHost = url.host
        else { return false }
        let sourceAuthority = url.port.map { "\(sourceHost):\($0)" } ?? sourceHost
        return sourceAuthority.lowercased() == host.lowercased()
    }

    static let crossSite = html(.forbidden, Dashboards.message(
        title: "Request refused", text: "This form must be sent from this site's own sign-in page."
    ))

    @Sendable func signIn(_ request: Request, context: AppRequestContext) async throws -> Response {
        guard Self.isSameOrigin(request) else { return Self.crossSite }
        let body = try await request.body.collect(upTo: 16 << 10)
        let form = URLComponents(string: "?" + String(buffer: body).replacingOccurrences(of: "+", with: " "))?.queryItems ?? []
        let key = (form.first { $0.name == "key" }?.value ?? "").trimmingCharacters(in: .whitespaces)
        switch try await credentials.key(key, from: context.client.address) {
        case .tooManyFailures(let wait):
            var response = Self.html(.tooManyRequests, Dashboards.signIn(message: "Too many failed attempts: try again in \(wait) s."))
            response.headers[.retryAfter] = "\(wait)"
            return response
        case .refused(let refusal):
            return Self.html(.unauthorized, Dashboards.signIn(message: "This key cannot sign in: \(refusal.message)."))
        case .valid(let identity):
            let token = try await Sessions.open(for: identity, settings: credentials.sessions, on: pool)
            let first = Self.pages(for: identity).first ?? .overview
            var response = Response.redirect(to: "/dashboard/\(first.rawValue)", type: .found)
            response.setCookie(cookie(token, maxAge: Int(credentials.sessions.lifetime.components.seconds), context: context))
            return response
        }
    }

    /// The pages a key may open: an ambassador's key its own page alone.
    static func pages(for identity: Identity) -> [DashboardPage] {
        DashboardPage.allCases.filter { page in
            switch page {
            case .overview: identity.has(anyOf: [.marketing, .hr])
            case .hr: identity.has(anyOf: [.hr])
            case .me: identity.ambassadorID != nil
            default: identity.has(anyOf: [.marketing])
            }
        }
    }

    @Sendable func signOut(_ request: Request, context: AppRequestContext) async throws -> Response {
        guard Self.isSameOrigin(request) else { return Self.crossSite }
        if let token = request.cookies[Self.cookieName]?.value, !token.isEmpty {
            try await Sessions.close(token, on: pool)
        }
        var response = Response.redirect(to: "/sign-in", type: .found)
        response.setCookie(cookie("", maxAge: 0, context: context))
        return response
    }

    /// Without a valid session: a browser (it accepts HTML) goes to the sign-in form, any other client gets 401.
    static func signInFirst(_ request: Request) -> Response {
        guard request.headers[.accept]?.contains("text/html") == true else {
            return html(.unauthorized, Dashboards.message(title: "Sign in first", text: "Open /sign-in to sign in with an organisation key."))
        }
        return Response.redirect(to: "/sign-in", type: .found)
    }

    @Sendable func page(_ request: Request, context: AppRequestContext) async throws -> Response {
        guard let token = request.cookies[Self.cookieName]?.value, !token.isEmpty else { return Self.signInFirst(request) }
        let identity: Identity
        switch try await credentials.session(token, from: context.client.address) {
        case .valid(let valid):
            identity = valid
            context.observation.organization = valid.organization
        case .refused: return Self.signInFirst(request)
        case .tooManyFailures(let wait):
            var response = Self.html(.tooManyRequests, Dashboards.message(
                title: "Too many failed attempts", text: "Try again in \(wait) s."
            ))
            response.headers[.retryAfter] = "\(wait)"
            return response
        }
        let pages = Self.pages(for: identity)
        guard let page = DashboardPage(rawValue: try context.parameters.require("page")) else {
            return Self.html(.notFound, Dashboards.message(title: "No such page", text: "This dashboard does not exist."))
        }
        guard pages.contains(page) else {
            return Self.html(.forbidden, Dashboards.message(
                title: "Not for this key", text: "The key you signed in with lacks the scope of the \(page.title) page."
            ))
        }
        let query = request.uri.queryParameters
        // The picker form sends every field, empty when unused: empty is the same as left out.
        func given(_ name: String) -> String? { query[Substring(name)].map(String.init).flatMap { $0.isEmpty ? nil : $0 } }
        do {
            // A filter a page does not take is ignored, but none of the page's parameters may hold a NUL.
            let parameters = ["period", "from", "to", "granularity"] + BreakdownDimension.allCases.map(\.rawValue)
            if let name = parameters.first(where: { query[Substring($0)]?.contains("\0") == true }) {
                throw PeriodError(parameter: name, message: "\(name) contains a NUL character")
            }
            if query["dashboard_period"] != nil {
                throw PeriodError(parameter: "dashboard_period", message: "send period, or from and to, each as a query parameter of its own")
            }
            if let name = Period.bracketedParameter(among: query.map(\.key)) {
                throw PeriodError(parameter: name, message: "\(name) takes one plain value, not an object or a list")
            }
            for name in ["from", "to"] {
                if let date = given(name), Period.dayNumber(date) == nil {
                    throw PeriodError(parameter: name, message: "\(name) must be a date like 2026-03-31, not \"\(date)\"")
                }
            }
            // A named period wins over the dates the form still holds beside it.
            let named = given("period") ?? (given("from") == nil && given("to") == nil ? NamedPeriod.last30Days.rawValue : nil)
            let period = try await Period.resolve(
                name: named, from: named == nil ? given("from") : nil, to: named == nil ? given("to") : nil,
                organization: identity.organization, pool: reads
            )
            guard let granularity = Granularity(rawValue: query["granularity"].map(String.init) ?? Granularity.week.rawValue) else {
                throw PeriodError(parameter: "granularity", message: "granularity must be \(Granularity.listed)")
            }
            if let network = given("network"), Network(rawValue: network) == nil {
                throw PeriodError(parameter: "network", message: "network must be one of \(Network.names.joined(separator: ", "))")
            }
            var filters = KPIFilters()
            for dimension in page.filters {
                filters[dimension] = given(dimension.rawValue)
            }
            let view = DashboardView(page: page, period: period, periodName: named, granularity: granularity, filters: filters,
                                     pages: pages, keyName: identity.scopes.map(\.rawValue).sorted().joined(separator: ", ") + " key",
                                     ambassador: identity.ambassadorID)
            let hrOnly = !identity.has(anyOf: [.marketing])
            var response = Self.html(.ok, try await Dashboards.render(view, organization: identity.organization, hrOnly: hrOnly, pool: reads))
            try await lag.annotate(&response)
            return response
        } catch let error as PeriodError {
            return Self.html(error.inconsistent ? .unprocessableContent : .badRequest, Dashboards.message(title: "Check the \(error.parameter)", text: error.message))
        }
    }
}
