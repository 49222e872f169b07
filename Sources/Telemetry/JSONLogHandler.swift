import Foundation
import Logging
import Synchronization

/// Writes each record as one JSON object on one line: `time` (UTC, milliseconds), `level`, `message`, `logger`,
/// then the metadata's keys (request id, route, status, duration, organisation id where the code set them).
///
/// Whatever a caller logs, a credential never reaches the output: anything shaped like an API key (`adv_...`)
/// or a session token (`ses_...`) is replaced by `[redacted]` in the message and in every value.
public struct JSONLogHandler: LogHandler {
    public typealias Sink = @Sendable (String) -> Void

    public var metadata: Logger.Metadata = [:]
    public var metadataProvider: Logger.MetadataProvider?
    public var logLevel: Logger.Level = .info
    private let label: String
    private let sink: Sink

    /// - Parameter sink: receives each line, newline included; standard error by default (standard output
    ///   carries the commands' results, such as a new key, which scripts read).
    public init(label: String, metadataProvider: Logger.MetadataProvider? = nil, sink: @escaping Sink = JSONLogHandler.standardError) {
        self.label = label
        self.metadataProvider = metadataProvider
        self.sink = sink
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        var merged = metadata
        if let provided = metadataProvider?.get() { merged.merge(provided) { _, new in new } }
        if let extra = event.metadata { merged.merge(extra) { _, new in new } }
        if let error = event.error { merged["error"] = "\(error)" }
        sink(Self.line(time: Date(), level: event.level, message: "\(event.message)", label: label, metadata: merged))
    }

    /// One record as a JSON line. The fixed fields come first, then the metadata sorted by key, so lines diff well.
    static func line(time: Date, level: Logger.Level, message: String, label: String, metadata: Logger.Metadata) -> String {
        var line = "{\"time\":\"\(Self.timestamp(time))\",\"level\":\"\(level.rawValue)\",\"message\":"
        appendJSON(string: redacting(message), to: &line)
        line += ",\"logger\":"
        appendJSON(string: label, to: &line)
        for key in metadata.keys.sorted() where !["time", "level", "message", "logger"].contains(key) {
            line += ","
            appendJSON(string: key, to: &line)
            line += ":"
            if let value = metadata[key] { appendJSON(value, to: &line) }
        }
        line += "}\n"
        return line
    }

    private static func appendJSON(_ value: Logger.Metadata.Value, to line: inout String) {
        switch value {
        case .string(let text):
            appendJSON(string: redacting(text), to: &line)
        case .stringConvertible(let convertible):
            // Numbers stay numbers, so a log pipeline can sum and compare them.
            if let number = convertible as? any BinaryInteger {
                line += "\(number)"
            } else if let number = convertible as? Double, number.isFinite {
                line += "\(number)"
            } else {
                appendJSON(string: redacting(convertible.description), to: &line)
            }
        case .array(let values):
            line += "["
            for (index, element) in values.enumerated() {
                if index > 0 { line += "," }
                appendJSON(element, to: &line)
            }
            line += "]"
        case .dictionary(let values):
            line += "{"
            for (index, key) in values.keys.sorted().enumerated() {
                if index > 0 { line += "," }
                appendJSON(string: key, to: &line)
                line += ":"
                if let element = values[key] { appendJSON(element, to: &line) }
            }
            line += "}"
        }
    }

    private static func appendJSON(string: String, to line: inout String) {
        line += "\""
        for scalar in string.unicodeScalars {
            switch scalar {
            case "\"": line += "\\\""
            case "\\": line += "\\\\"
            case "\n": line += "\\n"
            case "\r": line += "\\r"
            case "\t": line += "\\t"
            case _ where scalar.value < 0x20 || scalar.value == 0x7F || (0x2028...0x2029).contains(scalar.value):
                line += String(format: "\\u%04x", scalar.value)
            default: line.unicodeScalars.append(scalar)
            }
        }
        line += "\""
    }

    /// Replaces credentials (`adv_` and `ses_` tokens: a prefix, then a key id and a secret of letters, digits
    /// and underscores) by `[redacted]`.
    static func redacting(_ text: String) -> String {
        guard text.contains("adv_") || text.contains("ses_") else { return text }
        let scalars = Array(text.unicodeScalars)
        var output = String.UnicodeScalarView()
        var index = 0
        func isTokenCharacter(_ scalar: Unicode.Scalar) -> Bool {
            scalar.isASCII && (CharacterSet.alphanumerics.contains(scalar) || scalar == "_")
        }
        while index < scalars.count {
            let prefix = String(String.UnicodeScalarView(scalars[index..<min(index + 4, scalars.count)]))
            let startsWord = index == 0 || !isTokenCharacter(scalars[index - 1])
            if startsWord, prefix == "adv_" || prefix == "ses_" {
                var end = index + 4
                while end < scalars.count, isTokenCharacter(scalars[end]) { end += 1 }
                if end - index - 4 >= 8 {
                    output.append(contentsOf: "[redacted]".unicodeScalars)
                    index = end
                    continue
                }
            }
            output.append(scalars[index])
            index += 1
        }
        return String(output)
    }

    private static func timestamp(_ date: Date) -> String {
        date.formatted(
            Date.ISO8601FormatStyle(includingFractionalSeconds: true, timeZone: TimeZone(identifier: "UTC") ?? .current)
        )
    }

    /// Standard error, one `write` per line so lines of concurrent requests never interleave.
    public static let standardError: Sink = { line in
        lock.withLock { _ in
            var copy = line
            copy.withUTF8 { bytes in
                var offset = 0
                while offset < bytes.count {
                    let written = write(STDERR_FILENO, bytes.baseAddress.map { $0 + offset }, bytes.count - offset)
                    if written <= 0 { return }
                    offset += written
                }
            }
        }
    }

    private static let lock = Mutex(())
}
