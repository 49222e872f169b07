import Hummingbird
import Migrations
import Postgres

/// `GET /health`: the process is alive. `GET /ready`: the database answers and every migration is applied,
/// so a load balancer sends traffic only to an instance that can serve it.
struct HealthController {
    let pool: ConnectionPool
    let migrator: Migrator

    struct Health: ResponseEncodable {
        let status: String
    }

    struct Readiness: ResponseEncodable {
        let status: String
        let migrationsApplied: Int
        let migrationsPending: [String]
        let reason: String?
    }

    var endpoints: RouteCollection<AppRequestContext> {
        let routes = RouteCollection(context: AppRequestContext.self)
        routes.get("health") { _, _ in Health(status: "ok") }
        routes.get("ready", use: ready)
        return routes
    }

    @Sendable func ready(_ request: Request, context: AppRequestContext) async throws -> Response {
        let readiness: Readiness
        do {
            let statuses = try await migrator.status(on: pool)
            let notApplied = statuses.filter { $0.state != .applied }
            readiness = Readiness(
                status: notApplied.isEmpty ? "ready" : "not_ready",
                migrationsApplied: statuses.count - notApplied.count,
                migrationsPending: notApplied.map(\.name),
                reason: notApplied.isEmpty ? nil : "migrations not applied: run `advocacy migrate`"
            )
        } catch let error as PostgresError where error.sqlState == "22023" && error.message.contains("role") {
            // The service role is made by a migration: on a new cluster it does not exist yet.
            readiness = Readiness(
                status: "not_ready", migrationsApplied: 0, migrationsPending: [],
                reason: "the service role does not exist yet: run `advocacy migrate` (\(error.message))"
            )
        } catch {
            context.logger.warning("readiness check failed", metadata: ["error": "\(error)"])
            readiness = Readiness(
                status: "not_ready", migrationsApplied: 0, migrationsPending: [], reason: "database unreachable: \(error)"
            )
        }
        var response = try readiness.response(from: request, context: context)
        if readiness.status != "ready" { response.status = .serviceUnavailable }
        return response
    }
}
