import Foundation
import Synchronization

/// Counts failed authentications per subject (a client address, or a key id whose secret was wrong) and says
/// when a subject has failed too often within a window.
///
/// It never refuses a valid credential: callers check the credential first and consult the limiter only for
/// failures, so someone else's failures (a fuzzer behind the same proxy, guesses at another tenant's key id)
/// never lock a valid key out. Memory is bounded: subjects live in two generations of at most `capacity`
/// each, the older one dropped whole every `window`; when the current one is full, new subjects are not
/// tracked (counted in `untracked`) rather than growing the table.
final class FailureLimiter: Sendable {
    enum Subject: Hashable, Sendable {
        /// A client address, for credentials that match nothing (unknown key ids, malformed tokens, unknown sessions).
        case address(String)
        /// A key id, for wrong secrets given with it.
        case key(UUID)
    }

    let maximumFailures: Int
    let window: TimeInterval
    let capacity: Int
    private let state: Mutex<State>

    private struct Entry {
        var failures: Int
        var since: Date
        var blockedUntil: Date?
    }

    private struct State {
        var current: [Subject: Entry] = [:]
        var previous: [Subject: Entry] = [:]
        var rotatedAt: Date
        var untracked = 0

        /// Drops the older generation once a window has passed: every entry in it has seen no failure for
        /// at least one window, and a block lasts one window.
        mutating func rotate(now: Date, window: TimeInterval) {
            let elapsed = now.timeIntervalSince(rotatedAt)
            guard elapsed >= window else { return }
            previous = elapsed >= 2 * window ? [:] : current
            current = [:]
            rotatedAt = now
        }

        func entry(_ subject: Subject) -> Entry? { current[subject] ?? previous[subject] }
    }

    init(maximumFailures: Int = 10, window: TimeInterval = 60, capacity: Int = 10_000, now: Date = Date()) {
        self.maximumFailures = maximumFailures
        self.window = window
        self.capacity = capacity
        self.state = Mutex(State(rotatedAt: now))
    }

    /// Seconds until `subject` may try again, nil when it is not blocked.
    func retryAfter(_ subject: Subject, now: Date = Date()) -> Int? {
        state.withLock { state in
            state.rotate(now: now, window: window)
            guard let until = state.entry(subject)?.blockedUntil, until > now else { return nil }
            return max(1, Int(until.timeIntervalSince(now).rounded(.up)))
        }
    }

    /// Counts one failure of `subject` (a subject already blocked stays blocked until its time is up).
    func recordFailure(_ subject: Subject, now: Date = Date()) {
        state.withLock { state in
            state.rotate(now: now, window: window)
            var entry = state.entry(subject) ?? Entry(failures: 0, since: now)
            if let until = entry.blockedUntil, until > now { return }
            if entry.blockedUntil != nil || now.timeIntervalSince(entry.since) >= window {
                entry = Entry(failures: 0, since: now)
            }
            entry.failures += 1
            if entry.failures >= maximumFailures { entry.blockedUntil = now.addingTimeInterval(window) }
            guard state.current[subject] != nil || state.current.count < capacity else {
                state.untracked += 1
                return
            }
            state.current[subject] = entry
        }
    }

    /// Subjects held in memory (both generations), and failures not tracked because the table was full.
    var usage: (tracked: Int, untracked: Int) {
        state.withLock { ($0.current.count + $0.previous.count, $0.untracked) }
    }
}
