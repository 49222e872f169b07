import Foundation
import Postgres
import Vocabulary

/// A reporting period: calendar days from `from` to `to`, both included, in the organisation's time zone.
public struct Period: Sendable, Equatable, Encodable {
    /// `YYYY-MM-DD`.
    public let from: String
    public let to: String

    /// The name of one of the period's query parameters sent bracketed (`to[year]=`: a client serialising an
    /// object where one value goes), among `names` as sent, percent-encoded or not; nil when there is none.
    public static func bracketedParameter(among names: some Sequence<Substring>) -> String? {
        for name in names where name.contains("[") || name.contains("%5B") || name.contains("%5b") {
            let decoded = String(name).removingPercentEncoding ?? String(name)
            let base = String(decoded.prefix { $0 != "[" })
            if ["period", "from", "to"].contains(base) { return base }
        }
        return nil
    }

    /// The longest period a query may span, so a typo in a year cannot ask for centuries.
    public static let maximumDays = 3_700

    public init(from: String, to: String) {
        self.from = from
        self.to = to
    }

    /// A period from query parameters: `period=<name>`, or `from` and `to` dates.
    /// - Throws: `PeriodError` naming the parameter at fault.
    public static func resolve(name: String?, from: String?, to: String?, organization: UUID, pool: ConnectionPool) async throws -> Period {
        if let name {
            guard from == nil, to == nil else {
                throw PeriodError(parameter: "period", message: "give either period or from and to, not both")
            }
            guard NamedPeriod(rawValue: name) != nil else {
                throw PeriodError(parameter: "period", message: "period must be one of \(NamedPeriod.names.joined(separator: ", ")), not \"\(name)\"")
            }
            let row = try await pool.tenantQuery(
                organization, "SELECT from_date::text, to_date::text FROM kpi.named_period($1, $2)", [organization, name]
            )[0]
            return Period(from: try row.decode(String.self, at: 0), to: try row.decode(String.self, at: 1))
        }
        guard let from else { throw PeriodError(parameter: "from", message: "from is required (or give a named period)") }
        guard let to else { throw PeriodError(parameter: "to", message: "to is required (or give a named period)") }
        guard let start = Self.dayNumber(from) else {
            throw PeriodError(parameter: "from", message: "from must be a date like 2026-03-01, not \"\(from)\"")
        }
        guard let end = Self.dayNumber(to) else {
            throw PeriodError(parameter: "to", message: "to must be a date like 2026-03-31, not \"\(to)\"")
        }
        guard start <= end else { throw PeriodError(parameter: "to", message: "to (\(to)) is before from (\(from))", inconsistent: true) }
        guard end - start < maximumDays else {
            throw PeriodError(parameter: "to", message: "a period spans at most \(maximumDays) days", inconsistent: true)
        }
        return Period(from: from, to: to)
    }

    /// The same day a calendar month before a valid `YYYY-MM-DD` date, the month's last day when it is shorter
    /// (2026-03-31 gives 2026-02-28), as PostgreSQL's `date - interval '1 month'`; nil for an invalid date.
    public static func monthBefore(_ text: String) -> String? {
        guard let days = dayNumber(text) else { return nil }
        let (year, month, day) = CivilCalendar.civil(fromDays: Int64(days))
        let (earlierYear, earlierMonth) = month == 1 ? (year - 1, Int64(12)) : (year, month - 1)
        let earlierDay = (1...day).last { CivilCalendar.isValid(year: earlierYear, month: earlierMonth, day: $0) } ?? 1
        return String(format: "%04d-%02d-%02d", earlierYear, earlierMonth, earlierDay)
    }

    /// Days since 1970-01-01 of a valid `YYYY-MM-DD` date between years 1900 and 2999.
    public static func dayNumber(_ text: String) -> Int? {
        let parts = text.split(separator: "-")
        guard text.count == 10, parts.count == 3, let year = Int64(parts[0]), let month = Int64(parts[1]), let day = Int64(parts[2]),
            (1900...2999).contains(year), CivilCalendar.isValid(year: year, month: month, day: day)
        else { return nil }
        return Int(CivilCalendar.days(fromCivil: year, month, day))
    }
}

/// A query parameter that does not make a period.
public struct PeriodError: Error, Sendable {
    public let parameter: String
    public let message: String
    /// Each parameter is well formed but together they make no period (`to` before `from`, too long a span):
    /// a rule between parameters that a request's schema cannot state.
    public let inconsistent: Bool

    public init(parameter: String, message: String, inconsistent: Bool = false) {
        self.parameter = parameter
        self.message = message
        self.inconsistent = inconsistent
    }
}
