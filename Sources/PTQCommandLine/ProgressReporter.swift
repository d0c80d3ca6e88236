import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Progress of a long job on stderr, per phase.
///
/// On a terminal: one bar per phase, redrawn in place at most ten times a second, with the amount done
/// (bytes or items), throughput and ETA. Otherwise (a log file, CI): a plain line every few seconds and
/// one when the phase ends. `quiet` silences everything. Nothing goes to stdout.
final class ProgressReporter {
    /// What the amounts count.
    enum Unit {
        case bytes
        case items(String)
    }

    private let quiet: Bool
    private let isTerminal: Bool
    private let lineInterval: Double
    private var phase: String?
    private var unit: Unit = .bytes
    private var started = 0.0
    private var lastDraw = -Double.infinity
    private var lastLine = ""

    /// A reporter on stderr; `lineInterval` is the seconds between plain lines when stderr is not a terminal.
    init(quiet: Bool, lineInterval: Double = 3) {
        self.quiet = quiet
        isTerminal = isatty(2) == 1
        self.lineInterval = lineInterval
    }

    /// Monotonic seconds.
    private static func now() -> Double {
        Double(DispatchTime.now().uptimeNanoseconds) / 1e9
    }

    /// Starts a phase (ending the previous one).
    func begin(_ name: String, unit: Unit) {
        end()
        phase = name
        self.unit = unit
        started = Self.now()
        lastDraw = -Double.infinity
        if !quiet && !isTerminal { write("\(name)...\n") }
    }

    /// Test hook: with `PTQ_TEST_TRACE_PROGRESS=1` every ``update(done:total:detail:)`` also writes
    /// `ptq: test hook: PHASE: DETAIL DONE/TOTAL` to stderr, unthrottled and even with `--quiet`. Activations
    /// report once per batch read, so the lines count the batches of each dataset
    /// (`Tests/CLITests/DeterminismTests.swift`).
    static let tracesEveryUpdate = ProcessInfo.processInfo.environment["PTQ_TEST_TRACE_PROGRESS"] == "1"

    /// Reports `done` of `total` in the current phase, working on `detail`.
    func update(done: Int, total: Int, detail: String) {
        guard let phase else { return }
        if Self.tracesEveryUpdate { write("ptq: test hook: \(phase): \(detail) \(done)/\(total)\n") }
        guard !quiet else { return }
        let now = Self.now()
        guard now - lastDraw >= (isTerminal ? 0.1 : lineInterval) else { return }
        lastDraw = now
        let line = describe(phase: phase, done: done, total: total, detail: detail, elapsed: now - started)
        lastLine = line
        if isTerminal {
            write("\r\u{1B}[2K" + line)
        } else {
            write(line + "\n")
        }
    }

    /// Ends the current phase with its final figures.
    func end(done: Int? = nil, total: Int? = nil) {
        guard let phase else { return }
        self.phase = nil
        guard !quiet else { return }
        let elapsed = Self.now() - started
        var line = lastLine
        if let done, let total { line = describe(phase: phase, done: done, total: total, detail: "", elapsed: elapsed) }
        let summary = "\(phase): done in \(String(format: "%.1f", elapsed)) s"
        if isTerminal {
            write("\r\u{1B}[2K" + (line.isEmpty ? summary : line + " — done") + "\n")
        } else {
            write(summary + "\n")
        }
        lastLine = ""
    }

    /// Prints a message line (a warning) without breaking a bar.
    func message(_ text: String) {
        guard !quiet else { return }
        write((isTerminal && phase != nil ? "\r\u{1B}[2K" : "") + text + "\n")
        if isTerminal, !lastLine.isEmpty { write(lastLine) }
    }

    /// `phase [#####-----]  45%  12.3 MiB/27.0 MiB  85.1 MiB/s  ETA 3 s  detail`.
    private func describe(phase: String, done: Int, total: Int, detail: String, elapsed: Double) -> String {
        // Without a total there is nothing to draw a bar of: name what is being worked on.
        guard total > 0 else { return [phase, detail].filter { !$0.isEmpty }.joined(separator: "  ") }
        let fraction = total > 0 ? min(1, Double(done) / Double(total)) : 0
        let width = 24
        let filled = Int(fraction * Double(width))
        let bar = "[" + String(repeating: "#", count: filled) + String(repeating: "-", count: width - filled) + "]"
        let rate = elapsed > 0 ? Double(done) / elapsed : 0
        let eta = rate > 0 && total > done ? Double(total - done) / rate : 0
        var parts = [phase, bar, String(format: "%3.0f%%", fraction * 100)]
        switch unit {
        case .bytes:
            parts += ["\(Self.bytes(done))/\(Self.bytes(total))", "\(Self.bytes(Int(rate)))/s"]
        case .items(let name):
            parts += ["\(done)/\(total) \(name)"]
        }
        if total > done && rate > 0 { parts.append("ETA \(Int(eta.rounded(.up))) s") }
        if !detail.isEmpty { parts.append(detail) }
        return parts.joined(separator: "  ")
    }

    /// `12.3 MiB`.
    static func bytes(_ n: Int) -> String {
        let units = ["B", "KiB", "MiB", "GiB", "TiB"]
        var value = Double(n)
        var index = 0
        while value >= 1024 && index < units.count - 1 {
            value /= 1024
            index += 1
        }
        return index == 0 ? "\(n) B" : String(format: "%.1f", value) + " " + units[index]
    }

    private func write(_ text: String) {
        FileHandle.standardError.write(Data(text.utf8))
    }
}
