import Foundation
import Logging
import Metrics
import NIOPosix
import Synchronization

/// A bounded pool of libpq connections with a dedicated thread pool of the same size.
///
/// Work is lent a connection and runs, blocking, on one of the pool's own threads, never on an event loop
/// or the cooperative pool. Connections are opened lazily, checked before each use and replaced when the
/// server closed them. Waiting for a free connection is bounded by `leaseTimeout`.
public final class ConnectionPool: Sendable {
    public struct Configuration: Sendable {
        public var connection: PostgresConnection.Settings
        /// The most connections open at once; also the size of the thread pool.
        public var size: Int
        /// How long a caller waits for a free connection before `PostgresError.poolTimeout`.
        public var leaseTimeout: Duration
        /// The `pool` label of the pool's metrics: what it is for (`primary`, `ingestion`, `read`).
        public var name: String

        public init(
            connection: PostgresConnection.Settings, size: Int = 4, leaseTimeout: Duration = .seconds(10), name: String = "primary"
        ) {
            self.connection = connection
            self.size = max(1, size)
            self.leaseTimeout = leaseTimeout
            self.name = name
        }
    }

    private struct Waiter {
        let id: UInt64
        let continuation: CheckedContinuation<PostgresConnection, any Error>
    }

    private struct State {
        var idle: [PostgresConnection]
        var waiters: [Waiter] = []
        var nextWaiterID: UInt64 = 0
        var closed = false
        var closeWaiter: CheckedContinuation<Void, Never>?
    }

    public let configuration: Configuration
    private let connections: [PostgresConnection]
    private let state: Mutex<State>
    private let threadPool: NIOThreadPool
    private let logger: Logger
    private let metrics: PoolMetrics

    public init(configuration: Configuration, logger: Logger) {
        self.configuration = configuration
        self.logger = logger
        let connections = (0..<configuration.size).map { _ in
            PostgresConnection(settings: configuration.connection)
        }
        self.connections = connections
        self.state = Mutex(State(idle: connections))
        self.threadPool = NIOThreadPool(numberOfThreads: configuration.size)
        self.threadPool.start()
        self.metrics = PoolMetrics(pool: configuration.name)
        metrics.size.record(configuration.size)
        metrics.inUse.record(0)
        metrics.waiting.record(0)
    }

    /// Lends a connection to `body`, which runs on the pool's own thread; the connection comes back after.
    ///
    /// - Throws: `PostgresError.poolTimeout` when no connection frees up in time, `connectionFailed` when the
    ///   server cannot be reached, or whatever `body` throws.
    public func withConnection<T: Sendable>(
        _ body: @escaping @Sendable (PostgresConnection) throws -> T
    ) async throws -> T {
        let waitStart = ContinuousClock.now
        let connection = try await lease()
        metrics.leaseWait.record(duration: ContinuousClock.now - waitStart)
        defer { release(connection) }
        let logger = self.logger
        // A cancelled task (a request cut at shutdown, a client gone) cancels the statement it waits on: the
        // blocked thread cannot see the task, the server can stop the statement.
        return try await withTaskCancellationHandler {
            try await run(on: connection, logger: logger, body)
        } onCancel: {
            connection.cancelRunningStatement()
        }
    }

    private func run<T: Sendable>(
        on connection: PostgresConnection, logger: Logger, _ body: @escaping @Sendable (PostgresConnection) throws -> T
    ) async throws -> T {
        try await threadPool.runIfActive {
            let reconnectsBefore = connection.reconnectCount
            try connection.prepareForUse()
            if connection.reconnectCount > reconnectsBefore {
                logger.warning("replaced a PostgreSQL connection the server had closed")
            }
            do {
                return try body(connection)
            } catch let error as PostgresError where connection.isBroken && connection.statementsSinceLease <= 1 {
                // The server closed the connection before answering the first statement (restart, terminated
                // backend, idle timeout), a race the check above cannot always win. That statement did not
                // commit anything on its own: reconnect and run the work once more.
                logger.warning("PostgreSQL connection lost; reconnecting and retrying", metadata: ["error": .error(error)])
                try connection.prepareForUse()
                return try body(connection)
            }
        }
    }

    /// Runs `body` in a transaction on a pooled connection: committed on return, rolled back on any error.
    @discardableResult
    public func transaction<T: Sendable>(
        _ body: @escaping @Sendable (PostgresConnection) throws -> T
    ) async throws -> T {
        try await withConnection { connection in try connection.transaction(body) }
    }

    /// Runs `body` in a transaction that acts for one organisation: `app.organization_id` is set for this
    /// transaction only, so row-level security shows and accepts that organisation's rows and no other's.
    @discardableResult
    public func tenantTransaction<T: Sendable>(
        _ organization: UUID, _ body: @escaping @Sendable (PostgresConnection) throws -> T
    ) async throws -> T {
        try await transaction { connection in
            try connection.actFor(organization)
            return try body(connection)
        }
    }

    /// One statement acting for one organisation (see `tenantTransaction`).
    @discardableResult
    public func tenantQuery(_ organization: UUID, _ sql: String, _ parameters: [(any PostgresEncodable)?] = []) async throws -> QueryResult {
        try await tenantTransaction(organization) { connection in try connection.query(sql, parameters) }
    }

    /// Runs one statement with bound parameters on a pooled connection.
    @discardableResult
    public func query(_ sql: String, _ parameters: [(any PostgresEncodable)?] = []) async throws -> QueryResult {
        try await withConnection { connection in try connection.query(sql, parameters) }
    }

    /// Waits for borrowers to give their connections back, closes them and stops the threads.
    /// Callers still waiting for a connection get `PostgresError.poolClosed`.
    public func close() async {
        let waiters: [Waiter] = state.withLock { state in
            state.closed = true
            defer { state.waiters.removeAll() }
            return state.waiters
        }
        for waiter in waiters {
            waiter.continuation.resume(throwing: PostgresError(code: .poolClosed, message: "the connection pool is closed"))
        }
        let total = connections.count
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let allBack = state.withLock { state in
                if state.idle.count == total { return true }
                state.closeWaiter = continuation
                return false
            }
            if allBack { continuation.resume() }
        }
        let connections = self.connections
        try? await threadPool.runIfActive { connections.forEach { $0.close() } }
        try? await threadPool.shutdownGracefully()
    }

    private func lease() async throws -> PostgresConnection {
        try Task.checkCancellation()
        let id: UInt64 = state.withLock { state in
            state.nextWaiterID += 1
            return state.nextWaiterID
        }
        let timeout = configuration.leaseTimeout
        let size = configuration.size
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<PostgresConnection, any Error>) in
                enum Outcome {
                    case leased(PostgresConnection)
                    case closed
                    case waiting
                }
                let outcome: Outcome = state.withLock { state in
                    if state.closed { return .closed }
                    if let connection = state.idle.popLast() {
                        metrics.inUse.record(size - state.idle.count)
                        return .leased(connection)
                    }
                    state.waiters.append(Waiter(id: id, continuation: continuation))
                    metrics.waiting.record(state.waiters.count)
                    return .waiting
                }
                switch outcome {
                case .leased(let connection):
                    continuation.resume(returning: connection)
                case .closed:
                    continuation.resume(throwing: PostgresError(code: .poolClosed, message: "the connection pool is closed"))
                case .waiting:
                    Task { [weak self] in
                        try? await Task.sleep(for: timeout)
                        self?.failWaiter(
                            id,
                            with: PostgresError(
                                code: .poolTimeout,
                                message: "no database connection became free within \(timeout) "
                                    + "(all \(size) in use)",
                                hint: "raise the pool size (DATABASE_POOL_SIZE) or find what holds connections"
                            )
                        )
                    }
                }
            }
        } onCancel: {
            failWaiter(id, with: CancellationError())
        }
    }

    private func failWaiter(_ id: UInt64, with error: any Error) {
        let waiter = state.withLock { state -> Waiter? in
            guard let index = state.waiters.firstIndex(where: { $0.id == id }) else { return nil }
            defer { metrics.waiting.record(state.waiters.count) }
            return state.waiters.remove(at: index)
        }
        guard let waiter else { return }  // served in the meantime
        if let error = error as? PostgresError { error.counted() }
        waiter.continuation.resume(throwing: error)
    }

    private func release(_ connection: PostgresConnection) {
        enum Next {
            case handTo(Waiter)
            case closeNow(CheckedContinuation<Void, Never>)
            case none
        }
        let next: Next = state.withLock { state in
            if !state.waiters.isEmpty {
                defer { metrics.waiting.record(state.waiters.count) }
                return .handTo(state.waiters.removeFirst())
            }
            state.idle.append(connection)
            metrics.inUse.record(connections.count - state.idle.count)
            if state.closed, state.idle.count == connections.count, let waiter = state.closeWaiter {
                state.closeWaiter = nil
                return .closeNow(waiter)
            }
            return .none
        }
        switch next {
        case .handTo(let waiter): waiter.continuation.resume(returning: connection)
        case .closeNow(let continuation): continuation.resume()
        case .none: break
        }
    }
}

/// The pool's gauges and lease-wait histogram, labelled with its name.
struct PoolMetrics: Sendable {
    let size: Gauge
    let inUse: Gauge
    let waiting: Gauge
    let leaseWait: Metrics.Timer

    init(pool name: String) {
        let labels = [("pool", name)]
        size = Gauge(label: "db_pool_connections", dimensions: labels)
        inUse = Gauge(label: "db_pool_connections_in_use", dimensions: labels)
        waiting = Gauge(label: "db_pool_waiting_borrowers", dimensions: labels)
        leaseWait = Metrics.Timer(label: "db_pool_lease_wait_seconds", dimensions: labels)
    }
}
