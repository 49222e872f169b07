import Foundation

/// A Swift value that can be bound as a statement parameter, in PostgreSQL's text format.
public protocol PostgresEncodable: Sendable {
    var postgresText: String { get }
}

/// A Swift value that can be read from a column in PostgreSQL's text format.
public protocol PostgresDecodable: Sendable {
    /// nil when `postgresText` is not a valid representation of this type.
    init?(postgresText: String)
}

extension String: PostgresEncodable, PostgresDecodable {
    public var postgresText: String { self }
    public init?(postgresText: String) { self = postgresText }
}

extension Int: PostgresEncodable, PostgresDecodable {
    public var postgresText: String { String(self) }
    public init?(postgresText: String) { self.init(postgresText) }
}

extension Int64: PostgresEncodable, PostgresDecodable {
    public var postgresText: String { String(self) }
    public init?(postgresText: String) { self.init(postgresText) }
}

extension Int32: PostgresEncodable, PostgresDecodable {
    public var postgresText: String { String(self) }
    public init?(postgresText: String) { self.init(postgresText) }
}

extension Double: PostgresEncodable, PostgresDecodable {
    public var postgresText: String {
        if isNaN { return "NaN" }
        if isInfinite { return self > 0 ? "Infinity" : "-Infinity" }
        return "\(self)"
    }

    public init?(postgresText: String) {
        switch postgresText {
        case "NaN": self = .nan
        case "Infinity": self = .infinity
        case "-Infinity": self = -.infinity
        default: self.init(postgresText)
        }
    }
}

extension Bool: PostgresEncodable, PostgresDecodable {
    public var postgresText: String { self ? "true" : "false" }
    public init?(postgresText: String) {
        switch postgresText {
        case "t", "true": self = true
        case "f", "false": self = false
        default: return nil
        }
    }
}

extension UUID: PostgresEncodable, PostgresDecodable {
    public var postgresText: String { uuidString.lowercased() }
    public init?(postgresText: String) { self.init(uuidString: postgresText) }
}

/// `numeric` is exact: it is read into `Decimal` (38 significant digits) through its text, never a Double.
extension Decimal: PostgresEncodable, PostgresDecodable {
    public var postgresText: String { description }
    public init?(postgresText: String) {
        guard !postgresText.isEmpty, postgresText != "NaN" else { return nil }
        self.init(string: postgresText, locale: Locale(identifier: "en_US_POSIX"))
    }
}

/// `timestamptz` and `date`: sessions run with `TimeZone=UTC` and `DateStyle=ISO`, so the text is
/// `2024-03-05 12:34:56.123456+00` or `2024-03-05` (read as midnight UTC).
extension Date: PostgresEncodable, PostgresDecodable {
    public var postgresText: String { PostgresTimestamp.format(self) }
    public init?(postgresText: String) {
        guard let date = PostgresTimestamp.parse(postgresText) else { return nil }
        self = date
    }
}

/// Binds and decodes arrays as PostgreSQL array literals (`{a,"b c",NULL}`), for `= ANY($1)` queries.
extension Array: PostgresEncodable where Element: PostgresEncodable {
    public var postgresText: String {
        "{" + map { element in
            let text = element.postgresText
                .replacingOccurrences(of: "\\", with: "\\\\")
                .replacingOccurrences(of: "\"", with: "\\\"")
            return "\"" + text + "\""
        }.joined(separator: ",") + "}"
    }
}
