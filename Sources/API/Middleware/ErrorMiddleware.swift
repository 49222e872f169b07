import Foundation
import Hummingbird
import Logging
import Postgres

/// Turns errors that are not `HTTPError`s into logged 500s, or 503 with Retry-After whenever the database is
/// unreachable, restarting or out of connections, so a client never sees internals, knows when a retry will
/// do, and an operator always sees the cause.
struct ErrorMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws
        -> Response
    {
        do {
            return try await next(request, context)
        } catch let error as HTTPError {
            // The framework's own refusals (no such path, a body over its limit) in the shape of ours.
            throw APIError(
                status: error.status, code: error.status.reasonPhrase.lowercased().replacingOccurrences(of: " ", with: "_"),
                message: error.body ?? error.status.reasonPhrase, headers: error.headers
            )
        } catch let error as any HTTPResponseError {
            throw error
        } catch let error as PostgresError where error.code == .encodingFailed {
            // A NUL in a query parameter reaches the database only to be refused there: the request's fault.
            throw APIError(status: .badRequest, code: "invalid_parameter", message: "a parameter contains a NUL character (\\u0000), which no text may hold")
        } catch let error as PostgresError where error.isUnavailable {
            context.logger.error("database unavailable", metadata: ["error": .error(error)])
            throw APIError.databaseUnavailable
        } catch {
            context.logger.error("request failed", metadata: ["error": .error(error)])
            throw APIError(status: .internalServerError, code: "internal_error", message: "Internal error; the server log has the details.")
        }
    }
}
