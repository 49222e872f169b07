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

    struct RejectedItem: Codable {
        let rejectionID: Int64
        let receivedAt: Date
        let source: String
        let sourceName: String?
        let eventID: String?
        let eventType: String?
        let reason: String
        let field: String?
        let message: String
        let resolvedAt: Date?
        /// The item exactly as received, as text (invalid UTF-8 shown as U+FFFD) and as base64.
        let raw: String
        let rawBase64: String

        enum CodingKeys: String, CodingKey {
            case rejectionID = "rejection_id", receivedAt = "received_at", source, sourceName = "source_name"
            case eventID = "event_id", eventType = "event_type", reason, field, message, resolvedAt = "resolved_at"
            case raw, rawBase64 = "raw_base64"
        }
    }

    struct RejectedPage: ResponseEncodable {
        let items: [RejectedItem]
        /// Pass as `cursor` for the next (older) page; absent on the last page.
        let nextCursor: Int64?

        enum CodingKeys: String, CodingKey {
            case items, nextCursor = "next_cursor"
        }
    }

    static let rejectedColumns = """
        rejection_id, received_at, source, source_name, event_id, event_type, reason, field, message, resolved_at, raw
        """

    @Sendable func listRejected(_ request: Request, context: AppRequestContext) async throws -> RejectedPage {
        let organization = try context.require(.ingest).organization
        let query = request.uri.queryParameters
        var reason: String?
        if let value = query["reason"].map(String.init) {
            guard RejectionReason(rawValue: value) != nil else {
                throw APIError.badParameter(
                    "reason", "reason must be one of \(RejectionReason.allCases.map(\.rawValue).joined(separator: ", "))"
                )
            }
            reason = value
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
        let rows = try await pool.tenantQuery(
            organization,
            """
            SELECT \(Self.rejectedColumns)
            FROM ingest.rejected_items
            WHERE organization_id = $1
              AND ($2::text IS NULL OR reason = $2)
              AND ($3::timestamptz IS NULL OR received_at >= $3)
              AND ($4::timestamptz IS NULL OR received_at < $4)
              AND ($5::boolean IS NULL OR (resolved_at IS NOT NULL) = $5)
              AND ($6::bigint IS NULL OR rejection_id < $6)
            ORDER BY rejection_id DESC
            LIMIT $7
            """,
            [organization, reason, since, until, resolved, cursor, limit + 1]
        )
        var items = try rows.map(Self.rejectedItem)
        var next: Int64?
        if items.count > limit {
            items.removeLast()
            next = items.last?.rejectionID
        }
        return RejectedPage(items: items, nextCursor: next)
    }

    @Sendable func showRejected(_ request: Request, context: AppRequestContext) async throws -> Response {
        let organization = try context.require(.ingest).organization
        guard let id = context.parameters.get("id", as: Int64.self) else {
            throw APIError.badParameter("id", "the rejection id must be a number")
        }
        let rows = try await pool.tenantQuery(
            organization, "SELECT \(Self.rejectedColumns) FROM ingest.rejected_items WHERE organization_id = $1 AND rejection_id = $2",
            [organization, id]
        )
        guard let row = rows.first else {
            throw APIError(status: .notFound, code: "not_found", message: "no rejected item \(id)")
        }
        let body = try JSONEncoder.api.encode(try Self.rejectedItem(row))
        return Response(
            status: .ok, headers: [.contentType: "application/json; charset=utf-8"],
            body: .init(byteBuffer: ByteBuffer(bytes: body))
        )
    }

    static func rejectedItem(_ row: QueryResult.Row) throws -> RejectedItem {
        let raw = try row.decode(PostgresBytes.self, "raw").bytes
        return RejectedItem(
            rejectionID: try row.decode(Int64.self, "rejection_id"),
            receivedAt: try row.decode(Date.self, "received_at"),
            source: try row.decode(String.self, "source"),
            sourceName: try row.decode(String?.self, "source_name"),
            eventID: try row.decode(String?.self, "event_id"),
            eventType: try row.decode(String?.self, "event_type"),
            reason: try row.decode(String.self, "reason"),
            field: try row.decode(String?.self, "field"),
            message: try row.decode(String.self, "message"),
            resolvedAt: try row.decode(Date?.self, "resolved_at"),
            raw: String(decoding: raw, as: UTF8.self),
            rawBase64: Data(raw).base64EncodedString()
        )
    }

    static func timestamp(_ query: Parameters, _ name: String) throws -> Date? {
        guard let value = query[Substring(name)] else { return nil }
        guard let date = ISO8601DateFormatter().date(from: String(value)) else {
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

