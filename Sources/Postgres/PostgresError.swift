import CLibPQ
import Logging
import Metrics

/// An error from PostgreSQL or from this client, with everything the server said about it.
///
/// The description names the SQLSTATE, the message, the detail and the constraint, so a log line
/// or an HTTP error built from it tells what went wrong and where.
public struct PostgresError: Error, Sendable, CustomStringConvertible {
    public enum Code: String, Sendable {
        /// Connecting (or reconnecting) failed, or the connection was lost during a statement: wrong URL,
        /// server down or restarting, authentication refused.
        case connectionFailed
        /// The server refused or failed a statement; `sqlState` says why.
        case queryFailed
        /// A COPY failed; `sqlState` says why when the server refused it.
        case copyFailed
        /// No pooled connection became free within the pool's lease timeout.
        case poolTimeout
        /// The pool was closed (the service is shutting down).
        case poolClosed
        /// A value could not be decoded as the type asked for.
        case decodingFailed
        /// A value could not be sent (text with a NUL character, for example).
        case encodingFailed
    }

    public var code: Code
    public var message: String
    /// The five-character SQLSTATE, e.g. `23505` for a unique violation.
    public var sqlState: String?
    public var detail: String?
    public var hint: String?
    public var constraint: String?
    public var table: String?
    public var column: String?
    /// The statement that failed (its text only: values are bound, never part of it).
    public var query: String?
    /// Where in `query` the server found the error: a 1-based character position.
    public var position: Int?

    /// `position` as a line and column of `query`, for errors in long scripts such as migrations.
    public var lineAndColumn: (line: Int, column: Int)? {
        guard let position, let query else { return nil }
        var line = 1
        var column = 1
        for character in query.unicodeScalars.prefix(position - 1) {
            if character == "\n" {
                line += 1
                column = 1
            } else {
                column += 1
            }
        }
        return (line, column)
    }

    public init(
        code: Code, message: String, sqlState: String? = nil, detail: String? = nil, hint: String? = nil,
        constraint: String? = nil, table: String? = nil, column: String? = nil, query: String? = nil, position: Int? = nil
    ) {
        self.position = position
        self.code = code
        self.message = message
        self.sqlState = sqlState
        self.detail = detail
        self.hint = hint
        self.constraint = constraint
        self.table = table
        self.column = column
        self.query = query
    }

    public var description: String {
        var parts = ["PostgresError.\(code.rawValue)"]
        if let sqlState { parts.append("SQLSTATE \(sqlState)") }
        var text = parts.joined(separator: " ") + ": " + message
        if let detail { text += " (detail: \(detail))" }
        if let hint { text += " (hint: \(hint))" }
        if let constraint { text += " (constraint: \(constraint))" }
        if let table { text += " (table: \(table))" }
        if let (line, column) = lineAndColumn { text += " (at line \(line), column \(column))" }
        if let column { text += " (column: \(column))" }
        if let query { text += " [query: \(query.prefix(200))]" }
        return text
    }

    /// `23505`: a row with the same key exists.
    public var isUniqueViolation: Bool { sqlState == "23505" }
    /// `23514`: a CHECK constraint refused the row.
    public var isCheckViolation: Bool { sqlState == "23514" }
    /// Class 23: any integrity constraint violation (not null, foreign key, unique, check, exclusion).
    public var isIntegrityViolation: Bool { sqlState?.hasPrefix("23") ?? false }
    /// `57014`: the statement was cancelled, typically by `statement_timeout`.
    public var isQueryCanceled: Bool { sqlState == "57014" }

    /// Whether the database, not the request, is at fault and a retry later may succeed: it cannot be reached
    /// or was lost (class 08), it is shutting down, restarting or starting (57P01-57P03), it has no connection
    /// slot left (53300), the server became a standby under a write (25006, after a failover), or no pooled
    /// connection is free.
    public var isUnavailable: Bool {
        switch code {
        case .connectionFailed, .poolTimeout, .poolClosed: return true
        case .queryFailed, .copyFailed, .decodingFailed, .encodingFailed: break
        }
        guard let sqlState else { return false }
        return sqlState.hasPrefix("08") || ["57P01", "57P02", "57P03", "53300", "25006"].contains(sqlState)
    }
}

extension PostgresError {
    /// The description without `detail`, which may quote a row's values (a unique violation's key, the row a
    /// check refused): for logs, which must hold no one's identifiers.
    public var logDescription: String {
        var copy = self
        copy.detail = nil
        return copy.description
    }
}

extension PostgresError {
    /// Counts the error in `db_errors_total{sqlstate_class}`, by the first two characters of its SQLSTATE (`23`
    /// integrity, `40` serialization, `57` cancelled or shutting down, `08` connection). Errors of this client
    /// without one are `08` when the server could not be reached or was lost, `pool_timeout` when no pooled
    /// connection freed up, else `client`.
    static func counted(code: Code, message: String, hint: String? = nil) -> PostgresError {
        PostgresError(code: code, message: message, hint: hint).counted()
    }

    @discardableResult
    func counted() -> PostgresError {
        let sqlClass: String
        if let sqlState, sqlState.count == 5 {
            sqlClass = String(sqlState.prefix(2))
        } else {
            switch code {
            case .connectionFailed: sqlClass = "08"
            case .poolTimeout: sqlClass = "pool_timeout"
            case .poolClosed: sqlClass = "pool_closed"
            case .queryFailed, .copyFailed, .decodingFailed, .encodingFailed: sqlClass = "client"
            }
        }
        Counter(label: "db_errors_total", dimensions: [("sqlstate_class", sqlClass)]).increment()
        return self
    }
}

extension Logger.MetadataValue {
    /// An error as a log value: a `PostgresError` without the values its detail may quote.
    public static func error(_ error: any Error) -> Logger.MetadataValue {
        .string((error as? PostgresError)?.logDescription ?? "\(error)")
    }
}

extension PostgresError {
    /// Builds an error from a failed result, reading every diagnostic field libpq exposes.
    static func from(result: OpaquePointer?, connection: OpaquePointer?, code: Code, query: String?) -> PostgresError {
        func field(_ ascii: Unicode.Scalar) -> String? {
            guard let result, let value = PQresultErrorField(result, Int32(UInt8(ascii: ascii))) else { return nil }
            return String(cString: value)
        }
        let primary = field("M") ?? connection.flatMap { PQerrorMessage($0) }.map { String(cString: $0) } ?? "unknown error"
        // Every error the server reports passes here: counted once, whether or not a caller then handles it.
        return PostgresError(
            code: code,
            message: primary.trimmingTrailingWhitespace(),
            sqlState: field("C"),
            detail: field("D"),
            hint: field("H"),
            constraint: field("n"),
            table: field("t"),
            column: field("c"),
            query: query,
            position: field("P").flatMap { Int($0) }
        ).counted()
    }
}

extension String {
    func trimmingTrailingWhitespace() -> String {
        var copy = self
        while let last = copy.last, last.isWhitespace { copy.removeLast() }
        return copy
    }
}
