import Foundation

/// What a progress display shows of one phase of a job (the bytes of all its activation datasets, or its
/// tensors): the fraction done, a rate and ETA once they mean something, the frame of a bar and the
/// closing log line. A value fed the job's reports and the time from any monotonic clock (seconds), so a
/// test can drive it with an injected clock.
///
/// - The amount done never goes back and never exceeds the total.
/// - No rate (nor ETA) before ``minimumRateInterval`` seconds have passed since the phase began: the first
///   batch arrives within microseconds, and bytes over microseconds are no rate (they showed "5.1 TiB/s").
/// - ``complete()`` makes the final frame read 100 %.
public struct PhaseProgress: Sendable, Hashable {
    /// What the amounts count.
    public enum Unit: Sendable, Hashable {
        /// Bytes (shown as KiB, MiB, ...).
        case bytes
        /// Items of the given plural name (`tensors`).
        case items(String)
    }

    /// Seconds after the phase began before a rate or ETA is shown.
    public static let minimumRateInterval = 0.5

    /// The phase's name (`observing activations`).
    public let name: String
    /// What ``done`` and ``total`` count.
    public let unit: Unit
    /// When the phase began, in the clock's seconds.
    public let started: Double
    /// Done so far (≤ ``total`` when the total is known).
    public private(set) var done = 0
    /// The whole phase (0: not known yet).
    public private(set) var total = 0
    /// What is being worked on (a dataset path), or empty.
    public private(set) var detail = ""

    /// A phase `name` counting `unit`, begun at `started`.
    public init(name: String, unit: Unit, started: Double) {
        self.name = name
        self.unit = unit
        self.started = started
    }

    /// Records a report: `done` of `total`, working on `detail`.
    public mutating func update(done: Int, total: Int, detail: String) {
        self.total = max(0, total)
        self.done = max(self.done, self.total > 0 ? min(done, self.total) : max(0, done))
        self.detail = detail
    }

    /// Marks the phase finished: everything it had to do is done.
    public mutating func complete() {
        done = max(done, total)
        detail = ""
    }

    /// Done over total, 0…1 (0 while the total is unknown).
    public var fraction: Double { total > 0 ? Double(done) / Double(total) : 0 }

    /// Units per second at `now`, or `nil` before ``minimumRateInterval`` has passed or before anything is done.
    public func rate(at now: Double) -> Double? {
        let elapsed = now - started
        guard elapsed >= Self.minimumRateInterval, done > 0 else { return nil }
        return Double(done) / elapsed
    }

    /// One line: `name [#####-----]  45%  12.3 MiB/27.0 MiB  85.1 MiB/s  ETA 3 s  detail`; the rate and ETA
    /// only once ``rate(at:)`` has one; without a total, the name and the detail.
    public func frame(at now: Double) -> String {
        guard total > 0 else { return [name, detail].filter { !$0.isEmpty }.joined(separator: "  ") }
        let width = 24
        let filled = Int(fraction * Double(width))
        let bar = "[" + String(repeating: "#", count: filled) + String(repeating: "-", count: width - filled) + "]"
        var parts = [name, bar, Self.percent(fraction)]
        let rate = rate(at: now)
        switch unit {
        case .bytes:
            parts.append("\(Self.bytes(done))/\(Self.bytes(total))")
            if let rate { parts.append("\(Self.bytes(Int(rate)))/s") }
        case .items(let plural):
            parts.append("\(done)/\(total) \(plural)")
        }
        if let rate, rate > 0, total > done {
            parts.append("ETA \(Int((Double(total - done) / rate).rounded(.up))) s")
        }
        if !detail.isEmpty { parts.append(detail) }
        return parts.joined(separator: "  ")
    }

    /// The log line closing the phase: `observing activations: done, 1.0 GiB in 0.8 s (1.3 GiB/s)`, or
    /// `calibrating weights: done, 6 tensors in 0.3 s`; `stopped` instead of `done` when `completed` is false
    /// (then with how far it got).
    public func summary(at now: Double, completed: Bool = true) -> String {
        let elapsed = max(0, now - started)
        var text = "\(name): \(completed ? "done" : "stopped")"
        if done > 0 || total > 0 {
            text += ", " + amount(done) + (!completed && total > 0 ? " of " + amount(total) : "")
        }
        text += String(format: " in %.1f s", elapsed)
        if case .bytes = unit, let rate = rate(at: now) { text += " (\(Self.bytes(Int(rate)))/s)" }
        return text
    }

    /// `n` in the phase's unit: `1.0 GiB`, `6 tensors`.
    private func amount(_ n: Int) -> String {
        switch unit {
        case .bytes: Self.bytes(n)
        case .items(let plural): "\(n) \(plural)"
        }
    }

    /// ` 45%`, `100%`.
    static func percent(_ fraction: Double) -> String {
        let value = Int((fraction * 100).rounded(.down))
        return String(repeating: " ", count: max(0, 3 - String(value).count)) + "\(value)%"
    }

    /// `12.3 MiB` (binary units), `512 B`.
    public static func bytes(_ n: Int) -> String {
        let units = ["B", "KiB", "MiB", "GiB", "TiB"]
        var value = Double(n)
        var index = 0
        while value >= 1024 && index < units.count - 1 {
            value /= 1024
            index += 1
        }
        return index == 0 ? "\(n) B" : String(format: "%.1f", value) + " " + units[index]
    }
}
