import Foundation
import Postgres
import Vocabulary

/// Every KPI for a period and the period before, as `kpi.summary_with_previous` computes them.
///
/// Numbers stay as PostgreSQL's exact decimal text from the database to the JSON or CSV answer.
public struct KPIReport: Sendable {
    public struct Row: Sendable {
        public let key: String
        public let family: String
        public let name: String
        public let unit: String
        public let value: String?
        public let previous: String?
        public let change: String?
        public let changeRatio: String?
        public let reason: String?
        /// The KPI's parts (numerator, denominator, intervals...), as JSON text.
        public let detailJSON: String

        /// The same row shown in another unit.
        public func withUnit(_ unit: String) -> Row {
            Row(key: key, family: family, name: name, unit: unit, value: value, previous: previous, change: change,
                changeRatio: changeRatio, reason: reason, detailJSON: detailJSON)
        }
    }

    public let period: Period
    public let previousPeriod: Period
    public let timeZone: String
    public let currency: String
    public let rows: [Row]

    /// - Parameter refresh: recompute the queued rollup days first (false when the caller just did).
    public static func load(organization: UUID, period: Period, pool: ConnectionPool, refresh: Bool = true) async throws -> KPIReport {
        if refresh { try await Rollups.refresh(organization: organization, through: period.to, pool: pool) }
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
                        detailJSON: try row.decode(String.self, "detail")
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

    /// `{"period": {...}, "previous_period": {...}, "time_zone": ..., "currency": ..., "kpis": [...]}`.
    public func json() -> String {
        var out = "{\"period\":{\"from\":\"\(period.from)\",\"to\":\"\(period.to)\"},"
        out += "\"previous_period\":{\"from\":\"\(previousPeriod.from)\",\"to\":\"\(previousPeriod.to)\"},"
        out += "\"time_zone\":\(JSONText.string(timeZone)),\"currency\":\(JSONText.string(currency)),\"kpis\":["
        out += rows.map { row in
            "{\"key\":\(JSONText.string(row.key)),\"family\":\(JSONText.string(row.family)),\"name\":\(JSONText.string(row.name)),\"unit\":\(JSONText.string(row.unit)),"
                + "\"value\":\(row.value ?? "null"),\"previous\":\(row.previous ?? "null"),\"change\":\(row.change ?? "null"),"
                + "\"change_ratio\":\(row.changeRatio ?? "null"),\"reason\":\(row.reason.map(JSONText.string) ?? "null"),"
                + "\"detail\":\(row.detailJSON)}"
        }.joined(separator: ",")
        return out + "]}"
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

/// JSON string literals.
enum JSONText {
    static func string(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where scalar.value < 0x20: out += String(format: "\\u%04x", scalar.value)
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
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
