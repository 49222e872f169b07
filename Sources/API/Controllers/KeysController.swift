import Access
import Foundation
import Hummingbird
import Postgres

/// Admin only: `POST /v1/keys` (the key is shown once), `GET /v1/keys` (never the secret),
/// `DELETE /v1/keys/{key_id}` (revoke), `GET /v1/audit` (what admins did).
struct KeysController {
    let pool: ConnectionPool

    var endpoints: RouteCollection<AppRequestContext> {
        let routes = RouteCollection(context: AppRequestContext.self)
        routes.post("keys", use: create)
        routes.get("keys", use: list)
        routes.delete("keys/{key_id}", use: revoke)
        routes.get("audit", use: audit)
        return routes
    }

    struct NewKey: JSONBodyFields {
        let name: String
        let scopes: [String]
        /// The ambassador an `ambassador` key reads (required with that scope, which then stands alone).
        let ambassadorID: String?
        let expiresAt: Date?

        enum CodingKeys: String, CodingKey {
            case name, scopes, ambassadorID = "ambassador_id", expiresAt = "expires_at"
        }

        static let fields: Set<String> = ["name", "scopes", "ambassador_id", "expires_at"]
    }

    struct CreatedKey: ResponseEncodable {
        let keyID: UUID
        let key: String
        let name: String
        let scopes: [String]
        let ambassadorID: String?

        enum CodingKeys: String, CodingKey {
            case keyID = "key_id", key, name, scopes, ambassadorID = "ambassador_id"
        }
    }

    @Sendable func create(_ request: Request, context: AppRequestContext) async throws -> EditedResponse<CreatedKey> {
        let identity = try context.require(.admin)
        let body = try await JSONBody.decode(NewKey.self, from: request, example: "{\"name\": \"crm-connector\", \"scopes\": [\"ingest\"], \"expires_at\": \"2027-01-01T00:00:00Z\"}")
        let scopes = try Set(body.scopes.map { name in
            guard let scope = Scope(rawValue: name) else {
                throw APIError.badParameter("scopes", "scopes must be among \(Scope.allCases.map(\.rawValue).joined(separator: ", ")), not \"\(name)\"")
            }
            return scope
        })
        guard !scopes.isEmpty else { throw APIError.badParameter("scopes", "a key needs at least one scope") }
        guard (1...200).contains(body.name.unicodeScalars.count) else { throw APIError.badParameter("name", "name must be 1 to 200 characters") }
        guard !body.name.unicodeScalars.contains("\0") else {
            throw APIError.badParameter("name", "name must not contain a NUL character (\\u0000)")
        }
        if let (field, message) = APIKeys.bindingProblem(scopes: scopes, ambassador: body.ambassadorID) {
            throw APIError.badParameter(field, message)
        }
        let created = try await pool.tenantTransaction(identity.organization) { connection in
            try APIKeys.create(organization: identity.organization, name: body.name, scopes: scopes, ambassador: body.ambassadorID,
                               expiresAt: body.expiresAt, actor: identity.keyID, on: connection)
        }
        return EditedResponse(
            status: .created,
            response: CreatedKey(
                keyID: created.keyID, key: created.key, name: body.name, scopes: scopes.map(\.rawValue).sorted(), ambassadorID: body.ambassadorID
            )
        )
    }

    @Sendable func list(_ request: Request, context: AppRequestContext) async throws -> [APIKeys.Summary] {
        let identity = try context.require(.admin)
        return try await APIKeys.list(organization: identity.organization, on: pool)
    }

    @Sendable func revoke(_ request: Request, context: AppRequestContext) async throws -> Response {
        let identity = try context.require(.admin)
        guard let keyID = context.parameters.get("key_id").flatMap(UUID.init(uuidString:)) else {
            throw APIError.badParameter("key_id", "key_id must be a key's id (a UUID)")
        }
        // So that an admin cannot lock themselves out by mistake; another admin key can.
        guard keyID != identity.keyID else {
            throw APIError(status: .conflict, code: "own_key", message: "a key cannot revoke itself: revoke it with another admin key")
        }
        let revoked = try await APIKeys.revoke(organization: identity.organization, keyID: keyID, actor: identity.keyID, on: pool)
        guard revoked else { throw APIError(status: .notFound, code: "not_found", message: "no key \(keyID) in this organisation") }
        return Response(status: .noContent)
    }

    @Sendable func audit(_ request: Request, context: AppRequestContext) async throws -> [AuditLog.Entry] {
        let identity = try context.require(.admin)
        return try await AuditLog.entries(organization: identity.organization, on: pool)
    }
}
