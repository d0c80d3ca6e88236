import Foundation
import PTQKit

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Progress of a long job on stderr, one ``PhaseProgress`` per phase (over all its bytes or tensors).
///
/// On a terminal: one bar per phase, redrawn in place at most ten times a second, with the amount done
/// (bytes or items) and, once it means something, throughput and ETA; a phase that ends normally leaves
/// its final frame at 100 %. Otherwise (a log file, CI): the phase's name when it begins, a frame every
/// few seconds, and one line when it ends saying what finished and how fast. `quiet` silences everything.
/// Nothing goes to stdout.
final class ProgressReporter {
    private let quiet: Bool
    private let isTerminal: Bool
    private let lineInterval: Double
    private let clock: () -> Double
    private var phase: PhaseProgress?
    private var lastDraw = -Double.infinity
    private var drawn = false

    /// A reporter on stderr; `lineInterval` is the seconds between plain lines when stderr is not a terminal.
    init(quiet: Bool, lineInterval: Double = 3) {
        self.quiet = quiet
        isTerminal = isatty(2) == 1
        self.lineInterval = lineInterval
        clock = { Double(DispatchTime.now().uptimeNanoseconds) / 1e9 }
    }

    /// Starts a phase (ending the previous one, which finished).
    func begin(_ name: String, unit: PhaseProgress.Unit) {
        end()
        phase = PhaseProgress(name: name, unit: unit, started: clock())
        lastDraw = -Double.infinity
        drawn = false
        if !quiet && !isTerminal { write("\(name)...\n") }
    }

    /// Test hook: with `PTQ_TEST_TRACE_PROGRESS=1` every ``update(done:total:detail:)`` also writes
    /// `ptq: test hook: PHASE: DETAIL DONE/TOTAL` to stderr, unthrottled and even with `--quiet`. Activations
    /// report once per batch read, so the lines count the batches of each dataset
    /// (`Tests/CLITests/DeterminismTests.swift`).
    static let tracesEveryUpdate = ProcessInfo.processInfo.environment["PTQ_TEST_TRACE_PROGRESS"] == "1"

    /// Reports `done` of `total` in the current phase, working on `detail`.
    func update(done: Int, total: Int, detail: String) {
        guard var current = phase else { return }
        if Self.tracesEveryUpdate { write("ptq: test hook: \(current.name): \(detail) \(done)/\(total)\n") }
        current.update(done: done, total: total, detail: detail)
        phase = current
        guard !quiet else { return }
        let now = clock()
        guard now - lastDraw >= (isTerminal ? 0.1 : lineInterval) else { return }
        lastDraw = now
        drawn = true
        let line = current.frame(at: now)
        write(isTerminal ? "\r\u{1B}[2K" + line : line + "\n")
    }

    /// Ends the current phase: `completed` (it did everything) draws the final frame at 100 %; otherwise
    /// (a failure) the line says where it stopped.
    func end(completed: Bool = true) {
        guard var current = phase else { return }
        phase = nil
        guard !quiet else { return }
        let now = clock()
        if completed { current.complete() }
        if isTerminal {
            let frame = drawn || current.total > 0 ? current.frame(at: now) + "  — " : ""
            write("\r\u{1B}[2K" + frame + current.summary(at: now, completed: completed) + "\n")
        } else {
            write(current.summary(at: now, completed: completed) + "\n")
        }
    }

    /// Prints a message line (a warning) without breaking a bar.
    func message(_ text: String) {
        guard !quiet else { return }
        write((isTerminal && phase != nil ? "\r\u{1B}[2K" : "") + text + "\n")
        if isTerminal, drawn, let phase { write(phase.frame(at: clock())) }
    }

    private func write(_ text: String) {
        FileHandle.standardError.write(Data(text.utf8))
    }
}
