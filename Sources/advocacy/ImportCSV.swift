import Access
import ArgumentParser
import Foundation
import Ingestion
import Logging
import Postgres

struct ImportCSV: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import-csv",
        abstract: "Import CSV files (SSI snapshots, leads, applications, visits...) exactly once, like POST /v1/events.",
        discussion: """
            Refused rows are kept in the database (GET /v1/events/rejected) and written next to the input as
            FILE.rejected.csv with their line, reason and column. Importing a file again changes nothing.
            """
    )

    @Option(help: "What the files hold: \(CSVKind.allCases.map(\.rawValue).joined(separator: ", ")) (may be left to --map).")
    var kind: String?

    @Option(help: "A mapping (JSON) from another tool's export to our layout: columns, values, date format (Deploy/mappings/).")
    var map: String?

    @Option(help: "The organisation's slug or id.")
    var organization: String

    @Argument(help: "CSV files, with a header line; ',' or ';' separated.")
    var files: [String]

    @OptionGroup var earliest: EarliestDateOption
    @OptionGroup var database: DatabaseOptions
    @OptionGroup var logging: LoggingOptions

    func run() async throws {
        let mapping = try map.map { path in
            guard let data = FileManager.default.contents(atPath: path) else { throw ValidationError("cannot read \(path)") }
            do {
                return try CSVMapping.load(data, fileName: path)
            } catch let error as CSVImportError {
                throw ValidationError(error.message)
            }
        }
        guard let name = kind ?? mapping?.kind.rawValue else { throw ValidationError("give --kind, or a --map that names its kind") }
        guard let csvKind = CSVKind(rawValue: name) else {
            throw ValidationError("--kind must be one of \(CSVKind.allCases.map(\.rawValue).joined(separator: ", ")), not \"\(name)\"")
        }
        let logger = try logging.makeLogger(label: "advocacy.import")
        let pool = ConnectionPool(configuration: try database.poolConfiguration(applicationName: "advocacy-import"), logger: logger)
        do {
            let failed = try await importFiles(csvKind, mapping: mapping, pool: pool, logger: logger)
            await pool.close()
            if failed { throw ExitCode(2) }
        } catch {
            await pool.close()
            throw error
        }
    }

    /// - Returns: whether any row was refused.
    private func importFiles(_ csvKind: CSVKind, mapping: CSVMapping?, pool: ConnectionPool, logger: Logger) async throws -> Bool {
        let slugOrID = organization
        guard let organizationID = try await pool.withConnection({ try Organizations.find(slugOrID, on: $0) }) else {
            throw ValidationError("no organisation named \"\(organization)\"")
        }
        let importer = CSVImporter(store: EventStore(pool: pool, validator: EventValidator(earliest: try earliest.resolved()), logger: logger))
        var failed = false
        for file in files {
            guard let data = FileManager.default.contents(atPath: file) else {
                throw ValidationError("cannot read \(file)")
            }
            let progress = ProgressBar(label: URL(fileURLWithPath: file).lastPathComponent)
            let summary = try await importer.run(
                data: Array(data), fileName: URL(fileURLWithPath: file).lastPathComponent, kind: csvKind, mapping: mapping,
                organization: organizationID
            ) { done, total in progress.update(done: done, total: total) }
            progress.finish()
            print("\(file): \(summary.accepted) accepted, \(summary.duplicate) duplicate, \(summary.rejected) rejected")
            if !summary.rejectedRows.isEmpty {
                let output = file + ".rejected.csv"
                try Self.rejectedCSV(summary).write(toFile: output, atomically: true, encoding: .utf8)
                print("  refused rows and their reasons: \(output)")
                failed = true
            }
        }
        return failed
    }

    static func rejectedCSV(_ summary: CSVSummary) -> String {
        func quote(_ text: String) -> String { "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\"" }
        var lines = ["line,reason,column,message,row"]
        for row in summary.rejectedRows {
            lines.append(
                [String(row.line), row.reason, row.field ?? "", quote(row.message), quote(String(decoding: row.raw, as: UTF8.self))]
                    .joined(separator: ",")
            )
        }
        return lines.joined(separator: "\n") + "\n"
    }
}
