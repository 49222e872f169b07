import Logging

/// How log records are written: `text` for a terminal, `json` (one object a line) for a log pipeline.
public enum LogFormat: String, Sendable, CaseIterable {
    case text, json
}

extension LogFormat {
    /// Makes every `Logger` of the process write in this format at `level` or above: called once, at start-up.
    public func bootstrap(level: Logger.Level) {
        switch self {
        case .text:
            LoggingSystem.bootstrap { label in
                var handler = StreamLogHandler.standardError(label: label)
                handler.logLevel = level
                return handler
            }
        case .json:
            LoggingSystem.bootstrap { label in
                var handler = JSONLogHandler(label: label)
                handler.logLevel = level
                return handler
            }
        }
    }
}
