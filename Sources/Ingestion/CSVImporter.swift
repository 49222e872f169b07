import Foundation

/// The kinds of CSV file `advocacy import-csv` reads; each row becomes one event of `eventType`, validated
/// and stored exactly like an event sent to `POST /v1/events`. docs/ingestion.md documents each layout.
public enum CSVKind: String, Sendable, CaseIterable {
    case ssi
    case leads
    case leadStages = "lead-stages"
    case applications
    case applicationStages = "application-stages"
    case visits

    public var eventType: EventType {
        switch self {
        case .ssi: .ssiSnapshot
        case .leads: .leadCreated
        case .leadStages: .leadStageChanged
        case .applications: .applicationCreated
        case .applicationStages: .applicationStageChanged
        case .visits: .webVisit
        }
    }

    /// Columns of `data`, required ones first; `event_id` and `occurred_at` may be added to any kind.
    public var columns: (required: [String], optional: [String]) {
        switch self {
        case .ssi:
            (["ambassador_id", "date", "brand", "people", "insights", "relationships"],
             ["total", "industry_rank_top_pct", "network_rank_top_pct", "industry_average", "network_average"])
        case .leads:
            (["lead_id", "created_at", "source_channel"], ["ambassador_id", "post_id", "estimated_value", "currency"])
        case .leadStages: (["lead_id", "stage", "changed_at"], ["won_amount", "currency"])
        case .applications: (["application_id", "job_id", "applied_at", "source_channel"], ["ambassador_id", "candidate_ref"])
        case .applicationStages: (["application_id", "stage", "changed_at"], [])
        case .visits: (["visitor", "landing_url", "occurred_at"], ["visit_id"])
        }
    }

    /// Columns that hold decimals: with `;` as separator, a decimal comma (21,09) is read as a point.
    var decimalColumns: Set<String> {
        ["brand", "people", "insights", "relationships", "total", "industry_rank_top_pct", "network_rank_top_pct",
         "industry_average", "network_average", "estimated_value", "won_amount"]
    }
}

/// What an import did.
public struct CSVSummary: Sendable {
    public var accepted = 0
    public var duplicate = 0
    public var rejected = 0
    /// Refused rows with their reasons, to fix and import again.
    public var rejectedRows: [(line: Int, reason: String, field: String?, message: String, raw: [UInt8])] = []
}

/// Imports one CSV file through the same validation and exactly-once storage as the HTTP API.
///
/// A row's event id is its `event_id` column, or else a hash of the kind and the row's fields, so importing
/// the same file again changes nothing, and a corrected row is a new fact. Its `occurred_at` is its
/// `occurred_at` column or else the time of the import: the latest import of a thing wins.
public struct CSVImporter: Sendable {
    let store: EventStore
    public var batchSize = 1_000

    public init(store: EventStore) {
        self.store = store
    }

    /// - Parameter mapping: how another tool's export becomes the `kind` layout (its kind must be `kind`).
    public func run(
        data: [UInt8], fileName: String, kind: CSVKind, mapping: CSVMapping? = nil, organization: UUID, importedAt: Date = Date(),
        progress: @Sendable (Int, Int) -> Void = { _, _ in }
    ) async throws -> CSVSummary {
        let csv: CSVReader
        do {
            csv = try CSVReader(data)
        } catch {
            throw CSVImportError(message: "\(fileName): \(error)")
        }
        if let mapping, mapping.kind != kind {
            throw CSVImportError(message: "\(fileName): the mapping is for \(mapping.kind.rawValue) files, not \(kind.rawValue)")
        }
        // Our name for each of the file's columns (nil: dropped by the mapping).
        let header = csv.header.map { mapping == nil ? $0 : mapping?.column($0) }
        let named = header.compactMap { $0 }
        let (required, optional) = kind.columns
        let known = Set(required + optional + ["event_id", "occurred_at"])
        if let missing = required.first(where: { !named.contains($0) }) {
            throw CSVImportError(message: "\(fileName): the header has no \"\(missing)\" column (a \(kind.rawValue) file needs \(required.joined(separator: ", ")))")
        }
        if let unknown = named.first(where: { !known.contains($0) }) {
            throw CSVImportError(message: "\(fileName): unknown column \"\(unknown)\" (known: \((required + optional).joined(separator: ", ")), event_id, occurred_at)")
        }
        if let duplicate = named.first(where: { name in named.filter { $0 == name }.count > 1 }) {
            throw CSVImportError(message: "\(fileName): the column \"\(duplicate)\" appears twice")
        }

        let importTime = ISO8601DateFormatter().string(from: importedAt)
        var summary = CSVSummary()
        var done = 0
        for start in stride(from: 0, to: csv.records.count, by: batchSize) {
            let records = csv.records[start..<min(csv.records.count, start + batchSize)]
            let items = records.enumerated().map { offset, record in
                RawItem(
                    index: offset, raw: record.raw[...],
                    parsed: event(from: record, csv: csv, header: header, kind: kind, mapping: mapping, importTime: importTime),
                    label: "\(fileName):\(record.line)"
                )
            }
            let outcomes = try await store.ingest(items, organization: organization, source: .csv(fileName))
            for (outcome, record) in zip(outcomes, records) {
                switch outcome.status {
                case .accepted: summary.accepted += 1
                case .duplicate: summary.duplicate += 1
                case .rejected:
                    summary.rejected += 1
                    // Name the CSV column rather than the event's JSON path.
                    let column = outcome.field.map { $0.hasPrefix("data.") ? String($0.dropFirst(5)) : $0 }
                    summary.rejectedRows.append(
                        (record.line, outcome.reason?.rawValue ?? "", column, outcome.message ?? "", record.raw)
                    )
                }
            }
            done += records.count
            progress(done, csv.records.count)
        }
        return summary
    }

    /// The event a row stands for, with the row's columns as `data` (empty cells are left out).
    func event(
        from record: CSVReader.Record, csv: CSVReader, header: [String?], kind: CSVKind, mapping: CSVMapping?, importTime: String
    ) -> Result<JSONValue, Rejection> {
        let fields: [String]
        switch record.fields {
        case .failure(let error): return .failure(Rejection(.malformedCSV, field: nil, error.description))
        case .success(let values): fields = values
        }
        guard fields.count <= csv.header.count else {
            return .failure(Rejection(
                .malformedCSV, field: nil,
                "line \(record.line): \(fields.count) fields where the header has \(csv.header.count) (an unquoted separator?)"
            ))
        }
        var data = JSONObject()
        var eventID: String?
        var occurredAt = importTime
        for (column, rawValue) in zip(header, fields) {
            guard let name = column else { continue }
            var value = rawValue.trimmingSpaces()
            guard !value.isEmpty else { continue }
            if let mapping { value = mapping.value(value, of: name) }
            switch name {
            case "event_id": eventID = value
            case "occurred_at": occurredAt = value
            default:
                if csv.separator == UInt8(ascii: ";"), kind.decimalColumns.contains(name), value.filter({ $0 == "," }).count == 1,
                    !value.contains(".")
                {
                    value = value.replacingOccurrences(of: ",", with: ".")
                }
                data[name] = .string(value)
            }
        }
        let id = eventID ?? "csv-\(kind.rawValue)-\(Self.digest(kind.rawValue, fields))"
        return .success(.object([
            "id": .string(id), "type": .string(kind.eventType.rawValue), "occurred_at": .string(occurredAt), "data": .object(data),
        ]))
    }

    /// A 128-bit FNV-1a digest of the fields, as hex: the same row always gets the same event id.
    static func digest(_ kind: String, _ fields: [String]) -> String {
        var first: UInt64 = 0xCBF2_9CE4_8422_2325
        var second: UInt64 = 0x8422_2325_CBF2_9CE4
        for byte in ([kind] + fields).joined(separator: "\u{1F}").utf8 {
            first = (first ^ UInt64(byte)) &* 0x0000_0100_0000_01B3
            second = (second ^ UInt64(byte)) &* 0x0000_0100_0000_01B3 &+ 0x9E37_79B9
        }
        func hex(_ value: UInt64) -> String {
            let digits = String(value, radix: 16)
            return String(repeating: "0", count: 16 - digits.count) + digits
        }
        return hex(first) + hex(second)
    }
}

public struct CSVImportError: Error, Sendable, CustomStringConvertible {
    public let message: String
    public var description: String { message }
}
