import Access
import Foundation
import Hummingbird
import Ingestion
import NIOCore
import Postgres

/// `POST /v1/events` takes a batch; `GET /v1/events/rejected` lists what was refused, to fix and re-send.
struct EventsController {
    let store: EventStore
    let limits: IngestionLimits
    let pool: ConnectionPool

    var endpoints: RouteCollection<AppRequestContext> {
        let routes = RouteCollection(context: AppRequestContext.self)
        routes.post("events", use: ingest)
        routes.get("events/rejected", use: listRejected)
        routes.get("events/rejected/{id}", use: showRejected)
        return routes
    }

    @Sendable func ingest(_ request: Request, context: AppRequestContext) async throws -> Response {
        let identity = try context.require(.ingest)
        let organization = identity.organization
        let contentType = request.headers[.contentType]?.lowercased() ?? "application/json"
        let format: BatchFormat
        if contentType.contains("ndjson") || contentType.contains("jsonl") {
            format = .ndjson
        } else if contentType.contains("json") {
            format = .json
        } else {
            throw APIError(
                status: .unsupportedMediaType, code: "unsupported_media_type",
                message: "send application/json (an array of events) or application/x-ndjson (one event per line)"
            )
        }
        let body: ByteBuffer
        do {
            body = try await request.body.collect(upTo: limits.maxBodyBytes)
        } catch is NIOTooManyBytesError {
            throw APIError(
                status: .contentTooLarge, code: "body_too_large",
                message: "the body is larger than \(limits.maxBodyBytes) bytes: split the batch",
                details: ["limit": "max_body_bytes", "max_bytes": "\(limits.maxBodyBytes)"]
            )
        }
        let items: [RawItem]
        do {
            items = try BatchParser.parse(Array(body.readableBytesView), format: format, limits: limits)
        } catch .malformed(let syntax) {
            throw APIError(
                status: .badRequest, code: "malformed_json", message: "the body is not valid JSON: \(syntax.message)",
                details: ["line": "\(syntax.line)", "column": "\(syntax.column)", "offset": "\(syntax.offset)"]
            )
        } catch .notABatch(let message) {
            throw APIError(status: .badRequest, code: "not_a_batch", message: message)
        } catch .tooManyEvents(let limit) {
            throw APIError(
                status: .contentTooLarge, code: "too_many_events", message: "more than \(limit) events in one request: split the batch",
                details: ["limit": "max_events_per_request", "max_events": "\(limit)"]
            )
        } catch .eventTooLarge(let index, let bytes, let limit) {
            throw APIError(
                status: .contentTooLarge, code: "event_too_large",
                message: "event \(index) is \(bytes) bytes, above the \(limit)-byte limit per event",
                details: ["limit": "max_event_bytes", "max_bytes": "\(limit)", "index": "\(index)"]
            )
        }
        let outcomes = try await store.ingest(
            items, organization: organization,
            permissions: IngestPermissions(adminFacts: identity.has(anyOf: [.admin]), actor: identity.keyID)
        )
        return Response.json(ItemOutcome.batchJSON(outcomes))
    }

    struct RejectedPage: ResponseEncodable {
        let items: [RejectedItems.Item]
        /// Pass as `cursor` for the next (older) page; absent on the last page.
        let nextCursor: Int64?

        enum CodingKeys: String, CodingKey {
            case items, nextCursor = "next_cursor"
        }
    }

    @Sendable func listRejected(_ request: Request, context: AppRequestContext) async throws -> RejectedPage {
        let organization = try context.require(.ingest).organization
        let query = request.uri.queryParameters
        var reason: RejectionReason?
        if let value = query["reason"].map(String.init) {
            guard let known = RejectionReason(rawValue: value) else {
                throw APIError.badParameter(
                    "reason", "reason must be one of \(RejectionReason.allCases.map(\.rawValue).joined(separator: ", "))"
                )
            }
            reason = known
        }
        let since = try Self.timestamp(query, "since")
        let until = try Self.timestamp(query, "until")
        var resolved: Bool?
        if let value = query["resolved"] {
            guard let flag = Bool(String(value)) else { throw APIError.badParameter("resolved", "resolved must be true or false") }
            resolved = flag
        }
        let limit = try Self.integer(query, "limit", default: 100, range: 1...1000)
        let cursor = try query["cursor"].map { value in
            guard let number = Int64(value) else { throw APIError.badParameter("cursor", "cursor must be a number from next_cursor") }
            return number
        }
        let (items, next) = try await RejectedItems.page(
            organization: organization, filter: .init(reason: reason, since: since, until: until, resolved: resolved), limit: limit,
            cursor: cursor, on: pool
        )
        return RejectedPage(items: items, nextCursor: next)
    }

    @Sendable func showRejected(_ request: Request, context: AppRequestContext) async throws -> Response {
        let organization = try context.require(.ingest).organization
        guard let id = context.parameters.get("id", as: Int64.self) else {
            throw APIError.badParameter("id", "the rejection id must be a number")
        }
        guard let item = try await RejectedItems.item(organization: organization, id: id, on: pool) else {
            throw APIError(status: .notFound, code: "not_found", message: "no rejected item \(id)")
        }
        return try Response.encoded(item)
    }

    static func timestamp(_ query: Parameters, _ name: String) throws -> Date? {
        guard let value = query[Substring(name)] else { return nil }
        guard let date = Timestamps.parseRFC3339(String(value)) else {
            throw APIError.badParameter(name, "\(name) must be an ISO 8601 timestamp like 2026-03-05T10:00:00Z")
        }
        return date
    }

    static func integer(_ query: Parameters, _ name: String, default value: Int, range: ClosedRange<Int>) throws -> Int {
        guard let text = query[Substring(name)] else { return value }
        guard let number = Int(String(text)), range.contains(number) else {
            throw APIError.badParameter(name, "\(name) must be a whole number from \(range.lowerBound) to \(range.upperBound)")
        }
        return number
    }
}

