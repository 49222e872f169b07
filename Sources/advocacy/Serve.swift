import API
import ArgumentParser
import Hummingbird

struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Run the HTTP service until SIGTERM or SIGINT.")

    @Option(help: "Address to listen on [env: HTTP_HOST] (default: 127.0.0.1)")
    var host: String?

    @Option(help: "Port to listen on [env: HTTP_PORT] (default: 8080)")
    var port: Int?

    @OptionGroup var database: DatabaseOptions
    @OptionGroup var logging: LoggingOptions

    func run() async throws {
        let logger = try logging.makeLogger(label: "advocacy")
        let settings = AppSettings(
            host: host ?? environmentValue("HTTP_HOST") ?? "127.0.0.1",
            port: try port ?? environmentValue("HTTP_PORT").map { try parseInt($0, "HTTP_PORT") } ?? 8080,
            database: try database.poolConfiguration(applicationName: "advocacy-serve"),
            migrationsDirectory: database.resolvedMigrationsDirectory,
            logLevel: logger.logLevel
        )
        let app = try buildApplication(settings)
        try await app.runService()
    }
}
