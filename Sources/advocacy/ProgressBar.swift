import Foundation
import Synchronization

/// A progress bar on standard error with the rate and the time left; on a non-terminal (CI logs) it
/// prints a plain line every 10 % instead of redrawing.
final class ProgressBar: Sendable {
    private struct State {
        var lastDraw = ContinuousClock.now
        var lastDecile = -1
    }

    private let label: String
    private let unit: String
    private let started = ContinuousClock.now
    private let isTerminal = isatty(STDERR_FILENO) == 1
    private let state = Mutex(State())

    init(label: String, unit: String = "rows") {
        self.label = label
        self.unit = unit
    }

    func update(done: Int, total: Int) {
        let now = ContinuousClock.now
        let fraction = total > 0 ? min(1, Double(done) / Double(total)) : 1
        let shouldDraw: Bool = state.withLock { state in
            if isTerminal {
                guard now - state.lastDraw > .milliseconds(200) || done >= total else { return false }
                state.lastDraw = now
                return true
            }
            let decile = Int(fraction * 10)
            guard decile > state.lastDecile else { return false }
            state.lastDecile = decile
            return true
        }
        guard shouldDraw else { return }
        let elapsed = Double((now - started).components.seconds) + Double((now - started).components.attoseconds) / 1e18
        let rate = elapsed > 0 ? Double(done) / elapsed : 0
        let left = rate > 0 ? Double(max(0, total - done)) / rate : 0
        let width = 30
        let filled = Int(fraction * Double(width))
        let bar = String(repeating: "#", count: filled) + String(repeating: ".", count: width - filled)
        let line = "\(label) [\(bar)] \(Int(fraction * 100))% \(done)/\(total) \(unit)  "
            + "\(Int(rate)) \(unit)/s  \(Self.clock(left)) left"
        FileHandle.standardError.write(Data(((isTerminal ? "\r" : "") + line + (isTerminal ? "" : "\n")).utf8))
    }

    func finish() {
        if isTerminal { FileHandle.standardError.write(Data("\n".utf8)) }
    }

    private static func clock(_ seconds: Double) -> String {
        let total = Int(seconds.rounded())
        return String(format: "%d:%02d:%02d", total / 3600, total / 60 % 60, total % 60)
    }
}
