import CLibPQ
import Foundation
import Glibc
import Logging
import Synchronization

/// One libpq connection, used synchronously.
///
/// Every call blocks the calling thread, so it must run on the pool's dedicated thread pool, never on an
/// event loop or the Swift concurrency pool. `ConnectionPool` is the only way the service reaches it.
///
/// `@unchecked Sendable`: a connection is used by one thread at a time, because the pool lends it to a
/// single borrower whose work runs as a single job on the thread pool; the mutable handle is never touched
/// concurrently.
public final class PostgresConnection: @unchecked Sendable {
    /// How a connection is set up once connected: these are applied after every (re)connection.
    public struct Settings: Sendable {
        /// A `postgres://` URL or a libpq conninfo string, passed to libpq as it is, so multi-host
        /// strings and `target_session_attrs` behave as libpq documents.
        public var conninfo: String
        /// Cancels statements that run longer than this; nil keeps the server's setting.
        public var statementTimeout: Duration?
        /// Shown in `pg_stat_activity.application_name`.
        public var applicationName: String
        /// A role to act as after connecting (`SET ROLE`), e.g. one that owns nothing and is bound by
        /// row-level security; nil keeps the connecting user.
        public var role: String?
        /// Every transaction of the session is READ ONLY (`default_transaction_read_only`): a read pool's
        /// connections cannot write, on a primary as on a standby.
        public var readOnly: Bool

        public init(
            conninfo: String, statementTimeout: Duration? = nil, applicationName: String = "advocacy", role: String? = nil,
            readOnly: Bool = false
        ) {
            self.conninfo = conninfo
            self.statementTimeout = statementTimeout
            self.applicationName = applicationName
            self.role = role
            self.readOnly = readOnly
        }

        /// `conninfo` with `key=value` added when it names no `key`, in its own syntax (URL or keywords).
        public static func conninfo(_ conninfo: String, adding key: String, _ value: String) -> String {
            if conninfo.hasPrefix("postgres://") || conninfo.hasPrefix("postgresql://") {
                // Plain text, not URLComponents: a multi-host URL (h1:5432,h2:5432) is no URL to Foundation.
                guard !conninfo.contains("?\(key)=") && !conninfo.contains("&\(key)=") else { return conninfo }
                return conninfo + (conninfo.contains("?") ? "&" : "?") + "\(key)=\(value)"
            }
            let named = conninfo.split(separator: " ").contains { $0.hasPrefix("\(key)=") }
            return named ? conninfo : conninfo + " \(key)=\(value)"
        }
    }

    public let settings: Settings
    private var handle: OpaquePointer?
    /// How many times this connection was found dead and replaced.
    public private(set) var reconnectCount = 0
    /// Statements sent since the last `prepareForUse()`: the pool retries only a lease whose very first
    /// statement found the connection dead, when nothing can have run twice.
    private(set) var statementsSinceLease = 0
    /// Statements prepared on this session (`query(_:_:prepared:)`), by their text: their names.
    private var preparedNames: [String: String] = [:]
    /// Enough for every statement the service prepares; past it, statements run unprepared.
    private static let preparedLimit = 64
    /// What `cancelRunningStatement()` sends, from any thread: libpq's cancel object of the current session.
    private let canceller = Mutex<CancelHandle?>(nil)

    /// libpq's `PGcancel`: made by the connection's thread, usable by another (libpq documents `PQcancel` as
    /// thread-safe).
    private struct CancelHandle: @unchecked Sendable {
        let pointer: OpaquePointer
    }

    public init(settings: Settings) {
        self.settings = settings
    }

    deinit {
        setCanceller(for: nil)
        if let handle { PQfinish(handle) }
    }

    /// Connects now: used directly by tools and tests; the pool calls `prepareForUse()`.
    public static func connect(_ settings: Settings) throws -> PostgresConnection {
        let connection = PostgresConnection(settings: settings)
        try connection.prepareForUse()
        return connection
    }

    /// The server process id serving this connection, or nil when not connected.
    public var backendPID: Int32? {
        guard let handle, PQstatus(handle) == CONNECTION_OK else { return nil }
        return PQbackendPID(handle)
    }

    /// Whether the server end is gone (closed, restarted, terminated): the next `prepareForUse()` reconnects.
    public var isBroken: Bool {
        guard let handle else { return true }
        return PQstatus(handle) != CONNECTION_OK
    }

    /// Whether a transaction is open (or failed and not yet rolled back) on this connection.
    public var isInTransaction: Bool {
        guard let handle else { return false }
        return PQtransactionStatus(handle) != PQTRANS_IDLE
    }

    /// Makes sure the connection is usable: connects when it never was, and replaces it when the server
    /// closed it since its last use (restart, `pg_terminate_backend`, idle timeout).
    public func prepareForUse() throws {
        defer { statementsSinceLease = 0 }
        guard let handle else { return try open() }
        if PQstatus(handle) == CONNECTION_OK {
            // libpq's socket is non-blocking: this reads whatever the server sent while we were idle. A
            // terminated backend sends an error then closes; the second read sees the close and marks it bad.
            _ = PQconsumeInput(handle)
            _ = PQconsumeInput(handle)
        }
        if PQstatus(handle) != CONNECTION_OK {
            close()
            reconnectCount += 1
            return try open()
        }
        if PQtransactionStatus(handle) != PQTRANS_IDLE {
            // A borrower must never leave a transaction open; if one did, do not let it leak into the next.
            _ = try? execute("ROLLBACK")
        }
    }

    public func close() {
        setCanceller(for: nil)
        if let handle { PQfinish(handle) }
        handle = nil
    }

    /// Asks the server to cancel the statement this connection is running, if any (from any thread: the one
    /// running the statement is blocked in it). The statement then fails with SQLSTATE 57014, and its
    /// transaction with it. Used when the work's task is cancelled, e.g. a request cut at shutdown.
    public func cancelRunningStatement() {
        canceller.withLock { cancel in
            guard let cancel else { return }
            var message = [CChar](repeating: 0, count: 256)
            _ = PQcancel(cancel.pointer, &message, Int32(message.count))
        }
    }

    private func setCanceller(for handle: OpaquePointer?) {
        let new = handle.flatMap { PQgetCancel($0) }.map(CancelHandle.init)
        let old = canceller.withLock { current in
            defer { current = new }
            return current
        }
        if let old { PQfreeCancel(old.pointer) }
    }

    private func open() throws {
        guard let newHandle = PQconnectdb(settings.conninfo) else {
            throw PostgresError(code: .connectionFailed, message: "libpq could not allocate a connection")
        }
        guard PQstatus(newHandle) == CONNECTION_OK else {
            let message = String(cString: PQerrorMessage(newHandle)).trimmingTrailingWhitespace()
            PQfinish(newHandle)
            throw PostgresError.counted(
                code: .connectionFailed,
                message: "cannot connect to PostgreSQL: \(message)",
                hint: "check DATABASE_URL (a postgres:// URL or a libpq conninfo string)"
            )
        }
        // Notices (e.g. "relation already exists, skipping") are not errors: keep them out of stderr.
        PQsetNoticeProcessor(newHandle, { _, _ in }, nil)
        handle = newHandle
        setCanceller(for: newHandle)
        preparedNames = [:]  // a new session knows none of them
        var setup: [(String, String)] = [
            ("TimeZone", "UTC"),
            ("DateStyle", "ISO, YMD"),
            ("IntervalStyle", "iso_8601"),
            ("client_encoding", "UTF8"),
            ("extra_float_digits", "3"),
            ("application_name", settings.applicationName),
            // Our statements are short or read rollups: compiling them (hundreds of ms) costs more than it saves.
            ("jit", "off"),
        ]
        if let timeout = settings.statementTimeout {
            setup.append(("statement_timeout", "\(timeout.milliseconds)ms"))
        }
        if let role = settings.role {
            setup.append(("role", role))
        }
        if settings.readOnly {
            setup.append(("default_transaction_read_only", "on"))
        }
        // A session whose setup failed (a role that does not exist yet, or was revoked) would run as the login
        // user, often the owner or a superuser, outside row-level security: it is closed, never lent.
        for (name, value) in setup {
            do {
                _ = try query("SELECT pg_catalog.set_config($1, $2, false)", [name, value])
            } catch {
                close()
                throw error
            }
        }
    }

    private func connectedHandle() throws -> OpaquePointer {
        statementsSinceLease += 1
        guard let handle else {
            throw PostgresError(code: .connectionFailed, message: "the connection is not open")
        }
        return handle
    }

    /// Runs one statement with its values bound as parameters (`$1`, `$2`, ...): in text format, or in binary
    /// for values that have a binary form here (`PostgresBinaryArray`).
    ///
    /// - Parameter prepared: parse and plan the statement once per connection, then run it by name. For the
    ///   statements of every ingested batch: parsing, analysing and planning them each time took a twentieth
    ///   of the database's work per batch. Not for reads whose best plan depends on their values (a prepared
    ///   statement may settle on a generic plan).
    @discardableResult
    public func query(_ sql: String, _ parameters: [(any PostgresEncodable)?] = [], prepared: Bool = false) throws -> QueryResult {
        let handle = try connectedHandle()
        let name = prepared ? try preparedName(of: sql, parameterCount: parameters.count, handle: handle) : nil
        var bound: [Bound] = []
        bound.reserveCapacity(parameters.count)
        for (index, parameter) in parameters.enumerated() {
            guard let parameter, !parameter.isNull else {
                bound.append(.null)
                continue
            }
            let value: Bound
            let hasNUL: Bool
            if let binary = parameter.postgresBinary {
                value = .binary(binary.bytes)
                hasNUL = binary.containsNUL
            } else {
                var text = parameter.postgresText
                // memchr: a batch's array literal is megabytes, scanned for a NUL before it is bound.
                hasNUL = text.withUTF8 { utf8 in utf8.baseAddress.map { memchr($0, 0, utf8.count) != nil } ?? false }
                value = .text(text)
            }
            guard !hasNUL else {
                throw PostgresError(
                    code: .encodingFailed,
                    message: "parameter $\(index + 1) contains a NUL character, which PostgreSQL text cannot hold",
                    query: sql
                )
            }
            bound.append(value)
        }
        // The values' own storage is handed to libpq (no copy of a megabyte parameter before libpq copies it).
        let result: OpaquePointer? = Self.withPointers(to: bound[...]) { values, lengths, formats in
            if let name {
                PQexecPrepared(handle, name, Int32(values.count), values, lengths, formats, 0)
            } else {
                PQexecParams(handle, sql, Int32(values.count), nil, values, lengths, formats, 0)
            }
        }
        return try check(result, sql: sql)
    }

    /// A parameter as libpq takes it.
    private enum Bound {
        case null
        case text(String)
        case binary([UInt8])
    }

    /// Calls `body` with libpq's values, lengths and formats for `bound`, valid for the call.
    private static func withPointers<R>(
        to bound: ArraySlice<Bound>, _ values: [UnsafePointer<CChar>?] = [], _ lengths: [Int32] = [], _ formats: [Int32] = [],
        _ body: ([UnsafePointer<CChar>?], [Int32], [Int32]) -> R
    ) -> R {
        guard let first = bound.first else { return body(values, lengths, formats) }
        let rest = bound.dropFirst()
        switch first {
        case .null:
            return withPointers(to: rest, values + [nil], lengths + [0], formats + [0], body)
        case .text(let text):
            return text.withCString { withPointers(to: rest, values + [$0], lengths + [0], formats + [0], body) }
        case .binary(let bytes):
            return bytes.withUnsafeBufferPointer { buffer in
                buffer.withMemoryRebound(to: CChar.self) { chars in
                    withPointers(to: rest, values + [chars.baseAddress], lengths + [Int32(chars.count)], formats + [1], body)
                }
            }
        }
    }

    /// The name `sql` is prepared under on this session, preparing it first if needed; nil past the limit.
    private func preparedName(of sql: String, parameterCount: Int, handle: OpaquePointer) throws -> String? {
        if let name = preparedNames[sql] { return name }
        guard preparedNames.count < Self.preparedLimit else { return nil }
        let name = "advocacy_\(preparedNames.count + 1)"
        // Parameter types come from the statement's casts, as with PQexecParams.
        _ = try check(PQprepare(handle, name, sql, Int32(parameterCount), nil), sql: sql)
        preparedNames[sql] = name
        return name
    }

    /// Runs one or more statements with no parameters (migrations, `BEGIN`, `COMMIT`).
    public func execute(_ sql: String) throws {
        let handle = try connectedHandle()
        _ = try check(PQexec(handle, sql), sql: sql)
    }

    private func check(_ result: OpaquePointer?, sql: String) throws -> QueryResult {
        switch PQresultStatus(result) {
        case PGRES_COMMAND_OK, PGRES_TUPLES_OK, PGRES_EMPTY_QUERY:
            // `result` is non-nil for these statuses.
            return QueryResult(handle: result.unsafelyUnwrapped)
        default:
            // A statement that failed because the server went away (restart, terminated backend) is a lost
            // connection, whatever libpq's message says.
            let lost = handle.map { PQstatus($0) != CONNECTION_OK } ?? true
            let error = PostgresError.from(result: result, connection: handle, code: lost ? .connectionFailed : .queryFailed, query: sql)
            PQclear(result)
            throw error
        }
    }

    /// Acts for `organization` until the end of the current transaction (row-level security's setting).
    public func actFor(_ organization: UUID) throws {
        try query("SELECT pg_catalog.set_config('app.organization_id', $1, true)", [organization], prepared: true)
    }

    /// Runs `body` inside a transaction: committed when it returns, rolled back when it throws.
    @discardableResult
    public func transaction<T>(_ body: (PostgresConnection) throws -> T) throws -> T {
        try execute("BEGIN")
        let value: T
        do {
            value = try body(self)
        } catch {
            // The connection may be dead; the original error is the one worth reporting.
            try? execute("ROLLBACK")
            throw error
        }
        try execute("COMMIT")
        return value
    }

    /// Bulk-loads rows with `COPY ... FROM STDIN` (text format): `write` appends rows to the writer.
    ///
    /// - Returns: the number of rows the server loaded.
    /// - Throws: `PostgresError` with the server's diagnostics (the line that failed is in `detail`'s
    ///   context) when the server refuses a row; anything `write` throws aborts the COPY.
    @discardableResult
    public func copyIn(_ sql: String, _ write: (CopyWriter) throws -> Void) throws -> Int {
        let handle = try connectedHandle()
        let start = PQexec(handle, sql)
        guard PQresultStatus(start) == PGRES_COPY_IN else {
            let error = PostgresError.from(result: start, connection: handle, code: .copyFailed, query: sql)
            PQclear(start)
            throw error
        }
        PQclear(start)
        let writer = CopyWriter { bytes in
            let sent = bytes.withUnsafeBufferPointer { buffer in
                buffer.withMemoryRebound(to: CChar.self) { PQputCopyData(handle, $0.baseAddress, Int32($0.count)) }
            }
            guard sent == 1 else {
                throw PostgresError(
                    code: .copyFailed,
                    message: "sending COPY data failed: \(String(cString: PQerrorMessage(handle)))",
                    query: sql
                )
            }
        }
        var failure: (any Error)?
        do {
            try write(writer)
            try writer.flush()
        } catch {
            failure = error
        }
        let message = failure.map { "aborted by the client: \($0)" }
        _ = PQputCopyEnd(handle, message)
        var serverError: PostgresError?
        var loaded = 0
        while let result = PQgetResult(handle) {
            if PQresultStatus(result) == PGRES_COMMAND_OK {
                loaded = Int(String(cString: PQcmdTuples(result))) ?? 0
            } else if serverError == nil {
                serverError = PostgresError.from(result: result, connection: handle, code: .copyFailed, query: sql)
            }
            PQclear(result)
        }
        if let failure { throw failure }
        if let serverError { throw serverError }
        return loaded
    }
}

extension Duration {
    var milliseconds: Int64 {
        let (seconds, attoseconds) = components
        return seconds * 1000 + attoseconds / 1_000_000_000_000_000
    }
}
