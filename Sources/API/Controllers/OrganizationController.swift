import Access
import Foundation
import Hummingbird
import Postgres

/// Admin only: `GET /v1/organization/settings` and `PATCH /v1/organization/settings` (the settings given change,
/// the others stay; each change is in the audit log).
struct OrganizationController {
    let pool: ConnectionPool

    var endpoints: RouteCollection<AppRequestContext> {
        let routes = RouteCollection(context: AppRequestContext.self)
        routes.get("organization/settings", use: show)
        routes.patch("organization/settings", use: change)
        return routes
    }

    /// A PATCH body: every member optional.
    struct Change: JSONBodyFields {
        let leadConversionWindowDays: Int?
        let hireConversionWindowDays: Int?
        let ambassadorsSeeNames: Bool?

        enum CodingKeys: String, CodingKey {
            case leadConversionWindowDays = "lead_conversion_window_days", hireConversionWindowDays = "hire_conversion_window_days"
            case ambassadorsSeeNames = "ambassadors_see_names"
        }

        static let fields: Set<String> = ["lead_conversion_window_days", "hire_conversion_window_days", "ambassadors_see_names"]
    }

    @Sendable func show(_ request: Request, context: AppRequestContext) async throws -> Organizations.Settings {
        let identity = try context.require(.admin)
        return try await pool.tenantTransaction(identity.organization) { connection in
            try Organizations.settings(of: identity.organization, on: connection)
        }
    }

    @Sendable func change(_ request: Request, context: AppRequestContext) async throws -> Organizations.Settings {
        let identity = try context.require(.admin)
        let change = try await JSONBody.decode(Change.self, from: request, example: "{\"lead_conversion_window_days\": 90, \"hire_conversion_window_days\": 60, \"ambassadors_see_names\": false} (any of them)")
        for (name, value) in [("lead_conversion_window_days", change.leadConversionWindowDays), ("hire_conversion_window_days", change.hireConversionWindowDays)] {
            if let value, !Organizations.Settings.windowDays.contains(value) {
                let range = Organizations.Settings.windowDays
                throw APIError.badParameter(name, "\(name) must be a whole number of days from \(range.lowerBound) to \(range.upperBound), not \(value)")
            }
        }
        return try await pool.tenantTransaction(identity.organization) { connection in
            var settings = try Organizations.settings(of: identity.organization, on: connection)
            settings.leadConversionWindowDays = change.leadConversionWindowDays ?? settings.leadConversionWindowDays
            settings.hireConversionWindowDays = change.hireConversionWindowDays ?? settings.hireConversionWindowDays
            settings.ambassadorsSeeNames = change.ambassadorsSeeNames ?? settings.ambassadorsSeeNames
            try Organizations.update(settings, of: identity.organization, actor: identity.keyID, on: connection)
            return settings
        }
    }
}

extension Organizations.Settings: ResponseEncodable {}
