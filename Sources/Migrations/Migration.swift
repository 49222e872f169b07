import Foundation

/// One numbered SQL file of `SQL/migrations`, e.g. `0001_core_schema.sql`.
public struct Migration: Sendable, Equatable {
    public let version: Int
    public let name: String
    public let sql: String

    public init(version: Int, name: String, sql: String) {
        self.version = version
        self.name = name
        self.sql = sql
    }
}

/// Where the migrations are and how they are read.
public struct MigrationSource: Sendable {
    public let directory: URL

    public init(directory: URL) {
        self.directory = directory
    }

    /// Finds `SQL/migrations`: the given directory if any, else the first `SQL/migrations` found walking up
    /// from the working directory, then from the executable (so `.build/debug/advocacy` finds the repo's).
    public static func locate(explicit: String? = nil) throws -> MigrationSource {
        if let explicit {
            return MigrationSource(directory: URL(fileURLWithPath: explicit, isDirectory: true))
        }
        let starts = [
            URL(fileURLWithPath: FileManager.default.currentDirectoryPath, isDirectory: true),
            URL(fileURLWithPath: CommandLine.arguments.first ?? ".").resolvingSymlinksInPath().deletingLastPathComponent(),
        ]
        for start in starts {
            var directory = start.standardizedFileURL
            while true {
                let candidate = directory.appendingPathComponent("SQL/migrations", isDirectory: true)
                var isDirectory: ObjCBool = false
                if FileManager.default.fileExists(atPath: candidate.path, isDirectory: &isDirectory), isDirectory.boolValue {
                    return MigrationSource(directory: candidate)
                }
                let parent = directory.deletingLastPathComponent()
                if parent.path == directory.path { break }
                directory = parent
            }
        }
        throw MigrationError(
            message: "cannot find the SQL/migrations folder from \(FileManager.default.currentDirectoryPath)",
            hint: "run from the repository, or set SQL_MIGRATIONS_DIR (or --migrations) to the folder"
        )
    }

    /// Reads every `NNNN_name.sql` file in version order.
    /// - Throws: `MigrationError` for a misnamed file or two files with one version.
    public func load() throws -> [Migration] {
        let files: [String]
        do {
            files = try FileManager.default.contentsOfDirectory(atPath: directory.path)
        } catch {
            throw MigrationError(message: "cannot list \(directory.path): \(error)")
        }
        var migrations: [Migration] = []
        for file in files.sorted() where file.hasSuffix(".sql") {
            let stem = file.dropLast(4)
            guard let underscore = stem.firstIndex(of: "_"), let version = Int(stem[..<underscore]), version > 0 else {
                throw MigrationError(
                    message: "migration file \(file) is not named NNNN_name.sql",
                    hint: "rename it with a version number, e.g. 0007_add_goals.sql"
                )
            }
            if let clash = migrations.first(where: { $0.version == version }) {
                throw MigrationError(message: "migrations \(clash.name) and \(file) share version \(version)")
            }
            let url = directory.appendingPathComponent(file)
            let sql: String
            do {
                sql = try String(contentsOf: url, encoding: .utf8)
            } catch {
                throw MigrationError(message: "cannot read \(url.path): \(error)")
            }
            migrations.append(Migration(version: version, name: String(stem), sql: sql))
        }
        return migrations.sorted { $0.version < $1.version }
    }
}

/// Why migrating stopped, with what to do about it.
public struct MigrationError: Error, Sendable, CustomStringConvertible {
    public var message: String
    public var hint: String?

    public init(message: String, hint: String? = nil) {
        self.message = message
        self.hint = hint
    }

    public var description: String {
        hint.map { "\(message) (\($0))" } ?? message
    }
}
