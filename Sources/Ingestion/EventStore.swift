import Foundation
import Logging
import Metrics
import Postgres

/// What happened to one item of a batch.
public struct ItemOutcome: Sendable, Equatable {
    public enum Status: String, Sendable {
        case accepted, duplicate, rejected
    }

    public let index: Int
    public let id: String?
    public let status: Status
    public let reason: RejectionReason?
    public let field: String?
    public let message: String?
    /// Where the refused item is kept (`GET /v1/events/rejected/{rejection_id}`).
    public let rejectionID: Int64?
}

/// What the sender may store. Rate cards and programme costs are an admin's to set, and are audited.
public struct IngestPermissions: Sendable {
    public let adminFacts: Bool
    /// The key that sends, for the audit log (nil for the command line).
    public let actor: UUID?

    public init(adminFacts: Bool, actor: UUID?) {
        self.adminFacts = adminFacts
        self.actor = actor
    }

    public static let all = IngestPermissions(adminFacts: true, actor: nil)

    static let adminTypes: Set<EventType> = [.rateCardSet, .costRecorded]
}

/// Where a batch came from, recorded with each refused item.
public struct BatchSource: Sendable {
    public let kind: String  // "api" or "csv"
    public let name: String?

    public static let api = BatchSource(kind: "api", name: nil)

    public static func csv(_ name: String) -> BatchSource { BatchSource(kind: "csv", name: name) }
}

/// Stores a batch exactly once: accepted facts, the ledger of their ids, and the refused items, all in one
/// transaction, so an answer is sent only for what is committed and a retried batch changes nothing.
public struct EventStore: Sendable {
    let pool: ConnectionPool
    let validator: EventValidator
    let logger: Logger

    public init(pool: ConnectionPool, validator: EventValidator, logger: Logger) {
        self.pool = pool
        self.validator = validator
        self.logger = logger
    }

    /// A validated item, or its rejection, in batch order.
    enum Checked {
        case valid(Event)
        case duplicateInBatch(String)
        case invalid(Rejection, id: String?, type: String?)
    }

    public func ingest(
        _ items: [RawItem], organization: UUID, source: BatchSource = .api, permissions: IngestPermissions = .all
    ) async throws -> [ItemOutcome] {
        let now = Date()
        var seen: Set<String> = []
        let checked: [Checked] = items.map { item in
            switch item.parsed {
            case .failure(let rejection):
                return .invalid(rejection, id: nil, type: nil)
            case .success(let value):
                do throws(Rejection) {
                    let event = try validator.validate(value, now: now)
                    if !permissions.adminFacts, IngestPermissions.adminTypes.contains(event.type) {
                        throw Rejection(.notPermitted, field: "type", "\(event.type.rawValue) needs a key with the admin scope")
                    }
                    guard seen.insert(event.id).inserted else { return .duplicateInBatch(event.id) }
                    return .valid(event)
                } catch {
                    return .invalid(error, id: EventValidator.peekID(value), type: EventValidator.peekType(value))
                }
            }
        }
        let logger = self.logger
        let outcomes = try await pool.withConnection { connection in
            do {
                return try connection.transaction { connection in
                    try connection.actFor(organization)
                    return try BatchWriter(connection: connection, organization: organization, source: source, actor: permissions.actor)
                        .write(items: items, checked: checked, isolateFailures: false)
                }
            } catch let error as PostgresError where error.isDataRefusal {
                // A fact the validator let through and the database refused: redo the batch one fact at a
                // time, so only the refused ones are rejected.
                logger.notice("batch refused by the database; isolating the bad items", metadata: ["error": .error(error)])
                return try connection.transaction { connection in
                    try connection.actFor(organization)
                    return try BatchWriter(connection: connection, organization: organization, source: source, actor: permissions.actor)
                        .write(items: items, checked: checked, isolateFailures: true)
                }
            }
        }
        IngestMetrics.record(items: items, outcomes: outcomes)
        return outcomes
    }
}

/// `ingest_events_total{type, status, reason}` and `ingest_batch_events`: what ingestion does with what it is sent.
enum IngestMetrics {
    static func record(items: [RawItem], outcomes: [ItemOutcome]) {
        Recorder(label: "ingest_batch_events", aggregate: true).record(items.count)
        // One counter per outcome kind, not per event: a batch is thousands of events of a few kinds.
        struct Kind: Hashable {
            let type: String
            let status: ItemOutcome.Status
            let reason: RejectionReason?
        }
        var counts: [Kind: Int] = [:]
        for (item, outcome) in zip(items, outcomes) {
            counts[Kind(type: typeLabel(item), status: outcome.status, reason: outcome.reason), default: 0] += 1
        }
        for (kind, count) in counts {
            Counter(
                label: "ingest_events_total",
                dimensions: [("type", kind.type), ("status", kind.status.rawValue), ("reason", kind.reason?.rawValue ?? "")]
            ).increment(by: count)
        }
    }

    /// The item's event type when it names one we know: a label takes a small, fixed set of values, never
    /// whatever a sender wrote.
    private static func typeLabel(_ item: RawItem) -> String {
        guard case .success(let value) = item.parsed, let type = EventValidator.peekType(value), EventType(rawValue: type) != nil
        else { return "unknown" }
        return type
    }
}

extension PostgresError {
    /// Class 22 (data exception) or 23 (integrity violation): the data, not the database, is at fault.
    var isDataRefusal: Bool {
        guard let sqlState else { return false }
        return sqlState.hasPrefix("22") || sqlState.hasPrefix("23")
    }
}

/// Writes one batch on one connection, inside the caller's transaction.
struct BatchWriter {
    let connection: PostgresConnection
    let organization: UUID
    let source: BatchSource
    let actor: UUID?

    func write(items: [RawItem], checked: [EventStore.Checked], isolateFailures: Bool) throws -> [ItemOutcome] {
        let events: [Event] = checked.compactMap { if case .valid(let event) = $0 { event } else { nil } }
        var refused: [String: Rejection] = [:]  // event id -> why the database refused it
        var known: Set<String> = []  // ids the ledger held already: their events are duplicates
        let accepted: [Event]  // what this batch stores
        if isolateFailures {
            for (number, event) in events.enumerated() {
                try connection.execute("SAVEPOINT fact_\(number)")
                do {
                    let stored = try recordInLedger([event])
                    if stored.isEmpty {
                        try FactWriter(connection: connection, organization: organization).write([event])
                    } else if let conflict = Self.conflict(event, storedType: stored[event.id]) {
                        refused[event.id] = conflict
                    } else {
                        known.insert(event.id)
                    }
                    try connection.execute("RELEASE SAVEPOINT fact_\(number)")
                } catch let error as PostgresError where error.isDataRefusal {
                    try connection.execute("ROLLBACK TO SAVEPOINT fact_\(number)")
                    refused[event.id] = Rejection(
                        .constraintViolation, field: error.constraint ?? error.column,
                        [error.message, error.detail].compactMap { $0 }.joined(separator: ": ")
                    )
                }
            }
            accepted = events.filter { !known.contains($0.id) && refused[$0.id] == nil }
        } else {
            let stored = try recordInLedger(events)
            for event in events where stored[event.id] != nil {
                if let conflict = Self.conflict(event, storedType: stored[event.id]) { refused[event.id] = conflict } else { known.insert(event.id) }
            }
            // Usually every event is new: no need to look each one up.
            accepted = stored.isEmpty ? events : events.filter { stored[$0.id] == nil }
            try FactWriter(connection: connection, organization: organization).write(accepted)
        }

        // Refused items are kept, with their raw bytes, in the same transaction as the accepted ones.
        var rejected: [(index: Int, id: String?, type: String?, rejection: Rejection)] = []
        for (index, check) in checked.enumerated() {
            switch check {
            case .invalid(let rejection, let id, let type): rejected.append((index, id, type, rejection))
            case .valid(let event):
                if let rejection = refused[event.id] { rejected.append((index, event.id, event.type.rawValue, rejection)) }
            case .duplicateInBatch: break
            }
        }
        let rejectionIDs = try storeRejections(rejected, items: items)
        if !accepted.isEmpty {
            // A corrected event that is now accepted resolves the earlier refusals of its id.
            var ids = PostgresBinaryArray<String>(capacity: accepted.count * 16)
            for index in accepted.indices { ids.append(accepted[index].id) }
            try connection.query(
                """
                UPDATE ingest.rejected_items SET resolved_at = now()
                WHERE organization_id = $1 AND event_id = ANY ($2::text[]) AND resolved_at IS NULL
                """,
                [organization, ids], prepared: true
            )
        }

        try auditAdminFacts(accepted.filter { IngestPermissions.adminTypes.contains($0.type) })

        var rejectionByIndex: [Int: (Rejection, Int64)] = [:]
        for (entry, id) in zip(rejected, rejectionIDs) { rejectionByIndex[entry.index] = (entry.rejection, id) }
        return checked.enumerated().map { index, check in
            switch check {
            case .valid(let event):
                if let (rejection, id) = rejectionByIndex[index] {
                    return ItemOutcome(index: index, id: event.id, status: .rejected, reason: rejection.reason,
                                       field: rejection.field, message: rejection.message, rejectionID: id)
                }
                return ItemOutcome(index: index, id: event.id, status: known.contains(event.id) ? .duplicate : .accepted,
                                   reason: nil, field: nil, message: nil, rejectionID: nil)
            case .duplicateInBatch(let id):
                return ItemOutcome(index: index, id: id, status: .duplicate, reason: nil, field: nil,
                                   message: "the same id appears earlier in this batch", rejectionID: nil)
            case .invalid(let rejection, let id, _):
                return ItemOutcome(index: index, id: id, status: .rejected, reason: rejection.reason, field: rejection.field,
                                   message: rejection.message, rejectionID: rejectionByIndex[index]?.1)
            }
        }
    }

    /// Rate cards and costs change the money KPIs: each accepted one goes to the audit log.
    private func auditAdminFacts(_ events: [Event]) throws {
        guard !events.isEmpty else { return }
        try connection.query(
            """
            INSERT INTO core.audit_log (organization_id, actor_key_id, action, target, detail)
            SELECT $1, $2, e.type, e.id, jsonb_build_object('source', $3::text)
            FROM unnest($4::text[], $5::text[]) AS e (type, id)
            """,
            [organization, actor, source.kind, events.map(\.type.rawValue), events.map(\.id)]
        )
    }

    /// An event whose id the ledger holds under another type: not a retry, a refusal (rate cards and costs
    /// must never vanish as "duplicates" of an event another key sent first with the same id).
    static func conflict(_ event: Event, storedType: String?) -> Rejection? {
        guard let storedType, storedType != event.type.rawValue else { return nil }
        return Rejection(.idConflict, field: "id", "the id \(event.id) was already accepted for a \(storedType) event; give this event an id of its own")
    }

    /// Adds the events' ids to the ledger. - Returns: the ids that were there already, with their stored type.
    private func recordInLedger(_ events: [Event]) throws -> [String: String] {
        guard !events.isEmpty else { return [:] }
        var ids = PostgresBinaryArray<String>(capacity: events.count * 16)
        var types = PostgresBinaryArray<String>(capacity: events.count * 24)
        var times = PostgresBinaryArray<Date>(capacity: events.count * 12)
        for index in events.indices {
            ids.append(events[index].id)
            types.append(events[index].type.rawValue)
            times.append(events[index].occurredAt)
        }
        let rows = try connection.query(
            "SELECT event_id, stored_type FROM ingest.record_events($1, $2::text[], $3::text[], $4::timestamptz[])",
            [organization, ids, types, times], prepared: true
        )
        var stored: [String: String] = [:]
        for row in rows { stored[try row.decode(String.self, at: 0)] = try row.decode(String.self, at: 1) }
        return stored
    }

    private func storeRejections(
        _ rejected: [(index: Int, id: String?, type: String?, rejection: Rejection)], items: [RawItem]
    ) throws -> [Int64] {
        guard !rejected.isEmpty else { return [] }
        let rows = try connection.query(
            """
            INSERT INTO ingest.rejected_items (organization_id, source, source_name, event_id, event_type, raw, reason, field, message,
                                               identifiers)
            SELECT $1, $2, coalesce(r.source_name, $3), r.event_id, r.event_type, r.raw, r.reason, r.field, r.message,
                   ARRAY(SELECT jsonb_array_elements_text(r.identifiers::jsonb))
            FROM unnest($4::text[], $5::text[], $6::bytea[], $7::text[], $8::text[], $9::text[], $10::text[], $11::text[])
                 WITH ORDINALITY AS r (event_id, event_type, raw, reason, field, message, source_name, identifiers, n)
            ORDER BY r.n
            RETURNING rejection_id
            """,
            [
                organization, source.kind, source.name,
                rejected.map { $0.id.map { String($0.prefix(200)) } }, rejected.map { $0.type.map { String($0.prefix(64)) } },
                rejected.map { PostgresBytes(Array(items[$0.index].raw)) },
                rejected.map { $0.rejection.reason.rawValue }, rejected.map(\.rejection.field), rejected.map(\.rejection.message),
                rejected.map { entry in items[entry.index].label },
                // Each item's identifiers as a JSON array (a row of a 2-D array parameter could not vary in length).
                rejected.map { entry in
                    let names = (try? items[entry.index].parsed.get()).map(RejectedItems.identifiers(of:)) ?? []
                    return JSONWriter.write(.array(names.map { .string($0) }))
                },
            ]
        )
        return try rows.map { try $0.decode(Int64.self, at: 0) }.sorted()
    }
}

