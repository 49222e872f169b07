import Foundation
import HTTPTypes
import Hummingbird
import Postgres

/// Finds the organisation a request acts for. Until API keys exist, the caller names it in the
/// `X-Organization` header, by slug or id; access control replaces this with the key's organisation.
struct OrganizationDirectory: Sendable {
    static let header = HTTPField.Name("X-Organization")!
    let pool: ConnectionPool

    func organization(of request: Request) async throws -> UUID {
        guard let name = request.headers[Self.header]?.trimmingCharacters(in: .whitespaces), !name.isEmpty else {
            throw APIError(
                status: .badRequest, code: "missing_organization",
                message: "name the organisation in the X-Organization header (its slug or id)"
            )
        }
        // Not cached: an organisation can be deleted and made again under the same slug (seed-demo does).
        let rows = try await pool.query(
            "SELECT organization_id FROM core.organizations WHERE slug = $1 OR organization_id::text = lower($1)", [name]
        )
        guard let row = rows.first else {
            throw APIError(status: .badRequest, code: "unknown_organization", message: "no organisation named \"\(name)\"")
        }
        return try row.decode(UUID.self, at: 0)
    }
}
