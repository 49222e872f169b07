import Foundation
import Postgres
import TestSupport
import Synchronization
import Testing

private let attemptCounter = Mutex(0)

/// How many borrowers hold their connection, counted from the pool's threads.
private final class Holders: Sendable {
    private let held = Mutex(0)
    var count: Int { held.withLock { $0 } }
    func add() { held.withLock { $0 += 1 } }
}

@Suite("Connection pool")
struct PoolTests {
    @Test("work runs on the pool's own threads, not the cooperative pool")
    func dedicatedThreads() async throws {
        try await TestDatabase.withPool(size: 2) { pool in
            let name = try await pool.withConnection { _ in currentThreadName() }
            // NIOThreadPool names its threads "TP-#n".
            #expect(name.hasPrefix("TP-"), "ran on thread \(name)")
        }
    }

    @Test("the pool never opens more connections than its size, and a waiter gets a clear timeout")
    func boundedWithTimeout() async throws {
        let settings = PostgresConnection.Settings(conninfo: try await TestDatabase.url, applicationName: "pool-bound-test")
        let pool = ConnectionPool(
            configuration: .init(connection: settings, size: 2, leaseTimeout: .milliseconds(300)),
            logger: TestDatabase.logger
        )
        // Two borrowers hold both connections until released; the third must time out. Holding by a semaphore
        // (on the pool's own threads) rather than by a sleep keeps the test exact however loaded the machine is.
        let release = DispatchSemaphore(value: 0)
        let holding = Holders()
        async let first: Void = pool.withConnection { connection in
            try connection.query("SELECT 1")
            holding.add()
            release.wait()
        }
        async let second: Void = pool.withConnection { connection in
            try connection.query("SELECT 1")
            holding.add()
            release.wait()
        }
        for _ in 0..<6000 where holding.count < 2 {
            try await Task.sleep(for: .milliseconds(10))
        }
        #expect(holding.count == 2)
        let observer = try PostgresConnection.connect(.init(conninfo: try await TestDatabase.url))
        let error = await #expect(throws: PostgresError.self) {
            try await pool.query("SELECT 1")
        }
        #expect(error?.code == .poolTimeout)
        #expect(error?.message.contains("all 2 in use") == true)
        let open = try observer.query(
            "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'pool-bound-test'"
        )[0].decode(Int.self, at: 0)
        #expect(open == 2)
        release.signal()
        release.signal()
        _ = try await (first, second)
        // Once they are back, the pool serves again.
        #expect(try await pool.query("SELECT 3")[0].decode(Int.self, at: 0) == 3)
        await pool.close()
    }

    @Test("many concurrent callers share a small pool and all get an answer")
    func sharing() async throws {
        // What is tested is sharing, not speed: a waiter may wait long on a loaded machine.
        let settings = PostgresConnection.Settings(conninfo: try await TestDatabase.url)
        let pool = ConnectionPool(configuration: .init(connection: settings, size: 3, leaseTimeout: .seconds(120)), logger: TestDatabase.logger)
        let sum = try await withThrowingTaskGroup(of: Int.self) { group in
            for value in 1...50 {
                group.addTask { try await pool.query("SELECT $1::int * 2", [value])[0].decode(Int.self, at: 0) }
            }
            return try await group.reduce(0, +)
        }
        await pool.close()
        #expect(sum == (1...50).reduce(0, +) * 2)
    }

    @Test("a pooled connection killed by the server is replaced on next use")
    func killedConnectionIsReplaced() async throws {
        let appName = "kill-test-\(UUID().uuidString.prefix(8))"
        let settings = PostgresConnection.Settings(conninfo: try await TestDatabase.url, applicationName: appName)
        let pool = ConnectionPool(configuration: .init(connection: settings, size: 2), logger: TestDatabase.logger)
        // Open both connections: each borrower holds its own until both are in.
        let arrivals = Arrivals()
        async let a = pool.withConnection { arrivals.holdUntil(2, $0) }
        async let b = pool.withConnection { arrivals.holdUntil(2, $0) }
        let before = Set(try await [a, b])
        #expect(before.count == 2)

        let admin = try PostgresConnection.connect(.init(conninfo: try await TestDatabase.url))
        let killed = try admin.query(
            "SELECT count(*) FROM (SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = $1) AS k",
            [appName]
        )[0].decode(Int.self, at: 0)
        #expect(killed == 2)
        // pg_terminate_backend only signals: wait until the backends are gone.
        for _ in 0..<100 {
            let left = try admin.query("SELECT count(*) FROM pg_stat_activity WHERE pid = ANY($1::int[])", [before.map(Int.init)])
            if try left[0].decode(Int.self, at: 0) == 0 { break }
            try await Task.sleep(for: .milliseconds(20))
        }

        for _ in 0..<4 {
            #expect(try await pool.query("SELECT 1")[0].decode(Int.self, at: 0) == 1)
        }
        let after = try await pool.withConnection { $0.backendPID ?? 0 }
        #expect(!before.contains(after))
        await pool.close()
    }

    @Test("a connection that dies between the check and its first statement is replaced, and the work retried once")
    func diesJustBeforeUse() async throws {
        let url = try await TestDatabase.url
        try await TestDatabase.withPool(size: 1) { pool in
            let attempts = try await pool.withConnection { connection -> Int in
                attemptCounter.withLock { $0 += 1 }
                if attemptCounter.withLock({ $0 }) == 1, let pid = connection.backendPID {
                    // Kill our own backend from outside, as a server restart would, and let it die.
                    let admin = try PostgresConnection.connect(.init(conninfo: url))
                    try admin.query("SELECT pg_terminate_backend($1)", [Int(pid)])
                    Thread.sleep(forTimeInterval: 0.3)
                }
                _ = try connection.query("SELECT 1")
                return attemptCounter.withLock { $0 }
            }
            #expect(attempts == 2)
        }
    }

    @Test("a closed pool refuses new work with a clear error")
    func closed() async throws {
        let pool = try await TestDatabase.makePool(size: 1)
        _ = try await pool.query("SELECT 1")
        await pool.close()
        let error = await #expect(throws: PostgresError.self) { try await pool.query("SELECT 1") }
        #expect(error?.code == .poolClosed)
    }
}

/// Lets borrowers hold their connections until enough of them are in (bounded at 5 s).
final class Arrivals: Sendable {
    private let count = Mutex(0)

    func holdUntil(_ expected: Int, _ connection: PostgresConnection) -> Int32 {
        count.withLock { $0 += 1 }
        for _ in 0..<500 where count.withLock({ $0 }) < expected { Thread.sleep(forTimeInterval: 0.01) }
        return connection.backendPID ?? 0
    }
}

/// The kernel's name for the calling thread (NIOThreadPool names its threads "TP-#n").
private func currentThreadName() -> String {
    let name = (try? String(contentsOfFile: "/proc/thread-self/comm", encoding: .utf8)) ?? ""
    return name.trimmingCharacters(in: .whitespacesAndNewlines)
}
