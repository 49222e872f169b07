/// Reads CSV (RFC 4180) as the spreadsheets and exports we meet write it: a byte-order mark is skipped,
/// the separator is `,` or `;` (whichever the header line uses), fields may be quoted with embedded
/// separators, newlines and doubled quotes, and lines end in LF or CRLF. A malformed record (a stray quote,
/// an unterminated quoted field) is reported with its line and does not stop the records after it.
public struct CSVReader: Sendable {
    public struct Record: Sendable {
        /// The line the record starts on (1-based, counting the header).
        public let line: Int
        /// The record's bytes as they are in the file.
        public let raw: [UInt8]
        public let fields: Result<[String], CSVError>
    }

    public struct CSVError: Error, Sendable, Equatable, CustomStringConvertible {
        public let line: Int
        public let message: String
        public var description: String { "line \(line): \(message)" }
    }

    public let separator: UInt8
    public let header: [String]
    public let records: [Record]

    /// - Throws: `CSVError` when there is no header line.
    public init(_ data: [UInt8]) throws(CSVError) {
        var bytes = data[...]
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { bytes = bytes.dropFirst(3) }
        let separator = Self.detectSeparator(bytes)
        var records = Self.split(bytes, separator: separator)
        guard !records.isEmpty, case .success(let header) = records[0].fields, !header.allSatisfy(\.isEmpty) else {
            throw CSVError(line: 1, message: "the file has no header line")
        }
        records.removeFirst()
        self.separator = separator
        self.header = header.map { $0.trimmingSpaces().lowercased() }
        self.records = records
    }

    /// `;` when the first line has more semicolons than commas outside quotes, `,` otherwise.
    static func detectSeparator(_ bytes: ArraySlice<UInt8>) -> UInt8 {
        var commas = 0
        var semicolons = 0
        var quoted = false
        for byte in bytes {
            if byte == UInt8(ascii: "\"") { quoted.toggle() }
            if quoted { continue }
            if byte == 0x0A { break }
            if byte == UInt8(ascii: ",") { commas += 1 }
            if byte == UInt8(ascii: ";") { semicolons += 1 }
        }
        return semicolons > commas ? UInt8(ascii: ";") : UInt8(ascii: ",")
    }

    static func split(_ bytes: ArraySlice<UInt8>, separator: UInt8) -> [Record] {
        var records: [Record] = []
        var index = bytes.startIndex
        var line = 1
        while index < bytes.endIndex {
            let start = index
            let startLine = line
            var fields: [String] = []
            var field: [UInt8] = []
            var error: String?
            var quotedField = false
            var afterQuote = false
            var inQuotes = false
            var fieldStart = true
            recordLoop: while index < bytes.endIndex {
                let byte = bytes[index]
                index += 1
                if inQuotes {
                    if byte == UInt8(ascii: "\"") {
                        if index < bytes.endIndex, bytes[index] == UInt8(ascii: "\"") {
                            field.append(byte)
                            index += 1
                        } else {
                            inQuotes = false
                            afterQuote = true
                        }
                    } else {
                        if byte == 0x0A { line += 1 }
                        field.append(byte)
                    }
                    continue
                }
                switch byte {
                case separator:
                    fields.append(String(decoding: field, as: UTF8.self))
                    field.removeAll(keepingCapacity: true)
                    (quotedField, afterQuote, fieldStart) = (false, false, true)
                case 0x0A:
                    line += 1
                    break recordLoop
                case 0x0D where index < bytes.endIndex && bytes[index] == 0x0A:
                    continue
                case UInt8(ascii: "\"") where fieldStart:
                    inQuotes = true
                    quotedField = true
                    fieldStart = false
                default:
                    if afterQuote, error == nil {
                        error = "unexpected text after the closing quote of field \(fields.count + 1)"
                    } else if byte == UInt8(ascii: "\""), !quotedField, error == nil {
                        error = "stray quote in unquoted field \(fields.count + 1): quote the whole field and double the quote"
                    }
                    field.append(byte)
                    fieldStart = false
                }
            }
            if inQuotes, error == nil {
                error = "a quoted field starting on this line is never closed"
            }
            fields.append(String(decoding: field, as: UTF8.self))
            var raw = Array(bytes[start..<index])
            while let last = raw.last, last == 0x0A || last == 0x0D { raw.removeLast() }
            // Blank lines are skipped, not refused.
            if fields.count == 1, fields[0].trimmingSpaces().isEmpty, error == nil { continue }
            records.append(
                Record(line: startLine, raw: raw, fields: error.map { .failure(CSVError(line: startLine, message: $0)) } ?? .success(fields))
            )
        }
        return records
    }
}
