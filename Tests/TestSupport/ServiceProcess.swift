import Foundation
import Migrations
import Postgres
import Synchronization

#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// The real `advocacy` binary of this build, run as an operator runs it, with its standard error collected.
public final class ServiceProcess: Sendable {
    public static let binary = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent(".build/debug/advocacy")

    public static var isBuilt: Bool { FileManager.default.isExecutableFile(atPath: binary.path) }

    private let process: Process
    private let collected = Collected()
    private let output = Collected()

    private final class Collected: Sendable {
        let data = Mutex<Data>(Data())
    }

    /// Starts `advocacy <arguments>` with `environment` added to this process's.
    public init(_ arguments: [String], environment: [String: String] = [:]) throws {
        process = Process()
        process.executableURL = Self.binary
        process.arguments = arguments
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { _, new in new }
        for (pipe, collected) in [(Pipe(), collected), (Pipe(), output)] {
            if collected === output { process.standardOutput = pipe } else { process.standardError = pipe }
            pipe.fileHandleForReading.readabilityHandler = { handle in
                let data = handle.availableData
                collected.data.withLock { $0.append(data) }
            }
        }
        try process.run()
    }

    deinit {
        if process.isRunning { process.terminate() }
    }

    /// What the process wrote to standard error so far (its log).
    public var standardError: String { collected.data.withLock { String(decoding: $0, as: UTF8.self) } }

    /// What the process wrote to standard output so far (a command's result).
    public var standardOutput: String { output.data.withLock { String(decoding: $0, as: UTF8.self) } }

    public var isRunning: Bool { process.isRunning }
    public var exitStatus: Int32? { process.isRunning ? nil : process.terminationStatus }

    public func signal(_ signal: Int32) { kill(process.processIdentifier, signal) }

    /// Waits up to `timeout` for the process to end. - Returns: whether it did.
    @discardableResult
    public func waitForExit(timeout: Duration) async throws -> Bool {
        let deadline = ContinuousClock.now + timeout
        while process.isRunning, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(50)) }
        return !process.isRunning
    }

    /// Waits until `url` answers (any status), or the process ends. - Returns: whether it answered.
    public func waitUntilAnswering(_ url: URL, timeout: Duration = .seconds(20)) async throws -> Bool {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline, process.isRunning {
            if (try? await URLSession.shared.data(from: url)) != nil { return true }
            try await Task.sleep(for: .milliseconds(100))
        }
        return false
    }

    /// A free port on 127.0.0.1, from the kernel.
    public static func freePort() throws -> Int {
        let socket = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard socket >= 0 else { throw TestSetupError(message: "socket() failed") }
        defer { close(socket) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(socket, $0, length) == 0 && getsockname(socket, $0, &length) == 0 }
        }
        guard bound else { throw TestSetupError(message: "bind() failed") }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}

extension TestDatabase {
    /// A new database of its own, migrated: for tests that lock tables or change the schema's record.
    public static func makeMigrated(named name: String) async throws -> String {
        let url = try await recreate(named: name)
        let pool = ConnectionPool(configuration: .init(connection: .init(conninfo: url), size: 1), logger: logger)
        do {
            let sql = try SQLSource(directory: URL(fileURLWithPath: sqlDirectory)).load()
            try await Migrator(tree: sql, logger: logger).migrate(on: pool)
            await pool.close()
        } catch {
            await pool.close()
            throw error
        }
        return url
    }
}
