import ArgumentParser

/// The service's single command line: `serve`, `migrate`, `seed-demo`, the importers and the administration commands.
@main
struct Advocacy: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "advocacy",
        abstract: "Employee advocacy KPI analytics: ingests programme facts, computes the KPIs, serves them.",
        subcommands: [Serve.self, Migrate.self, SeedDemo.self, ImportCSV.self, CreateOrganization.self, CreateKey.self, BILogin.self]
    )
}
