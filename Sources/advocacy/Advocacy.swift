import ArgumentParser

/// The service's single command line: `serve`, `migrate`, `seed-demo`, the importers and the administration commands.
@main
struct Advocacy: AsyncParsableCommand {
    /// The release this build is; `buildCommit` (written at build time) says which commit exactly.
    static let version = "0.9.0"

    static let configuration = CommandConfiguration(
        commandName: "advocacy",
        abstract: "Employee advocacy KPI analytics: ingests programme facts, computes the KPIs, serves them.",
        version: "advocacy \(version) (commit \(buildCommit))",
        subcommands: [Serve.self, Migrate.self, SeedDemo.self, ImportCSV.self, CreateOrganization.self, CreateKey.self, BILogin.self]
    )
}
