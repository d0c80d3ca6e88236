import Foundation
import PTQKit
import Testing

/// `ptq calibrate`'s progress on stderr: one bar per phase over all its bytes or tensors, ending at 100 %.
@Suite struct ProgressTests {
    static let arguments = [
        "calibrate", "--weights", CalibrateTests.weights, "--activations", CalibrateTests.activations,
    ]

    /// On a terminal (a pseudo-terminal from `script`): every phase's last frame reads 100 % with the whole
    /// phase's amount, and is followed by what finished.
    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/script"), "SKIPPED: no script(1)"))
    func finalFramesAreAtOneHundredPercent() throws {
        let scratch = try CalibrateTests.Scratch()
        defer { scratch.remove() }
        let ptq = try #require(PTQProcess.executable).path
        let command = ([ptq] + Self.arguments + ["--output", "\(scratch.path)/pkg"]).joined(separator: " ")
        let result = try PTQProcess.run(program: "/usr/bin/script", ["-qec", command, "/dev/null"])
        try #require(result.status == 0, "\(result.stdout)")
        let frames = result.stdout.components(separatedBy: "\r\u{1B}[2K").map {
            $0.split(separator: "\n").first.map(String.init) ?? ""
        }
        let activations = try #require(frames.last { $0.hasPrefix("observing activations  [") }, "\(result.stdout)")
        #expect(activations.contains("[########################]  100%"), "\(activations)")
        #expect(activations.contains("— observing activations: done, "), "\(activations)")
        let weights = try #require(frames.last { $0.hasPrefix("calibrating weights  [") }, "\(result.stdout)")
        #expect(weights.contains("100%  6/6 tensors  — calibrating weights: done, 6 tensors in "), "\(weights)")
        #expect(!result.stdout.contains("TiB/s"), "\(result.stdout)")
    }

    /// Off a terminal, with the per-report trace: every activation report counts against the same total (all
    /// datasets), never goes back, ends at that total, and the closing line names it.
    @Test func reportsCoverTheWholePhase() throws {
        #if os(Linux)
        let scratch = try CalibrateTests.Scratch()
        defer { scratch.remove() }
        let (ending, stderr) = try PTQProcess.run(
            Self.arguments + ["--output", "\(scratch.path)/pkg", "--batch-rows", "64"],
            environment: ["PTQ_TEST_TRACE_PROGRESS": "1"], timeout: 600)
        try #require(ending == .exit(0), "\(stderr)")
        let reports = stderr.split(separator: "\n").filter { $0.hasPrefix("ptq: test hook: observing activations: ") }
            .compactMap { line -> (done: Int, total: Int)? in
                let fields = line.split(separator: " ").last?.split(separator: "/").compactMap { Int($0) } ?? []
                return fields.count == 2 ? (fields[0], fields[1]) : nil
            }
        try #require(reports.count > 6, "\(stderr)")
        let total = reports[0].total
        #expect(reports.allSatisfy { $0.total == total })
        #expect(zip(reports, reports.dropFirst()).allSatisfy { $0.done < $1.done })
        #expect(reports.last?.done == total)
        #expect(stderr.contains("observing activations: done, \(PhaseProgress.bytes(total)) in "), "\(stderr)")
        #expect(stderr.contains("calibrating weights: done, 6 tensors in "), "\(stderr)")
        #endif
    }
}
