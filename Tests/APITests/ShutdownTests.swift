import Foundation
import TestSupport
import Testing

#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// The real binary: `advocacy serve` answers, then SIGTERM stops it cleanly (exit status 0).
@Suite("Serve and shut down")
struct ShutdownTests {
    static let binary = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent(".build/debug/advocacy")

    @Test(
        "advocacy serve stops gracefully on SIGTERM",
        .enabled(if: FileManager.default.isExecutableFile(atPath: binary.path), "build the advocacy executable first")
    )
    func sigterm() async throws {
        let port = Int.random(in: 20_000...40_000)
        let process = Process()
        process.executableURL = Self.binary
        process.arguments = ["serve", "--port", "\(port)", "--sql", TestDatabase.sqlDirectory]
        var environment = ProcessInfo.processInfo.environment
        environment["DATABASE_URL"] = try await TestDatabase.url
        environment["LOG_LEVEL"] = "warning"
        process.environment = environment
        try process.run()
        defer { if process.isRunning { process.terminate() } }

        let url = try #require(URL(string: "http://127.0.0.1:\(port)/ready"))
        var status = 0
        for _ in 0..<100 {
            if let (_, response) = try? await URLSession.shared.data(from: url), let http = response as? HTTPURLResponse {
                status = http.statusCode
                break
            }
            try await Task.sleep(for: .milliseconds(100))
        }
        #expect(status == 200)

        kill(process.processIdentifier, SIGTERM)
        for _ in 0..<100 where process.isRunning {
            try await Task.sleep(for: .milliseconds(100))
        }
        #expect(!process.isRunning, "still running 10 s after SIGTERM")
        #expect(process.terminationReason == .exit)
        #expect(process.terminationStatus == 0)
    }
}
