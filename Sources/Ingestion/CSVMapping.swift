import Foundation

/// How a CSV exported by another tool (a CRM, an ATS, a spreadsheet) becomes one of our layouts, so it imports
/// without being edited: its columns renamed to ours, its values translated, its dates read in its own format.
/// A JSON file (`advocacy import-csv --map FILE`); `Deploy/mappings/` ships the ones we can document.
///
///     {"kind": "leads", "description": "...",
///      "columns": {"Record ID": "lead_id", "Create Date": "created_at", "Original Source": "source_channel"},
///      "ignore_other_columns": true,
///      "values": {"source_channel": {"Organic search": "organic", "Paid search": "paid"}},
///      "date_format": "yyyy-MM-dd HH:mm", "time_zone": "UTC"}
public struct CSVMapping: Sendable, Decodable {
    /// The layout the mapped file has (`--kind` may then be left out).
    public let kind: CSVKind
    /// Where the export comes from and which documentation the mapping follows.
    public let description: String?
    /// The file's column (any case) -> ours. A column not named here keeps its name, unless `ignoreOtherColumns`.
    public let columns: [String: String]
    /// Drop the file's other columns instead of refusing them as unknown.
    public let ignoreOtherColumns: Bool
    /// Per column of ours: the file's value -> ours, compared ignoring case and surrounding spaces. A value
    /// not listed is kept, and refused by validation if it is not one of ours.
    public let values: [String: [String: String]]
    /// The `DateFormatter` pattern of the file's dates and times (left as they are when absent: ISO 8601).
    public let dateFormat: String?
    /// The time zone of dates and times without one (an IANA name); UTC when absent.
    public let timeZone: String?

    enum CodingKeys: String, CodingKey {
        case kind, description, columns, values
        case ignoreOtherColumns = "ignore_other_columns", dateFormat = "date_format", timeZone = "time_zone"
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let kindName = try container.decode(String.self, forKey: .kind)
        guard let kind = CSVKind(rawValue: kindName) else {
            throw CSVImportError(message: "kind must be one of \(CSVKind.allCases.map(\.rawValue).joined(separator: ", ")), not \"\(kindName)\"")
        }
        self.kind = kind
        description = try container.decodeIfPresent(String.self, forKey: .description)
        columns = try container.decodeIfPresent([String: String].self, forKey: .columns) ?? [:]
        ignoreOtherColumns = try container.decodeIfPresent(Bool.self, forKey: .ignoreOtherColumns) ?? false
        values = try container.decodeIfPresent([String: [String: String]].self, forKey: .values) ?? [:]
        dateFormat = try container.decodeIfPresent(String.self, forKey: .dateFormat)
        timeZone = try container.decodeIfPresent(String.self, forKey: .timeZone)
    }

    /// Reads a mapping file and checks it against its kind's layout.
    /// - Throws: `CSVImportError` naming the file and what is wrong with it.
    public static func load(_ data: Data, fileName: String) throws -> CSVMapping {
        let mapping: CSVMapping
        do {
            mapping = try JSONDecoder().decode(CSVMapping.self, from: data)
        } catch let error as CSVImportError {
            throw CSVImportError(message: "\(fileName): \(error.message)")
        } catch {
            throw CSVImportError(message: "\(fileName): not a mapping (\(error))")
        }
        let (required, optional) = mapping.kind.columns
        let ours = Set(required + optional + ["event_id", "occurred_at"])
        for target in Array(mapping.columns.values) + Array(mapping.values.keys) where !ours.contains(target) {
            throw CSVImportError(message: "\(fileName): \"\(target)\" is not a column of a \(mapping.kind.rawValue) file (\(ours.sorted().joined(separator: ", ")))")
        }
        if let zone = mapping.timeZone, TimeZone(identifier: zone) == nil {
            throw CSVImportError(message: "\(fileName): unknown time_zone \"\(zone)\"")
        }
        return mapping
    }

    /// Our name for the file's column `name` (the reader lowercases headers: compared ignoring case); nil when the
    /// column is dropped.
    func column(_ name: String) -> String? {
        if let ours = columns.first(where: { $0.key.trimmingCharacters(in: .whitespaces).lowercased() == name })?.value { return ours }
        return ignoreOtherColumns ? nil : name
    }

    /// The file's `value` of our column `column`, translated and, for a date or time, rewritten as ISO 8601.
    func value(_ value: String, of column: String) -> String {
        var value = value
        if let table = values[column] {
            let key = value.trimmingCharacters(in: .whitespaces).lowercased()
            if let ours = table.first(where: { $0.key.trimmingCharacters(in: .whitespaces).lowercased() == key })?.value { value = ours }
        }
        guard let dateFormat, let kind = kind.timeColumns[column] else { return value }
        let reader = DateFormatter()
        reader.locale = Locale(identifier: "en_US_POSIX")
        reader.timeZone = TimeZone(identifier: timeZone ?? "UTC")
        reader.dateFormat = dateFormat
        guard let date = reader.date(from: value) else { return value }
        switch kind {
        case .date:
            let writer = DateFormatter()
            writer.locale = Locale(identifier: "en_US_POSIX")
            writer.timeZone = reader.timeZone
            writer.dateFormat = "yyyy-MM-dd"
            return writer.string(from: date)
        case .timestamp:
            return ISO8601DateFormatter().string(from: date)
        }
    }
}

extension CSVKind {
    enum TimeColumn { case date, timestamp }

    /// The columns that hold a date or a time, which a mapping's `date_format` reads.
    var timeColumns: [String: TimeColumn] {
        switch self {
        case .ssi: ["date": .date]
        case .leads: ["created_at": .timestamp]
        case .leadStages, .applicationStages: ["changed_at": .timestamp]
        case .applications: ["applied_at": .timestamp]
        case .visits: ["occurred_at": .timestamp]
        }
    }
}
