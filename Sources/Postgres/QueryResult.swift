import CLibPQ

/// The rows of one statement, read in place from libpq's result (nothing is copied until decoded).
///
/// `@unchecked Sendable`: the libpq result is immutable once returned, and libpq documents reading a
/// `PGresult` from several threads as safe; it is freed once, when the last reference goes.
public final class QueryResult: @unchecked Sendable, RandomAccessCollection {
    private let handle: OpaquePointer

    init(handle: OpaquePointer) {
        self.handle = handle
    }

    deinit {
        PQclear(handle)
    }

    public var startIndex: Int { 0 }
    public var endIndex: Int { Int(PQntuples(handle)) }
    public subscript(position: Int) -> Row { Row(result: self, index: Int32(position)) }

    /// The number of rows a command touched (`INSERT`, `UPDATE`, `DELETE`, `COPY`), 0 when not applicable.
    public var affectedRows: Int { Int(String(cString: PQcmdTuples(handle))) ?? 0 }

    public var columnNames: [String] {
        (0..<PQnfields(handle)).map { String(cString: PQfname(handle, $0)) }
    }

    /// The type (its OID in `pg_type`) of the column at `column` (0-based).
    public func columnType(at column: Int) -> UInt32 {
        UInt32(PQftype(handle, Int32(column)))
    }

    func columnIndex(_ name: String) throws -> Int32 {
        let index = PQfnumber(handle, name)
        guard index >= 0 else {
            throw PostgresError(
                code: .decodingFailed,
                message: "no column named \"\(name)\" (columns: \(columnNames.joined(separator: ", ")))"
            )
        }
        return index
    }

    func columnName(_ column: Int32) -> String {
        guard column >= 0, column < PQnfields(handle) else { return "#\(column)" }
        return String(cString: PQfname(handle, column))
    }

    func text(row: Int32, column: Int32) throws -> String? {
        guard column >= 0, column < PQnfields(handle) else {
            throw PostgresError(code: .decodingFailed, message: "no column at index \(column)")
        }
        if PQgetisnull(handle, row, column) == 1 { return nil }
        return String(cString: PQgetvalue(handle, row, column))
    }

    /// One row of a result.
    public struct Row: Sendable {
        let result: QueryResult
        let index: Int32

        /// Decodes the column at `column` (0-based); NULL throws, use an Optional type to accept it.
        public func decode<T: PostgresDecodable>(_ type: T.Type = T.self, at column: Int) throws -> T {
            try decode(T.self, column: Int32(column))
        }

        /// Decodes the column named `name`; NULL throws, use an Optional type to accept it.
        public func decode<T: PostgresDecodable>(_ type: T.Type = T.self, _ name: String) throws -> T {
            try decode(T.self, column: result.columnIndex(name))
        }

        public func decode<T: PostgresDecodable>(_ type: T?.Type = T?.self, at column: Int) throws -> T? {
            try decodeOptional(T.self, column: Int32(column))
        }

        public func decode<T: PostgresDecodable>(_ type: T?.Type = T?.self, _ name: String) throws -> T? {
            try decodeOptional(T.self, column: result.columnIndex(name))
        }

        private func decode<T: PostgresDecodable>(_ type: T.Type, column: Int32) throws -> T {
            guard let value = try decodeOptional(T.self, column: column) else {
                throw PostgresError(
                    code: .decodingFailed,
                    message: "column \"\(result.columnName(column))\" is NULL, expected \(T.self)"
                )
            }
            return value
        }

        private func decodeOptional<T: PostgresDecodable>(_ type: T.Type, column: Int32) throws -> T? {
            guard let text = try result.text(row: index, column: column) else { return nil }
            guard let value = T(postgresText: text) else {
                throw PostgresError(
                    code: .decodingFailed,
                    message: "column \"\(result.columnName(column))\" holds \"\(text.prefix(100))\", not a \(T.self)"
                )
            }
            return value
        }
    }
}
