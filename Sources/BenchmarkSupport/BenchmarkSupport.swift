import AsyncHTTPClient
import Foundation
import Synchronization

/// `advocacy serve` as a child process, so its memory is its own.
public final class Server: Sendable {
    public let process: Process

    init(process: Process) {
        self.process = process
    }

    /// An executable built next to the running one (in the same .build folder).
    public static func siblingBinary(_ name: String) -> URL {
        URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent().appendingPathComponent(name)
    }

    /// Runs an `advocacy` subcommand to its end and returns what it printed; throws when it fails.
    @discardableResult
    public static func command(_ binary: URL, _ arguments: [String], databaseURL: String) throws -> String {
        let process = process(binary, arguments, databaseURL: databaseURL)
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        // Read to the end before waiting: a subcommand that fills the pipe would otherwise never exit.
        let printed = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw BenchmarkError("advocacy \(arguments.joined(separator: " ")) failed (exit \(process.terminationStatus))")
        }
        return String(decoding: printed, as: UTF8.self)
    }

    /// Brings the database to the checkout's migrations: a benchmark may be the first thing run on a new one.
    public static func migrate(binary: URL, databaseURL: String) throws {
        try command(binary, ["migrate"], databaseURL: databaseURL)
    }

    /// - Parameter environment: more settings, e.g. READ_DATABASE_URL.
    public static func start(binary: URL, databaseURL: String, port: Int, environment: [String: String] = [:]) async throws -> Server {
        let process = process(binary, ["serve", "--port", "\(port)"], databaseURL: databaseURL, logLevel: "warning")
        process.environment?.merge(environment) { $1 }
        try process.run()
        for _ in 0..<200 {
            let request = HTTPClientRequest(url: "http://127.0.0.1:\(port)/ready")
            if let response = try? await HTTPClient.shared.execute(request, timeout: .seconds(2)), response.status == .ok {
                return Server(process: process)
            }
            try await Task.sleep(for: .milliseconds(50))
        }
        process.terminate()
        throw BenchmarkError("the server did not become ready on port \(port)")
    }

    /// `binary arguments...` with this process's environment, on `databaseURL`.
    private static func process(_ binary: URL, _ arguments: [String], databaseURL: String, logLevel: String? = nil) -> Process {
        let process = Process()
        process.executableURL = binary
        process.arguments = arguments
        var environment = ProcessInfo.processInfo.environment
        environment["DATABASE_URL"] = databaseURL
        if let logLevel { environment["LOG_LEVEL"] = logLevel }
        process.environment = environment
        return process
    }

    /// Peak resident memory, from /proc (VmHWM).
    public func peakMemoryKiB() -> Int {
        let status = (try? String(contentsOfFile: "/proc/\(process.processIdentifier)/status", encoding: .utf8)) ?? ""
        let line = status.split(separator: "\n").first { $0.hasPrefix("VmHWM:") } ?? ""
        return Int(line.split(separator: " ").dropFirst().first ?? "0") ?? 0
    }

    public func stop() {
        if process.isRunning {
            process.terminate()
            process.waitUntilExit()
        }
    }
}

/// Hands each batch to exactly one sender.
public final class BatchCursor: Sendable {
    private let next = Mutex(0)

    public init() {}

    public func take() -> Int {
        next.withLock { value in
            defer { value += 1 }
            return value
        }
    }
}

/// Writes a line at once (print is fully buffered when piped, and a benchmark is watched as it runs).
public func say(_ line: String) {
    FileHandle.standardOutput.write(Data((line + "\n").utf8))
}

public struct BenchmarkError: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}

/// The value below which `fraction` of the samples fall (nearest rank).
public func percentile(_ samples: [Double], _ fraction: Double) -> Double {
    guard !samples.isEmpty else { return .nan }
    let sorted = samples.sorted()
    let rank = Int((fraction * Double(sorted.count)).rounded(.up)) - 1
    return sorted[min(max(rank, 0), sorted.count - 1)]
}

/// Seconds elapsed since `start`.
public func seconds(since start: ContinuousClock.Instant) -> Double {
    let elapsed = ContinuousClock.now - start
    return Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
}

/// CPU time (user + system) of processes, from /proc: where a run's time went on a machine whose cores the
/// client, the server and PostgreSQL share.
public enum CPUTime {
    /// Seconds of CPU `pid` has used so far (0 when it is gone).
    public static func seconds(of pid: Int32) -> Double {
        // utime and stime are fields 14 and 15 of /proc/PID/stat, 12 and 13 after "pid (comm) state".
        guard let fields = statFields(pid), fields.count > 12, let user = Double(fields[11]), let system = Double(fields[12]) else {
            return 0
        }
        return (user + system) / Double(sysconf(Int32(_SC_CLK_TCK)))
    }

    /// The parent of `pid` (field 4).
    public static func parent(of pid: Int32) -> Int32? {
        statFields(pid).flatMap { $0.count > 1 ? Int32($0[1]) : nil }
    }

    /// The processes whose parent is `parent` (a postmaster's backends).
    public static func children(of parent: Int32) -> [Int32] {
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        return entries.compactMap(Int32.init).filter { Self.parent(of: $0) == parent }
    }

    /// The fields of /proc/PID/stat after "pid (comm)", which may hold spaces.
    private static func statFields(_ pid: Int32) -> [Substring]? {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8), let end = stat.lastIndex(of: ")") else {
            return nil
        }
        return stat[stat.index(after: end)...].split(separator: " ")
    }
}
