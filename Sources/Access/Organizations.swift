import Foundation
import Postgres

/// The tenants: creating, finding and deleting an organisation (the owner of `core.organizations`).
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

    /// Deletes the organisation with this slug, if any, with all its rows (`core.delete_organization`).
    public static func delete(slug: String, on connection: PostgresConnection) throws {
        try connection.query("SELECT core.delete_organization(organization_id) FROM core.organizations WHERE slug = $1", [slug])
    }
}
