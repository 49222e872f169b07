import Foundation
import Postgres

/// Refused items (the owner of `ingest.rejected_items`, written by `EventStore`): each with its reason, the
/// field at fault and its raw bytes, listed newest first for the job that must fix and resend them.
public enum RejectedItems {
    /// One refused item, as `GET /v1/events/rejected` answers it.
    public struct Item: Encodable, Sendable {
        public let rejectionID: Int64
        public let receivedAt: Date
        public let source: String
        public let sourceName: String?
        public let eventID: String?
        public let eventType: String?
        public let reason: String
        public let field: String?
        public let message: String
        public let resolvedAt: Date?
        /// The item exactly as received, as text (invalid UTF-8 shown as U+FFFD) and as base64.
        public let raw: String
        public let rawBase64: String

        enum CodingKeys: String, CodingKey {
            case rejectionID = "rejection_id", receivedAt = "received_at", source, sourceName = "source_name"
            case eventID = "event_id", eventType = "event_type", reason, field, message, resolvedAt = "resolved_at"
            case raw, rawBase64 = "raw_base64"
        }
    }

    /// The fields whose values name a person or carry an identifier, read from a refused item when it is
    /// stored, so that erasure finds the item by them (`identifiers`, indexed), however the text escaped them.
    static let identifyingFields = ["ambassador_id", "visitor", "member", "application_id", "candidate_ref", "visit_id"]

    /// The identifiers a parsed item names: its event id and `identifyingFields` of its data (text with a NUL,
    /// which PostgreSQL cannot hold, names nothing erasure could ask for).
    static func identifiers(of item: JSONValue) -> [String] {
        guard case .object(let envelope) = item else { return [] }
        var found: [String] = []
        if case .string(let id)? = envelope["id"] { found.append(id) }
        if case .object(let data)? = envelope["data"] {
            for field in identifyingFields {
                if case .string(let value)? = data[field] { found.append(value) }
            }
        }
        return found.filter { !$0.contains("\u{0}") }
    }

    /// Which refused items to list; nil does not filter.
    public struct Filter: Sendable {
        public var reason: RejectionReason?
        public var since: Date?
        public var until: Date?
        public var resolved: Bool?

        public init(reason: RejectionReason? = nil, since: Date? = nil, until: Date? = nil, resolved: Bool? = nil) {
            self.reason = reason
            self.since = since
            self.until = until
            self.resolved = resolved
        }
    }

    /// A page of at most `limit` items, newest first, older than `cursor` when given.
    /// - Returns: the items and the cursor of the next (older) page, nil on the last page.
    public static func page(
        organization: UUID, filter: Filter, limit: Int, cursor: Int64?, on pool: ConnectionPool
    ) async throws -> (items: [Item], next: Int64?) {
        let rows = try await pool.tenantQuery(
            organization,
            """
            SELECT \(columns)
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
            [organization, filter.reason?.rawValue, filter.since, filter.until, filter.resolved, cursor, limit + 1]
        )
        var items = try rows.map(item)
        var next: Int64?
        if items.count > limit {
            items.removeLast()
            next = items.last?.rejectionID
        }
        return (items, next)
    }

    /// One refused item, or nil when the organisation has none with this id.
    public static func item(organization: UUID, id: Int64, on pool: ConnectionPool) async throws -> Item? {
        let rows = try await pool.tenantQuery(
            organization, "SELECT \(columns) FROM ingest.rejected_items WHERE organization_id = $1 AND rejection_id = $2",
            [organization, id]
        )
        return try rows.first.map(item)
    }

    static let columns = "rejection_id, received_at, source, source_name, event_id, event_type, reason, field, message, resolved_at, raw"

    static func item(_ row: QueryResult.Row) throws -> Item {
        let raw = try row.decode(PostgresBytes.self, "raw").bytes
        return Item(
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

    /// Deletes the refused items received more than `retention` ago, organisation by organisation, at most
    /// `batch` rows a transaction (a first run over a large backlog holds no long lock).
    /// - Returns: how many items were deleted.
    public static func deleteExpired(retention: Duration, batch: Int = 10_000, on pool: ConnectionPool) async throws -> Int {
        let before = Date().addingTimeInterval(-Double(retention.components.seconds))
        let organizations = try await pool.query("SELECT o FROM ingest.organizations_with_old_refusals($1) AS o", [before])
            .map { try $0.decode(UUID.self, at: 0) }
        var deleted = 0
        for organization in organizations {
            while true {
                let count = try await pool.tenantQuery(
                    organization,
                    """
                    WITH expired AS (
                        SELECT rejection_id FROM ingest.rejected_items
                        WHERE organization_id = $1 AND received_at < $2
                        LIMIT $3
                    )
                    DELETE FROM ingest.rejected_items AS r USING expired AS e
                    WHERE r.organization_id = $1 AND r.rejection_id = e.rejection_id
                    """,
                    [organization, before, batch]
                ).affectedRows
                deleted += count
                if count < batch { break }
            }
        }
        return deleted
    }
}
