import Access
import ArgumentParser
import Foundation
import Postgres

struct CreateOrganization: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "create-organization",
        abstract: "Create an organisation and its first admin API key (printed once: keep it)."
    )

    @Option(help: "Short name used in URLs and tools: lowercase letters, digits and -.")
    var slug: String

    @Option(help: "Display name.")
    var name: String

    @Option(help: "ISO 4217 currency of the money KPIs.")
    var currency = "EUR"

    @Option(help: "Time zone of the reporting periods (IANA name).")
    var timeZone = "UTC"

    @OptionGroup var database: DatabaseOptions
    @OptionGroup var logging: LoggingOptions

    func run() async throws {
        let logger = try logging.makeLogger(label: "advocacy.create-organization")
        let pool = ConnectionPool(configuration: try database.poolConfiguration(applicationName: "advocacy-admin"), logger: logger)
        let (slug, name, currency, timeZone) = (self.slug, self.name, self.currency, self.timeZone)
        do {
            let (organization, created) = try await pool.transaction { connection in
                let organization = try Organizations.create(
                    .init(slug: slug, name: name, currency: currency, timeZone: timeZone), on: connection
                )
                let key = try APIKeys.create(organization: organization, name: "first admin key", scopes: [.admin], expiresAt: nil,
                                             actor: nil, on: connection)
                return (organization, key)
            }
            await pool.close()
            print("organisation \"\(slug)\" created with id \(organization.uuidString.lowercased()); its admin key (shown once):")
            print(created.key)
        } catch let error as PostgresError where error.isIntegrityViolation {
            await pool.close()
            throw ValidationError("cannot create \"\(slug)\": \(error.constraint.map { "\($0): " } ?? "")\(error.message)")
        } catch {
            await pool.close()
            throw error
        }
    }
}

struct CreateKey: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "create-key",
        abstract: "Create an API key for an existing organisation (printed once: keep it)."
    )

    @Option(help: "The organisation's slug.")
    var organization: String

    @Option(help: "Comma-separated scopes: ingest, marketing, hr, admin; or ambassador alone, with --ambassador.")
    var scopes: String

    @Option(help: "The ambassador an ambassador key reads (GET /v1/me, /dashboard/me).")
    var ambassador: String?

    @Option(help: "What the key is for.")
    var name = "command line"

    @OptionGroup var database: DatabaseOptions
    @OptionGroup var logging: LoggingOptions

    func run() async throws {
        let parsed = try Set(scopes.split(separator: ",").map { name in
            guard let scope = Scope(rawValue: String(name).trimmingCharacters(in: .whitespaces)) else {
                throw ValidationError("unknown scope \"\(name)\" (ingest, marketing, hr, admin, ambassador)")
            }
            return scope
        })
        guard !parsed.isEmpty else { throw ValidationError("give at least one scope") }
        if let (_, message) = APIKeys.bindingProblem(scopes: parsed, ambassador: ambassador) { throw ValidationError(message + " (--ambassador)") }
        let logger = try logging.makeLogger(label: "advocacy.create-key")
        let pool = ConnectionPool(configuration: try database.poolConfiguration(applicationName: "advocacy-admin"), logger: logger)
        let (slug, name, ambassador) = (organization, self.name, self.ambassador)
        do {
            let created = try await pool.transaction { connection -> APIKeys.Created? in
                guard let organization = try Organizations.find(slug, on: connection) else { return nil }
                return try APIKeys.create(
                    organization: organization, name: name, scopes: parsed, ambassador: ambassador, expiresAt: nil, actor: nil, on: connection
                )
            }
            await pool.close()
            guard let created else { throw ValidationError("no organisation \"\(slug)\"") }
            print(created.key)
        } catch {
            await pool.close()
            throw error
        }
    }
}
