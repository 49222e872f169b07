import Access
import ArgumentParser
import Foundation
import Postgres

struct BILogin: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bi-login",
        abstract: "Bind a database login (Metabase, Grafana, psql) to one organisation, read-only (run as the schema's owner).",
        discussion: """
            The login sees that organisation's facts, rollups and KPI functions, never keys, sessions or pseudonym keys; \
            with --hr, also the applications' candidate references. A new login has no password: set one with psql's \\password.
            """
    )

    @Argument(help: "The login role's name.")
    var login: String

    @Option(help: "The organisation's slug or id.")
    var organization: String?

    @Flag(help: "Also grant the applications' candidate references (the field naming a candidate).")
    var hr = false

    @Flag(help: "End the login's access instead (the role itself stays).")
    var remove = false

    @OptionGroup var database: DatabaseOptions

    func validate() throws {
        guard remove != (organization != nil) else { throw ValidationError("give --organization, or --remove") }
        guard !login.isEmpty, login.utf8.count <= 63 else { throw ValidationError("a login name has 1 to 63 bytes") }
    }

    func run() async throws {
        let connection = try PostgresConnection.connect(try database.poolConfiguration(applicationName: "advocacy-admin").connection)
        if remove {
            let removed = try ReaderLogins.revoke(login: login, on: connection)
            print(removed ? "\(login) no longer reads any organisation" : "\(login) was not a BI login; nothing to remove")
            return
        }
        let slugOrID = organization ?? ""
        guard let organizationID = try Organizations.find(slugOrID, on: connection) else {
            throw ValidationError("no organisation named \"\(slugOrID)\"")
        }
        do {
            try ReaderLogins.grant(login: login, organization: organizationID, hr: hr, on: connection)
        } catch let error as PostgresError where error.sqlState == "42501" || error.sqlState == "22023" {
            throw ValidationError("cannot make \(login) a BI login: \(error.message) (run as the schema's owner, with CREATEROLE)")
        }
        print("\(login) reads organisation \(slugOrID) only\(hr ? ", candidate references included" : ""); set its password with psql's \\password \(login)")
    }
}
