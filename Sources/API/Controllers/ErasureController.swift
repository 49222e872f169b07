import Access
import Foundation
import Hummingbird
import Postgres
import Vocabulary

/// `POST /v1/erasures` (admin): erase an ambassador, a candidate or an audience member / visitor. Their
/// identifying fields go and their identifiers are replaced everywhere, so every aggregate stays the same.
struct ErasureController {
    let pool: ConnectionPool

    var endpoints: RouteCollection<AppRequestContext> {
        let routes = RouteCollection(context: AppRequestContext.self)
        routes.post("erasures", use: erase)
        return routes
    }

    struct ErasureRequest: JSONBodyFields {
        let ambassadorID: String?
        let applicationID: String?
        let person: String?

        enum CodingKeys: String, CodingKey {
            case ambassadorID = "ambassador_id", applicationID = "application_id", person
        }

        static let fields: Set<String> = ["ambassador_id", "application_id", "person"]
    }

    struct Erased: ResponseEncodable {
        let kind: String
        let rows: Int
    }

    @Sendable func erase(_ request: Request, context: AppRequestContext) async throws -> Erased {
        let identity = try context.require(.admin)
        let body = try await JSONBody.decode(ErasureRequest.self, from: request, example: #"{"ambassador_id": "amb-00042"} (or "application_id", or "person": exactly one)"#)
        let targets: [(Erasure.Kind, String)] = [
            body.ambassadorID.map { (.ambassador, $0) },
            body.applicationID.map { (.candidate, $0) },
            body.person.map { (.person, $0) },
        ].compactMap { $0 }
        guard targets.count == 1, let (kind, identifier) = targets.first else {
            throw APIError(status: .badRequest, code: "invalid_body", message: "send exactly one of ambassador_id, application_id or person")
        }
        let field = kind == .ambassador ? "ambassador_id" : kind == .candidate ? "application_id" : "person"
        if kind == .person {
            guard !identifier.isEmpty, !identifier.unicodeScalars.contains("\0") else {
                throw APIError.badParameter(field, "person must be at least 1 character, without NUL")
            }
        } else {
            guard ExternalID.isValid(identifier) else {
                throw APIError.badParameter(field, "\(field) must be 1 to 200 characters, without control characters, not only spaces")
            }
        }
        let rows = try await Erasure.erase(kind, identifier, organization: identity.organization, actor: identity.keyID, on: pool)
        return Erased(kind: kind.rawValue, rows: rows)
    }
}
