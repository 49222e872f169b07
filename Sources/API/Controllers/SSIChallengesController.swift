import Access
import Computation
import Foundation
import Hummingbird
import Postgres

/// SSI challenges and the monthly sheet: `POST /v1/ssi/challenges` (admin, audited), `GET /v1/ssi/challenges`,
/// `GET /v1/ssi/challenges/{challenge_id}` (the standings at `date`, default today), `GET /v1/ssi/monthly`
/// (each ambassador's SSI per month of the period, JSON or CSV).
struct SSIChallengesController {
    /// The primary: challenges are written there.
    let pool: ConnectionPool
    /// The read pool: standings and the monthly sheet.
    let reads: ConnectionPool

    var endpoints: RouteCollection<AppRequestContext> {
        let routes = RouteCollection(context: AppRequestContext.self)
        routes.post("ssi/challenges", use: create)
        routes.get("ssi/challenges", use: list)
        routes.get("ssi/challenges/{challenge_id}", use: standings)
        routes.get("ssi/monthly", use: monthly)
        return routes
    }

    @Sendable func create(_ request: Request, context: AppRequestContext) async throws -> EditedResponse<SSIChallenges.Challenge> {
        let identity = try context.require(.admin)
        let new = try await JSONBody.decode(SSIChallenges.New.self, from: request, example: #"{"name": "5 points by the end of the month", "teams": ["Sales"], "starts_on": "2026-12-01", "ends_on": "2026-12-31", "target_gain": 5} (or "target_score": 50)"#)
        if let (field, message, inconsistent) = new.problem {
            throw inconsistent ? APIError.inconsistent(field, message) : APIError.badParameter(field, message)
        }
        let created = try await pool.tenantTransaction(identity.organization) { connection in
            let challenge = try SSIChallenges.create(new, organization: identity.organization, on: connection)
            try AuditLog.record(
                organization: identity.organization, actor: identity.keyID, action: "ssi_challenge.created",
                target: challenge.challengeID.uuidString.lowercased(), detail: ["name": challenge.name], on: connection
            )
            return challenge
        }
        return EditedResponse(status: .created, response: created)
    }

    @Sendable func list(_ request: Request, context: AppRequestContext) async throws -> Response {
        let organization = try context.require(.marketing).organization
        return try Response.encoded(try await SSIChallenges.list(organization: organization, pool: reads))
    }

    @Sendable func standings(_ request: Request, context: AppRequestContext) async throws -> Response {
        let organization = try context.require(.marketing).organization
        guard let id = context.parameters.get("challenge_id").flatMap(UUID.init(uuidString:)) else {
            throw APIError.badParameter("challenge_id", "challenge_id must be a challenge's id (a UUID)")
        }
        let date = try SSIController.date(request, "date", default: SSIController.today())
        guard let standings = try await SSIChallenges.standings(organization: organization, challengeID: id, date: date, pool: reads) else {
            throw APIError(status: .notFound, code: "not_found", message: "no SSI challenge \(id.uuidString.lowercased())")
        }
        return try Response.encoded(standings)
    }

    @Sendable func monthly(_ request: Request, context: AppRequestContext) async throws -> Response {
        let organization = try context.require(.marketing).organization
        let format = try KPIController.format(of: request)
        let period = try await KPIController.period(of: request, organization: organization, pool: reads)
        let team = request.uri.queryParameters["team"].map(String.init)
        switch format {
        case .csv:
            let body = try await SSIChallenges.monthlyCSV(organization: organization, period: period, team: team, pool: reads)
            return KPIController.csv(body, fileName: "ssi-monthly-\(period.from)-\(period.to)")
        case .json:
            return try Response.encoded(try await SSIChallenges.monthly(organization: organization, period: period, team: team, pool: reads))
        }
    }
}

extension SSIChallenges.Challenge: ResponseEncodable {}

extension SSIChallenges.New: JSONBodyFields {
    static let fields: Set<String> = ["name", "teams", "starts_on", "ends_on", "target_gain", "target_score"]
}
