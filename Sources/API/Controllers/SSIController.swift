import Access
import Computation
import Foundation
import Hummingbird
import Postgres
import Vocabulary

/// `GET /v1/ssi`: SSI analytics at a date (summary, bands, leaderboard, most improved, goals);
/// `GET /v1/ssi/leaderboard` (JSON or CSV); `PUT /v1/ssi/goals/{ambassador_id}` sets a goal.
struct SSIController {
    /// The primary: goals are written there.
    let pool: ConnectionPool
    /// The read pool: the SSI views.
    let reads: ConnectionPool

    var endpoints: RouteCollection<AppRequestContext> {
        let routes = RouteCollection(context: AppRequestContext.self)
        routes.get("ssi", use: overview)
        routes.get("ssi/leaderboard", use: leaderboard)
        routes.put("ssi/goals/{ambassador_id}", use: setGoal)
        return routes
    }

    /// A date parameter, defaulting to today (UTC).
    static func date(_ request: Request, _ name: String, default value: String) throws -> String {
        guard let text = request.uri.queryParameters[Substring(name)].map(String.init) else { return value }
        guard Period.dayNumber(text) != nil else {
            throw APIError.badParameter(name, "\(name) must be a date like 2026-03-31, not \"\(text)\"")
        }
        return text
    }

    static func today() -> String {
        let formatter = DateFormatter()
        formatter.dateFormat = "yyyy-MM-dd"
        formatter.timeZone = TimeZone(identifier: "UTC")
        return formatter.string(from: Date())
    }

    @Sendable func overview(_ request: Request, context: AppRequestContext) async throws -> Response {
        let organization = try context.require(.marketing).organization
        let date = try Self.date(request, "date", default: Self.today())
        // The most improved are over the month up to the date asked, unless told otherwise.
        let since = try Self.date(request, "improved_since", default: Period.monthBefore(date) ?? date)
        guard since <= date else {
            throw APIError.inconsistent("improved_since", "improved_since (\(since)) is after date (\(date))")
        }
        let team = request.uri.queryParameters["team"].map(String.init)
        return try Response.encoded(
            try await SSIAnalytics.overview(organization: organization, date: date, team: team, improvedSince: since, pool: reads)
        )
    }

    @Sendable func leaderboard(_ request: Request, context: AppRequestContext) async throws -> Response {
        let organization = try context.require(.marketing).organization
        let format = try KPIController.format(of: request)
        let date = try Self.date(request, "date", default: Self.today())
        let team = request.uri.queryParameters["team"].map(String.init)
        switch format {
        case .csv:
            let body = try await SSIAnalytics.leaderboardCSV(organization: organization, date: date, team: team, pool: reads)
            return KPIController.csv(body, fileName: "ssi-leaderboard-\(date)")
        case .json:
            return try Response.encoded(try await SSIAnalytics.leaderboard(organization: organization, date: date, team: team, pool: reads))
        }
    }

    struct Goal: JSONBodyFields {
        let targetScore: Decimal
        let targetDate: String

        enum CodingKeys: String, CodingKey {
            case targetScore = "target_score", targetDate = "target_date"
        }

        static let fields: Set<String> = ["target_score", "target_date"]
    }

    @Sendable func setGoal(_ request: Request, context: AppRequestContext) async throws -> Response {
        let identity = try context.require(.admin)
        let organization = identity.organization
        guard let ambassadorID = context.parameters.get("ambassador_id"), ExternalID.isValid(ambassadorID) else {
            throw APIError.badParameter("ambassador_id", "ambassador_id must be 1 to 200 characters, without control characters")
        }
        let goal = try await JSONBody.decode(Goal.self, from: request, example: "{\"target_score\": 75, \"target_date\": \"2026-12-24\"}")
        guard goal.targetScore >= SSIChallenges.smallestTarget, goal.targetScore <= 100 else {
            throw APIError.badParameter("target_score", "target_score must be from 0.01 to 100")
        }
        guard Period.dayNumber(goal.targetDate) != nil else {
            throw APIError.badParameter("target_date", "target_date must be a date like 2026-12-24")
        }
        try await SSIAnalytics.setGoal(
            organization: organization, ambassadorID: ambassadorID, targetScore: "\(goal.targetScore)", targetDate: goal.targetDate, pool: pool
        )
        try await pool.tenantTransaction(organization) { connection in
            try AuditLog.record(
                organization: organization, actor: identity.keyID, action: "ssi_goal.set", target: ambassadorID,
                detail: ["target_score": "\(goal.targetScore)", "target_date": goal.targetDate], on: connection
            )
        }
        return Response(status: .noContent)
    }
}
