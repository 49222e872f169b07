import Hummingbird
import Migrations
import Postgres

/// `GET /health`: the process is alive. `GET /ready`: the database answers, every migration is applied and
/// every definition is the build's, so a load balancer sends traffic only to an instance that can serve it.
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
        /// Definitions files new, changed or removed since the database last applied them.
        let definitionsOutdated: Int
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
            let report = try await migrator.report(on: pool)
            let notApplied = report.migrations.filter { $0.state != .applied }
            let outdated = report.definitions.filter { $0.state != .current }
            readiness = Readiness(
                status: report.isCurrent ? "ready" : "not_ready",
                migrationsApplied: report.migrations.count - notApplied.count,
                migrationsPending: notApplied.map(\.name),
                definitionsOutdated: outdated.count,
                reason: report.isCurrent ? nil : "the database is older than this build: run `advocacy migrate`"
            )
        } catch let error as MigrationError {
            // A migration this build does not know: the database is newer than the build.
            readiness = Readiness(
                status: "not_ready", migrationsApplied: 0, migrationsPending: [], definitionsOutdated: 0, reason: error.description
            )
        } catch let error as PostgresError where error.sqlState == "22023" && error.message.contains("role") {
            // The service role is made by a migration: on a new cluster it does not exist yet.
            readiness = Readiness(
                status: "not_ready", migrationsApplied: 0, migrationsPending: [], definitionsOutdated: 0,
                reason: "the service role does not exist yet: run `advocacy migrate` (\(error.message))"
            )
        } catch {
            // The detail (hosts, ports, the server's words) goes to the log, not to unauthenticated callers.
            context.logger.warning("readiness check failed", metadata: ["error": .error(error)])
            readiness = Readiness(
                status: "not_ready", migrationsApplied: 0, migrationsPending: [], definitionsOutdated: 0,
                reason: "database unavailable"
            )
        }
        var response = try readiness.response(from: request, context: context)
        if readiness.status != "ready" { response.status = .serviceUnavailable }
        return response
    }
}
