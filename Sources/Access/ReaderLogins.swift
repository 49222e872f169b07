import Foundation
import Postgres

/// BI logins (the owner of `core.reader_logins`): database login roles bound to one organisation by the database
/// itself, for Metabase, Grafana or psql. Row-level security lets such a login see its organisation's rows
/// only, whatever it sets; it never sees keys, sessions or pseudonym keys, and sees candidate-level rows only
/// when mapped with `hr`. Run as the schema's owner (CREATEROLE): the service role may do none of this.
public enum ReaderLogins {
    /// Creates the login role when needed (no password: set one with psql's `\password`), grants it the reader
    /// role (and the HR reader role exactly when `hr`) and maps it to `organization`.
    public static func grant(login: String, organization: UUID, hr: Bool, on connection: PostgresConnection) throws {
        try connection.transaction { connection in
            try connection.query("SELECT core.grant_reader_login($1, $2, $3)", [login, organization, hr])
        }
    }

    /// Ends a BI login (the role stays). - Returns: false when it was not mapped.
    public static func revoke(login: String, on connection: PostgresConnection) throws -> Bool {
        try connection.transaction { connection in
            try connection.query("SELECT core.revoke_reader_login($1)", [login])[0].decode(Bool.self, at: 0)
        }
    }
}
