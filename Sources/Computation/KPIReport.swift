import Foundation
import Postgres
import Vocabulary

/// Every KPI for a period and the period before, as `kpi.summary_with_previous` computes them.
///
/// Numbers are kept as PostgreSQL's exact decimal text (the CSV answer shows them so) and answered in JSON
/// as exact decimal numbers.
public struct KPIReport: Sendable, Encodable {
    public struct Row: Sendable, Encodable {
        public let key: String
        public let family: String
        public let name: String
        public let unit: String
        public let value: String?
        public let previous: String?
        public let change: String?
        public let changeRatio: String?
        public let reason: String?
        /// The KPI's parts (numerator, denominator, intervals...).
        public let detail: Value

        /// The same row shown in another unit.
        public func withUnit(_ unit: String) -> Row {
            Row(key: key, family: family, name: name, unit: unit, value: value, previous: previous, change: change,
                changeRatio: changeRatio, reason: reason, detail: detail)
        }

        enum CodingKeys: String, CodingKey {
            case key, family, name, unit, value, previous, change, changeRatio = "change_ratio", reason, detail
        }

        public func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(key, forKey: .key)
            try container.encode(family, forKey: .family)
            try container.encode(name, forKey: .name)
            try container.encode(unit, forKey: .unit)
            for (text, codingKey) in [(value, CodingKeys.value), (previous, .previous), (change, .change), (changeRatio, .changeRatio)] {
                try container.encode(text.flatMap { Decimal(string: $0) }, forKey: codingKey)
            }
            try container.encode(reason, forKey: .reason)
            try container.encode(detail, forKey: .detail)
        }
    }

    public let period: Period
    public let previousPeriod: Period
    public let timeZone: String
    public let currency: String
    public let rows: [Row]

    public static func load(organization: UUID, period: Period, pool: ConnectionPool) async throws -> KPIReport {
        return try await pool.tenantTransaction(organization) { connection in
            let context = try connection.query(
                """
                SELECT o.time_zone, o.currency,
                       ($2::date - ($3::date - $2::date + 1))::text AS previous_from, ($2::date - 1)::text AS previous_to
                FROM core.organizations AS o WHERE o.organization_id = $1
                """,
                [organization, period.from, period.to]
            )[0]
            let rows = try connection.query(
                """
                SELECT key, family, name, unit, value::text, previous::text, change::text, change_ratio::text, reason, detail::text
                FROM kpi.summary_with_previous($1, $2::date, $3::date)
                """,
                [organization, period.from, period.to]
            )
            return KPIReport(
                period: period,
                previousPeriod: Period(from: try context.decode(String.self, "previous_from"), to: try context.decode(String.self, "previous_to")),
                timeZone: try context.decode(String.self, "time_zone"),
                currency: try context.decode(String.self, "currency"),
                rows: try rows.map { row in
                    Row(
                        key: try row.decode(String.self, "key"), family: try row.decode(String.self, "family"),
                        name: try row.decode(String.self, "name"),
                        unit: try row.decode(String.self, "unit"), value: try row.decode(String?.self, "value"),
                        previous: try row.decode(String?.self, "previous"), change: try row.decode(String?.self, "change"),
                        changeRatio: try row.decode(String?.self, "change_ratio"), reason: try row.decode(String?.self, "reason"),
                        detail: try Value.parsing(json: try row.decode(String.self, "detail"))
                    )
                }
            )
        }
    }

    public subscript(key: String) -> Row? { rows.first { $0.key == key } }

    /// The same report with the KPIs of these families only.
    public func only(families: Set<KPIFamily>) -> KPIReport {
        KPIReport(period: period, previousPeriod: previousPeriod, timeZone: timeZone, currency: currency,
                  rows: rows.filter { KPIFamily(rawValue: $0.family).map(families.contains) ?? false })
    }

    enum CodingKeys: String, CodingKey {
        case period, previousPeriod = "previous_period", timeZone = "time_zone", currency, rows = "kpis"
    }

    /// One line per KPI, for spreadsheets.
    public func csv() -> String {
        CSVText.table(
            header: ["key", "name", "unit", "value", "previous", "change", "change_ratio", "reason", "period_from", "period_to"],
            rows: rows.map { row in
                [row.key, row.name, row.unit, row.value ?? "", row.previous ?? "", row.change ?? "", row.changeRatio ?? "",
                 row.reason ?? "", period.from, period.to]
            }
        )
    }
}

/// CSV that spreadsheets open correctly: a UTF-8 byte-order mark, CRLF line ends, every field quoted, and
/// text that a spreadsheet would run as a formula (=, +, -, @ first) prefixed with an apostrophe.
public enum CSVText {
    public static func table(header: [String], rows: [[String]]) -> String {
        "\u{FEFF}" + ([header] + rows).map { $0.map(field).joined(separator: ",") }.joined(separator: "\r\n") + "\r\n"
    }

    static func field(_ text: String) -> String {
        var safe = text
        if let first = text.first, "=+-@".contains(first), Double(text) == nil { safe = "'" + text }
        return "\"" + safe.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}
