import Access
import Foundation
import Hummingbird
import Ingestion
import Postgres
import Vocabulary

/// `GET /v1/links`: the tracked URL an ambassador shares for a content item on a network (see `TrackedLink`).
struct LinksController {
    let pool: ConnectionPool

    var endpoints: RouteCollection<AppRequestContext> {
        let routes = RouteCollection(context: AppRequestContext.self)
        routes.get("links", use: link)
        return routes
    }

    struct Link: ResponseEncodable {
        let url: String
        let token: String
        let ambassadorID: String
        let contentID: String
        let network: String
        let utmSource: String
        let utmMedium: String
        let utmCampaign: String
        let utmContent: String

        enum CodingKeys: String, CodingKey {
            case url, token, network, ambassadorID = "ambassador_id", contentID = "content_id"
            case utmSource = "utm_source", utmMedium = "utm_medium", utmCampaign = "utm_campaign", utmContent = "utm_content"
        }
    }

    @Sendable func link(_ request: Request, context: AppRequestContext) async throws -> Link {
        let organization = try context.require(.ingest, .marketing).organization
        let query = request.uri.queryParameters
        func required(_ name: String) throws -> String {
            guard let value = query[Substring(name)].map(String.init), !value.isEmpty else {
                throw APIError.badParameter(name, "\(name) is required")
            }
            guard ExternalID.isValid(value) else {
                throw APIError.badParameter(name, "\(name) must be 1 to 200 characters, without control characters, not only spaces")
            }
            return value
        }
        let ambassadorID = try required("ambassador_id")
        let contentID = try required("content_id")
        let network = try required("network").lowercased()
        guard Network(rawValue: network) != nil else {
            throw APIError.badParameter("network", "network must be one of \(Network.names.joined(separator: ", "))")
        }
        let link: TrackedLink
        switch try await TrackedLinks.issue(
            organization: organization, ambassadorID: ambassadorID, contentID: contentID, network: network, on: pool
        ) {
        case .success(let issued):
            link = issued
        case .failure(.unknownContent):
            throw APIError(status: .notFound, code: "unknown_content", message: "no content item \"\(contentID)\"")
        case .failure(.contentWithoutURL):
            throw APIError(status: .unprocessableContent, code: "content_without_url", message: "content item \"\(contentID)\" has no URL to share")
        }
        return Link(
            url: link.url, token: link.token, ambassadorID: ambassadorID, contentID: contentID, network: network,
            utmSource: link.source, utmMedium: link.medium, utmCampaign: link.campaign, utmContent: link.token
        )
    }
}
