import Foundation

/// One versioned file of `SQL/schema`, e.g. `0001_baseline.sql`: applied once, frozen once released.
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

/// One file of `SQL/definitions`: a function, view, trigger, policy set or grant set, safe to apply again.
public struct Definition: Sendable, Equatable {
    /// What a file defines, from its top folder; definitions are applied in this order.
    public enum Kind: String, Sendable, CaseIterable, Comparable {
        case functions, views, triggers, policies, grants

        public static func < (lhs: Kind, rhs: Kind) -> Bool { lhs.rank < rhs.rank }

        private var rank: Int { Self.allCases.firstIndex(of: self) ?? Self.allCases.count }
    }

    /// The path under `SQL/definitions`, e.g. `functions/kpi/summary.sql`.
    public let path: String
    public let kind: Kind
    public let sql: String

    public init(path: String, sql: String) throws {
        guard let top = path.split(separator: "/").first, let kind = Kind(rawValue: String(top)) else {
            throw MigrationError(
                message: "definitions/\(path) is in no known folder",
                hint: "put it under one of \(Kind.allCases.map { "definitions/\($0.rawValue)/" }.joined(separator: ", "))"
            )
        }
        self.path = path
        self.kind = kind
        self.sql = sql
    }
}

/// The SQL of one build: versioned migrations, then definitions in the order they are applied.
public struct SQLTree: Sendable {
    public let migrations: [Migration]
    public let definitions: [Definition]

    public init(migrations: [Migration], definitions: [Definition] = []) {
        self.migrations = migrations.sorted { $0.version < $1.version }
        self.definitions = definitions.sorted { ($0.kind, $0.path) < ($1.kind, $1.path) }
    }
}

/// Where the `SQL` folder is and how it is read.
public struct SQLSource: Sendable {
    public let directory: URL

    public init(directory: URL) {
        self.directory = directory
    }

    /// Finds the `SQL` folder (one with `schema/` in it): the given one if any, else the first found walking up
    /// from the working directory, then from the executable (so `.build/debug/advocacy` finds the repo's).
    public static func locate(explicit: String? = nil) throws -> SQLSource {
        if let explicit {
            return SQLSource(directory: URL(fileURLWithPath: explicit, isDirectory: true))
        }
        let starts = [
            URL(fileURLWithPath: FileManager.default.currentDirectoryPath, isDirectory: true),
            URL(fileURLWithPath: CommandLine.arguments.first ?? ".").resolvingSymlinksInPath().deletingLastPathComponent(),
        ]
        for start in starts {
            var directory = start.standardizedFileURL
            while true {
                let candidate = directory.appendingPathComponent("SQL", isDirectory: true)
                var isDirectory: ObjCBool = false
                let schema = candidate.appendingPathComponent("schema").path
                if FileManager.default.fileExists(atPath: schema, isDirectory: &isDirectory), isDirectory.boolValue {
                    return SQLSource(directory: candidate)
                }
                let parent = directory.deletingLastPathComponent()
                if parent.path == directory.path { break }
                directory = parent
            }
        }
        throw MigrationError(
            message: "cannot find the SQL folder from \(FileManager.default.currentDirectoryPath)",
            hint: "run from the repository, or set SQL_DIR (or --sql) to the folder"
        )
    }

    /// Reads `schema/NNNN_name.sql` in version order and every `definitions/**.sql`.
    /// - Throws: `MigrationError` for a misnamed file, two files with one version, or a definition outside the
    ///   known folders.
    public func load() throws -> SQLTree {
        let schema = directory.appendingPathComponent("schema", isDirectory: true)
        var migrations: [Migration] = []
        for file in try list(schema).sorted() where file.hasSuffix(".sql") {
            let stem = file.dropLast(4)
            guard let underscore = stem.firstIndex(of: "_"), let version = Int(stem[..<underscore]), version > 0 else {
                throw MigrationError(
                    message: "migration file schema/\(file) is not named NNNN_name.sql",
                    hint: "rename it with a version number, e.g. 0007_add_goals.sql"
                )
            }
            if let clash = migrations.first(where: { $0.version == version }) {
                throw MigrationError(message: "migrations \(clash.name) and \(file) share version \(version)")
            }
            migrations.append(Migration(version: version, name: String(stem), sql: try read(schema.appendingPathComponent(file))))
        }
        let definitionsFolder = directory.appendingPathComponent("definitions", isDirectory: true)
        var definitions: [Definition] = []
        if FileManager.default.fileExists(atPath: definitionsFolder.path) {
            guard let walker = FileManager.default.enumerator(atPath: definitionsFolder.path) else {
                throw MigrationError(message: "cannot list \(definitionsFolder.path)")
            }
            while let path = walker.nextObject() as? String {
                guard path.hasSuffix(".sql") else { continue }
                definitions.append(try Definition(path: path, sql: try read(definitionsFolder.appendingPathComponent(path))))
            }
        }
        return SQLTree(migrations: migrations, definitions: definitions)
    }

    private func list(_ folder: URL) throws -> [String] {
        do {
            return try FileManager.default.contentsOfDirectory(atPath: folder.path)
        } catch {
            throw MigrationError(message: "cannot list \(folder.path): \(error)")
        }
    }

    private func read(_ url: URL) throws -> String {
        do {
            return try String(contentsOf: url, encoding: .utf8)
        } catch {
            throw MigrationError(message: "cannot read \(url.path): \(error)")
        }
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
