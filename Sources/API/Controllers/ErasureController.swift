import Access
import Foundation
import Hummingbird
import Postgres

/// `POST /v1/erasures` (admin): erase an ambassador, a candidate or an audience member / visitor. Their
/// identifying fields go and their identifiers are replaced everywhere, so every aggregate stays the same.
struct ErasureController {
    let pool: ConnectionPool

    var endpoints: RouteCollection<AppRequestContext> {
        let routes = RouteCollection(context: AppRequestContext.self)
        routes.post("erasures", use: erase)
        return routes
    }

    struct Erasure: Decodable {
        let ambassadorID: String?
        let applicationID: String?
        let person: String?

        enum CodingKeys: String, CodingKey {
            case ambassadorID = "ambassador_id", applicationID = "application_id", person
        }
    }

    struct Erased: ResponseEncodable {
        let kind: String
        let rows: Int
    }

    @Sendable func erase(_ request: Request, context: AppRequestContext) async throws -> Erased {
        let identity = try context.require(.admin)
        let body: Erasure
        do {
            body = try await request.decode(as: Erasure.self, context: context)
        } catch {
            throw APIError(status: .badRequest, code: "invalid_body", message: "send exactly one of ambassador_id, application_id or person")
        }
        let targets: [(String, String, String)] = [
            body.ambassadorID.map { ("ambassador", "core.erase_ambassador", $0) },
            body.applicationID.map { ("candidate", "core.erase_candidate", $0) },
            body.person.map { ("person", "core.erase_person_hash", $0) },
        ].compactMap { $0 }
        guard targets.count == 1, let (kind, function, identifier) = targets.first, !identifier.isEmpty else {
            throw APIError(status: .badRequest, code: "invalid_body", message: "send exactly one of ambassador_id, application_id or person")
        }
        let rows = try await pool.tenantTransaction(identity.organization) { connection -> Int in
            let rows = try connection.query("SELECT \(function)($1, $2)", [identity.organization, identifier])[0].decode(Int.self, at: 0)
            // The audit log says that an erasure happened, never whom it erased.
            try APIKeys.audit(organization: identity.organization, actor: identity.keyID, action: "erasure.\(kind)", target: nil,
                              detail: ["rows": String(rows)], on: connection)
            return rows
        }
        return Erased(kind: kind, rows: rows)
    }
}
