import Hummingbird
import Logging
import Postgres

/// Turns errors that are not `HTTPError`s into logged 500s (or 503 when the database is unavailable),
/// so a client never sees internals and an operator always sees the cause.
struct ErrorMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws
        -> Response
    {
        do {
            return try await next(request, context)
        } catch let error as any HTTPResponseError {
            throw error
        } catch let error as PostgresError where [.connectionFailed, .poolTimeout, .poolClosed].contains(error.code) {
            context.logger.error("database unavailable", metadata: ["error": "\(error)"])
            throw HTTPError(.serviceUnavailable, message: "The database is unavailable; retry later.")
        } catch {
            context.logger.error("request failed", metadata: ["error": "\(error)"])
            throw HTTPError(.internalServerError, message: "Internal error; the server log has the details.")
        }
    }
}
