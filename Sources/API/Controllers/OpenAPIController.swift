import Foundation
import Hummingbird

/// `GET /openapi.yaml`: the API's description, `Sources/API/Resources/openapi.yaml`, as shipped.
struct OpenAPIController {
    static let document: ByteBuffer? = {
        guard let url = Bundle.module.url(forResource: "openapi", withExtension: "yaml"),
            let data = try? Data(contentsOf: url)
        else { return nil }
        return ByteBuffer(bytes: data)
    }()

    var endpoints: RouteCollection<AppRequestContext> {
        let routes = RouteCollection(context: AppRequestContext.self)
        routes.get("openapi.yaml") { _, _ in
            guard let document = Self.document else {
                throw APIError(status: .internalServerError, code: "openapi_missing", message: "the OpenAPI document is not bundled")
            }
            return Response(status: .ok, headers: [.contentType: "application/yaml"], body: .init(byteBuffer: document))
        }
        return routes
    }
}
