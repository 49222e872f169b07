import Hummingbird
import Synchronization

/// The methods each served path answers, recorded once the routes are added.
final class RouteTable: Sendable {
    private struct Route {
        let components: [Substring]
        var methods: Set<String>
    }

    private let routes = Mutex<[Route]>([])

    /// Records the router's routes; `{name}` path components match any one component.
    func record(_ descriptions: [(path: String, method: String)]) {
        routes.withLock { routes in
            for description in descriptions {
                let components = description.path.split(separator: "/")
                if let index = routes.firstIndex(where: { $0.components == components }) {
                    routes[index].methods.insert(description.method)
                } else {
                    routes.append(Route(components: components, methods: [description.method]))
                }
            }
        }
    }

    /// The methods served on `path`, sorted; empty when no route has that path.
    func methods(servedOn path: String) -> [String] {
        let requested = path.split(separator: "/")
        let served = routes.withLock { routes in
            routes.filter { route in
                route.components.count == requested.count
                    && zip(route.components, requested).allSatisfy { pattern, component in
                        (pattern.hasPrefix("{") && pattern.hasSuffix("}")) || pattern == component
                    }
            }.reduce(into: Set<String>()) { $0.formUnion($1.methods) }
        }
        return served.sorted()
    }
}

/// Answers 405 with `Allow` when a path is served but not with the request's method (the router alone says
/// 404), so a client that used the wrong method learns the right ones.
struct MethodNotAllowedMiddleware<Context: RequestContext>: RouterMiddleware {
    let table: RouteTable

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws
        -> Response
    {
        do {
            return try await next(request, context)
        } catch let error as HTTPError where error.status == .notFound {
            let allowed = table.methods(servedOn: request.uri.path)
            guard !allowed.isEmpty, !allowed.contains(request.method.rawValue) else { throw error }
            let list = allowed.joined(separator: ", ")
            throw APIError(
                status: .methodNotAllowed, code: "method_not_allowed",
                message: "\(request.method.rawValue) is not served on \(request.uri.path); its methods: \(list)",
                headers: [.allow: list]
            )
        }
    }
}
