import Foundation
import Postgres

/// The tenants: creating, finding, configuring and deleting an organisation (the owner of `core.organizations`).
/// The command line, the demo seeder and the tests go through here; the service never creates one.
public enum Organizations {
    /// What an organisation is created with; the database's defaults apply to what is left out.
    public struct New: Sendable {
        public var slug: String
        public var name: String
        public var currency: String
        public var timeZone: String
        public var careersPath: String

        public init(slug: String, name: String, currency: String = "EUR", timeZone: String = "UTC", careersPath: String = "/careers") {
            self.slug = slug
            self.name = name
            self.currency = currency
            self.timeZone = timeZone
            self.careersPath = careersPath
        }
    }

    /// - Returns: the new organisation's id.
    /// - Throws: `PostgresError` with the violated constraint (a taken slug, an unknown time zone...).
    public static func create(_ new: New, on connection: PostgresConnection) throws -> UUID {
        try connection.query(
            """
            INSERT INTO core.organizations (slug, name, currency, time_zone, careers_path)
            VALUES ($1, $2, $3, $4, $5) RETURNING organization_id
            """,
            [new.slug, new.name, new.currency, new.timeZone, new.careersPath]
        )[0].decode(UUID.self, at: 0)
    }

    /// The organisation with this slug, or with this id (any case). - Returns: nil when there is none.
    public static func find(_ slugOrID: String, on connection: PostgresConnection) throws -> UUID? {
        try connection.query(
            "SELECT organization_id FROM core.organizations WHERE slug = $1 OR organization_id::text = lower($1)", [slugOrID]
        ).first?.decode(UUID.self, at: 0)
    }

    /// What an admin may set of their organisation: the windows of the "converted within N days" rates
    /// (`kpi.conversion_maturity`), and whether an ambassador's view shows the others' display names.
    public struct Settings: Codable, Sendable, Equatable {
        public static let windowDays = 1...730

        public var leadConversionWindowDays: Int
        public var hireConversionWindowDays: Int
        public var ambassadorsSeeNames: Bool

        public init(leadConversionWindowDays: Int, hireConversionWindowDays: Int, ambassadorsSeeNames: Bool) {
            self.leadConversionWindowDays = leadConversionWindowDays
            self.hireConversionWindowDays = hireConversionWindowDays
            self.ambassadorsSeeNames = ambassadorsSeeNames
        }

        enum CodingKeys: String, CodingKey {
            case leadConversionWindowDays = "lead_conversion_window_days", hireConversionWindowDays = "hire_conversion_window_days"
            case ambassadorsSeeNames = "ambassadors_see_names"
        }
    }

    public static func settings(of organization: UUID, on connection: PostgresConnection) throws -> Settings {
        let row = try connection.query(
            """
            SELECT lead_conversion_window_days, hire_conversion_window_days, ambassadors_see_names
            FROM core.organizations WHERE organization_id = $1
            """,
            [organization]
        )[0]
        return Settings(
            leadConversionWindowDays: try row.decode(Int.self, at: 0), hireConversionWindowDays: try row.decode(Int.self, at: 1),
            ambassadorsSeeNames: try row.decode(Bool.self, at: 2)
        )
    }

    /// Saves the settings and records the change in the audit log (what each setting was and became).
    public static func update(_ settings: Settings, of organization: UUID, actor: UUID?, on connection: PostgresConnection) throws {
        let before = try Self.settings(of: organization, on: connection)
        try connection.query(
            """
            UPDATE core.organizations
            SET lead_conversion_window_days = $2, hire_conversion_window_days = $3, ambassadors_see_names = $4
            WHERE organization_id = $1
            """,
            [organization, settings.leadConversionWindowDays, settings.hireConversionWindowDays, settings.ambassadorsSeeNames]
        )
        try AuditLog.record(
            organization: organization, actor: actor, action: "organization.settings_changed", target: nil,
            detail: [
                "lead_conversion_window_days": "\(before.leadConversionWindowDays) -> \(settings.leadConversionWindowDays)",
                "hire_conversion_window_days": "\(before.hireConversionWindowDays) -> \(settings.hireConversionWindowDays)",
                "ambassadors_see_names": "\(before.ambassadorsSeeNames) -> \(settings.ambassadorsSeeNames)",
            ],
            on: connection
        )
    }

    /// Deletes the organisation with this slug, if any, with all its rows (`core.delete_organization`).
    public static func delete(slug: String, on connection: PostgresConnection) throws {
        try connection.query("SELECT core.delete_organization(organization_id) FROM core.organizations WHERE slug = $1", [slug])
    }
}
