import Foundation
import PTQKit
import TestSupport
import Testing

#if canImport(Glibc)
import Glibc
#endif

#if os(Linux)
/// Fault trials (issue 7, item 2) for every command that writes an output atomically: `ptq calibrate`,
/// `ptq dequantize`, `ptq observe` and `ptq merge` are killed (SIGKILL) or interrupted (SIGINT, SIGTERM)
/// at seeded random moments spread uniformly over the duration of a complete run, timed first on
/// generated inputs large enough that a debug build spends a measurable time reading and observing
/// activations, calibrating, writing `tensors.h5` and committing.
///
/// After every trial the output path holds either what it held before (nothing, or an older output that
/// is byte-identical to before) or the complete new output (byte-identical to an uninterrupted run's, and
/// accepted by the verifier for packages); the exit status is 0 (only if the output is complete) or
/// 128 + the signal. SIGINT and SIGTERM leave nothing else in the output's parent; SIGKILL may leave
/// `.<name>.ptq-partial.<pid>.<hex>` of the killed pid only, and the next run writing the same output
/// removes those whose pid is dead (not one of a live process).
///
/// Where the randomly timed signals landed is printed, not required: it depends on the machine's load. A
/// fixed share of the trials (every ``midWriteShare``-th) does not rely on timing: the child runs with
/// ``MidWritePause`` on, pauses in the middle of writing its output (inside `tensors.h5`, inside the
/// dequantized file, before a statistics file is renamed into place), and the signal is sent once it has
/// announced the pause. Those trials must land mid-write (the child never resumed), every one of them.
@Suite(.serialized) struct FaultTests {
    /// One trial in this many is held mid-write by the test hook.
    static let midWriteShare = 4

    /// Whether trial `k` is one held mid-write.
    static func heldMidWrite(_ k: Int) -> Bool { k % midWriteShare == midWriteShare - 1 }

    /// `count` moments in `0..<seconds`, one uniformly at random in each of `count` equal slices of it, in
    /// random order: uniform over the run, and spread across all of it even with few trials.
    static func killPoints(_ count: Int, over seconds: Double, seed: UInt64) -> [Double] {
        var random = SplitMix64(seed: seed)
        return (0..<count).shuffled(using: &random).map { slice in
            seconds * (Double(slice) + Double.random(in: 0..<1, using: &random)) / Double(count)
        }
    }

    /// Generated inputs in a scratch directory: `in/weights.h5` (layers `l0`…, a weight and a bias each)
    /// and `in/activations.h5` (one chunked dataset per layer); outputs go to `out/`, which holds nothing
    /// else.
    struct Workload {
        static let layers = 4
        /// Weights [outputs, width] and biases [outputs] per layer: 4 × 512 × 256 float32 = 2 MiB.
        static let outputs = 512
        static let width = 256
        /// Activation rows [rows, width] per layer: 2 MiB in all. A debug build takes about 1.5 s over
        /// these inputs, a sixth of it writing tensors.h5 (the whole suite must stay near a minute).
        static let rows = 512

        let root = FileManager.default.temporaryDirectory.appendingPathComponent("ptq-fault-\(UUID().uuidString)").path
        var weights: String { "\(root)/in/weights.h5" }
        var activations: String { "\(root)/in/activations.h5" }
        var out: String { "\(root)/out" }

        init() throws {
            for directory in ["in", "out"] {
                try FileManager.default.createDirectory(
                    atPath: "\(root)/\(directory)", withIntermediateDirectories: true)
            }
            var random = SplitMix64(seed: 7)
            let layers = 0..<Self.layers
            try Self.write(
                weights,
                layers.flatMap { [("/l\($0)/weight", [Self.outputs, Self.width]), ("/l\($0)/bias", [Self.outputs])] },
                chunked: false, random: &random)
            try Self.write(
                activations, layers.map { ("/l\($0)", [Self.rows, Self.width]) }, chunked: true, random: &random)
        }

        /// Writes float32 datasets of uniform values in [-1, 1).
        private static func write(
            _ path: String, _ datasets: [(String, [Int])], chunked: Bool, random: inout SplitMix64
        ) throws {
            let file = try File(path, mode: .create)
            for (name, shape) in datasets {
                let values = (0..<shape.reduce(1, *)).map { _ in
                    Float(Int32(truncatingIfNeeded: random.next() >> 32)) / 0x1p31
                }
                let options = chunked ? DatasetOptions(chunkShape: [256, shape[1]]) : DatasetOptions()
                try file.createDataset(name, type: .float32, shape: shape, options: options).write(values)
            }
        }

        func remove() { try? FileManager.default.removeItem(atPath: root) }
    }

    /// One child run.
    struct Run {
        let pid: pid_t
        let status: Int32
        let stderr: String

        /// Whether the child announced a mid-write pause and never resumed from it: the signal sent after
        /// the announcement landed while the output was partly written (callers also require the status to be
        /// the signal's: the output itself may already equal the complete one, written by an earlier trial).
        var landedMidWrite: Bool {
            stderr.contains(MidWritePause.pausedMarker) && !stderr.contains(MidWritePause.resumedMarker)
        }
    }

    /// Starts `ptq arguments`, sends `signal` after `delay` seconds (a process that ended meanwhile is a
    /// zombie until waited for, so the pid cannot be reused), and waits for it. With `midWrite` the child
    /// pauses (up to 10 minutes) at its first mid-write point and the signal is sent as soon as it says so
    /// on stderr (or after 3 minutes without the announcement, which the caller then reports).
    static func run(
        _ arguments: [String], signal: Int32? = nil, after delay: Double = 0, midWrite: Bool = false, scratch: String
    ) throws -> Run {
        let stderrPath = "\(scratch)/stderr-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: stderrPath) }
        let pid = try PTQProcess.start(
            arguments, stdout: "/dev/null", stderr: stderrPath,
            environment: midWrite ? [MidWritePause.variable: "600"] : [:])
        func stderr() -> String {
            String(decoding: (try? Data(contentsOf: URL(fileURLWithPath: stderrPath))) ?? Data(), as: UTF8.self)
        }
        if let signal {
            if midWrite {
                let deadline = Date(timeIntervalSinceNow: 180)
                while !stderr().contains(MidWritePause.pausedMarker), Date() < deadline { usleep(2000) }
            } else {
                usleep(UInt32(delay * 1e6))
            }
            kill(pid, signal)
        }
        let status = PTQProcess.waitForExit(pid)
        return Run(pid: pid, status: status, stderr: stderr())
    }

    /// Counts trial `trial`, held mid-write, in `held`, and in `landed` when `signal` ended it there (status
    /// 128 + signal, never resumed); records an issue otherwise.
    static func countHeld(_ run: Run, signal: Int32, trial: Int, held: inout Int, landed: inout Int) {
        held += 1
        guard run.landedMidWrite && run.status == 128 + signal else {
            Issue.record(
                "held trial \(trial) (\(name(of: signal))) did not land mid-write: status \(run.status): \(run.stderr)")
            return
        }
        landed += 1
    }

    /// Expects every trial held mid-write to have landed there: `held` trials, `landed` of them did.
    static func expectLandedMidWrite(held: Int, landed: Int, _ what: String) {
        #expect(held > 0, "\(what): no trial was held mid-write")
        #expect(landed == held, "\(what): \(landed) of \(held) trials held mid-write had the signal land there")
    }

    /// Runs `ptq arguments` to completion, requires success, and returns the seconds it took.
    @discardableResult
    static func succeed(_ arguments: [String], scratch: String) throws -> Double {
        let started = ContinuousClock.now
        let run = try run(arguments, scratch: scratch)
        try #require(run.status == 0, "ptq \(arguments): \(run.stderr)")
        let elapsed = ContinuousClock.now - started
        return Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
    }

    /// Every regular file at or under `path` (relative path, "" for `path` itself → bytes); empty when
    /// nothing is there.
    static func snapshot(_ path: String) throws -> [String: Data] {
        let manager = FileManager.default
        var isDirectory: ObjCBool = false
        guard manager.fileExists(atPath: path, isDirectory: &isDirectory) else { return [:] }
        guard isDirectory.boolValue else { return ["": try Data(contentsOf: URL(fileURLWithPath: path))] }
        var files: [String: Data] = [:]
        for relative in try manager.subpathsOfDirectory(atPath: path) {
            var isSubdirectory: ObjCBool = false
            guard manager.fileExists(atPath: "\(path)/\(relative)", isDirectory: &isSubdirectory),
                !isSubdirectory.boolValue
            else {
                continue
            }
            files[relative] = try Data(contentsOf: URL(fileURLWithPath: "\(path)/\(relative)"))
        }
        return files
    }

    /// The entries of `directory`: temporary outputs (`.<name>.ptq-partial.<pid>.<hex>` or
    /// `.ptq-replaced.`) with their owners' pids, and everything else.
    static func entries(of directory: String) throws -> (temporaries: [(name: String, pid: pid_t)], others: [String]) {
        var temporaries: [(name: String, pid: pid_t)] = []
        var others: [String] = []
        for entry in try FileManager.default.contentsOfDirectory(atPath: directory).sorted() {
            let marker = [AtomicDirectoryWriter.partialMarker, AtomicDirectoryWriter.replacedMarker].compactMap {
                entry.range(of: $0)
            }.first
            if entry.hasPrefix("."), let marker,
                let pid = entry[marker.upperBound...].split(separator: ".").first.flatMap({ pid_t($0) })
            {
                temporaries.append((entry, pid))
            } else {
                others.append(entry)
            }
        }
        return (temporaries, others)
    }

    /// Counts of where signals landed, printed by each test.
    struct Tally: CustomStringConvertible {
        private var counts: [String: Int] = [:]
        private var order: [String] = []

        mutating func add(_ phase: String) {
            if counts[phase] == nil { order.append(phase) }
            counts[phase, default: 0] += 1
        }

        var description: String { order.map { "\($0): \(counts[$0] ?? 0)" }.joined(separator: ", ") }
    }

    /// Where a signal that did not let the run complete landed: from the leftover temporary directory of
    /// a SIGKILL'ed run when there is one (its contents tell `tensors.h5` from the final files), else the
    /// last phase the run announced on stderr.
    static func phase(of run: Run, partial: String?) -> String {
        if let partial {
            return FileManager.default.fileExists(atPath: "\(partial)/\(Manifest.fileName)")
                ? "committing (manifest written)" : "writing tensors.h5"
        }
        // The announcements `ptq calibrate` makes on a non-terminal stderr, in order.
        let phases = [
            ("observing activations...", "reading and observing activations"),
            ("calibrating weights...", "calibrating weights"),
            ("calibrating weights: done", "hashing the inputs"), ("writing package...", "writing the package"),
        ]
        let last = phases.compactMap { phase in run.stderr.range(of: phase.0).map { ($0.lowerBound, phase.1) } }.max {
            $0.0 < $1.0
        }
        return last?.1 ?? "starting"
    }

    /// The checks after every trial on `output` (which held `before`; a complete run gives `after`):
    /// the output is one of the two, byte for byte; the status is 0 only for a complete output, else
    /// 128 + the signal; the output's parent holds nothing but `outputs` and, after SIGKILL only,
    /// temporaries of the killed runs in `killed`. Returns where the signal landed.
    static func check(
        _ run: Run, signal: Int32, output: String, before: [String: Data], after: [String: Data], outputs: Set<String>,
        killed: Set<pid_t>, trial: String
    ) throws -> String {
        let now = try snapshot(output)
        let completed = now == after
        #expect(
            completed || now == before,
            "\(trial): the output is neither the earlier one nor complete: \(now.keys.sorted())")
        if run.status == 0 {
            #expect(completed, "\(trial): exit 0 without the complete output")
        } else {
            #expect(run.status == 128 + signal, "\(trial): status \(run.status): \(run.stderr)")
        }
        let parent = (output as NSString).deletingLastPathComponent
        let (temporaries, others) = try entries(of: parent)
        #expect(Set(others).isSubset(of: outputs), "\(trial): unexpected entries \(others)")
        if signal == SIGKILL {
            #expect(
                temporaries.allSatisfy { killed.contains($0.pid) }, "\(trial): temporaries of live runs \(temporaries)")
        } else {
            #expect(temporaries.isEmpty, "\(trial): signal \(signal) left \(temporaries.map(\.name))")
        }
        if completed { return completion }
        let partial = temporaries.first { $0.pid == run.pid }.map { "\(parent)/\($0.name)" }
        return phase(of: run, partial: partial)
    }

    /// The phase of a signal that came after the output was complete.
    static let completion = "after the output was complete"

    /// "SIGKILL", "SIGINT" or "SIGTERM".
    static func name(of signal: Int32) -> String {
        switch signal {
        case SIGKILL: "SIGKILL"
        case SIGINT: "SIGINT"
        default: "SIGTERM"
        }
    }

    /// The signal of trial `k`: SIGINT and SIGTERM alternately.
    static func interrupt(_ k: Int) -> Int32 { k % 2 == 0 ? SIGINT : SIGTERM }

    // MARK: - ptq calibrate

    /// The calibrate command of the trials (int8 min-max, weights and activations), without `--output`.
    static func calibrate(_ workload: Workload) -> [String] {
        [
            "calibrate", "--weights", workload.weights, "--activations", workload.activations, "--config",
            "Configs/int8.yaml",
        ]
    }

    /// 20 SIGKILLs at random moments spread uniformly over a (timed) `ptq calibrate` run, alternately replacing an
    /// older package (`--force`) and writing where nothing is; the next complete runs remove the stale
    /// temporaries of the killed runs but not one whose owner is alive. Then 12 SIGINTs and SIGTERMs
    /// the same way: exit 130 / 143 (or 0 with the complete package) and no temporary directory left.
    @Test func calibrateLeavesTheOlderOrTheCompletePackage() throws {
        let workload = try Workload()
        defer { workload.remove() }
        let root = workload.root
        let referencePath = "\(root)/reference"
        let seconds = try Self.succeed(
            Self.calibrate(workload) + ["--quiet", "--output", referencePath], scratch: root)
        let verification = try PackageVerifier.verify(path: referencePath, against: workload.weights)
        #expect(verification.passed, "\(verification.problems)")
        let reference = try Self.snapshot(referencePath)
        try Self.succeed(
            ["calibrate", "--quiet", "--weights", workload.weights, "--output", "\(workload.out)/p"], scratch: root)
        let older = try Self.snapshot("\(workload.out)/p")
        var held = 0
        var landed = 0
        /// Trial `k` of `signal` at `delay` (or held mid-write): even trials replace the older package, odd
        /// ones write where nothing is.
        func trial(_ k: Int, signal: Int32, at delay: Double, killed: Set<pid_t>) throws -> (pid: pid_t, phase: String)
        {
            let replacing = k % 2 == 0
            let output = "\(workload.out)/\(replacing ? "p" : "n")"
            if !replacing { try? FileManager.default.removeItem(atPath: output) }
            let midWrite = Self.heldMidWrite(k)
            let run = try Self.run(
                Self.calibrate(workload) + ["--output", output, "--force"], signal: signal, after: delay,
                midWrite: midWrite,
                scratch: root)
            let phase = try Self.check(
                run, signal: signal, output: output, before: replacing ? older : [:], after: reference,
                outputs: ["p", "n"],
                killed: killed.union([run.pid]),
                trial: "\(Self.name(of: signal)) trial \(k)\(midWrite ? " held mid-write" : " at \(delay) s")")
            if midWrite { Self.countHeld(run, signal: signal, trial: k, held: &held, landed: &landed) }
            if phase == Self.completion {
                #expect(try PackageVerifier.verify(path: output).passed, "\(Self.name(of: signal)) trial \(k)")
            }
            return (run.pid, midWrite ? "held mid-write, \(phase)" : phase)
        }
        var tally = Tally()
        var killed: Set<pid_t> = []
        for (k, delay) in Self.killPoints(20, over: seconds, seed: 0x5EED_0001).enumerated() {
            let (pid, phase) = try trial(k, signal: SIGKILL, at: delay, killed: killed)
            killed.insert(pid)
            tally.add("SIGKILL \(phase)")
        }
        let live = ".p\(AtomicDirectoryWriter.partialMarker)\(getpid()).beef"
        try FileManager.default.createDirectory(atPath: "\(workload.out)/\(live)", withIntermediateDirectories: false)
        for name in ["p", "n"] {
            try Self.succeed(
                Self.calibrate(workload) + ["--quiet", "--output", "\(workload.out)/\(name)", "--force"], scratch: root)
            #expect(try Self.snapshot("\(workload.out)/\(name)") == reference)
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: workload.out).sorted() == [live, "n", "p"])
        try FileManager.default.removeItem(atPath: "\(workload.out)/\(live)")
        try Self.succeed(
            ["calibrate", "--quiet", "--weights", workload.weights, "--output", "\(workload.out)/p", "--force"],
            scratch: root)
        for (k, delay) in Self.killPoints(12, over: seconds, seed: 0x5EED_0002).enumerated() {
            let signal = Self.interrupt(k / 2)
            tally.add("\(Self.name(of: signal)) \(try trial(k, signal: signal, at: delay, killed: []).phase)")
        }
        print(
            """
            ptq calibrate, 20 SIGKILLs then 12 SIGINT/SIGTERMs over a \(String(format: "%.2f", seconds)) s run: \
            \(tally)
            """
        )
        Self.expectLandedMidWrite(held: held, landed: landed, "ptq calibrate")
    }

    // MARK: - ptq dequantize, observe, merge

    /// `ptq dequantize` (12 trials), `ptq observe` (8) and `ptq merge` (4), each writing over an older
    /// file with `--force`; half the trials SIGKILL, the others SIGINT and SIGTERM.
    @Test func dequantizeObserveAndMergeLeaveTheOlderOrTheCompleteFile() throws {
        let workload = try Workload()
        defer { workload.remove() }
        let root = workload.root
        let package = "\(root)/package"
        try Self.succeed(["calibrate", "--quiet", "--weights", workload.weights, "--output", package], scratch: root)
        let olderPackage = "\(root)/older"
        try Self.succeed(
            ["calibrate", "--quiet", "--weights", "Calibration/weights.h5", "--output", olderPackage], scratch: root)
        let restored = "\(workload.out)/r.h5"
        try Self.succeed(["dequantize", olderPackage, "-o", restored], scratch: root)
        let dequantizeSeconds = try Self.succeed(["dequantize", package, "-o", "\(root)/reference.h5"], scratch: root)
        try Self.faultTrials(
            ["dequantize", package, "-o", restored, "--force"], output: restored, older: try Self.snapshot(restored),
            reference: try Self.snapshot("\(root)/reference.h5"), seconds: dequantizeSeconds, seed: 0x5EED_0003,
            workload: workload, trials: 12)
        try FileManager.default.removeItem(atPath: restored)

        let observe = { (shard: String, output: String) in
            ["observe", "--activations", workload.activations, "--shard", shard, "-o", output, "--force"]
        }
        let output = "\(workload.out)/s.ptqstats"
        try Self.succeed(
            ["observe", "--quiet", "--activations", "Calibration/activations.h5", "-o", output], scratch: root)
        let older = try Self.snapshot(output)
        let seconds = try Self.succeed(observe("0/1", "\(root)/reference.ptqstats"), scratch: root)
        try Self.faultTrials(
            observe("0/1", output), output: output, older: older,
            reference: try Self.snapshot("\(root)/reference.ptqstats"),
            seconds: seconds, seed: 0x5EED_0004, workload: workload, trials: 8)
        for shard in 0..<2 { try Self.succeed(observe("\(shard)/2", "\(root)/shard\(shard).ptqstats"), scratch: root) }
        let merge = ["merge", "\(root)/shard1.ptqstats", "\(root)/shard0.ptqstats", "-o"]
        let mergeSeconds = try Self.succeed(merge + ["\(root)/merged.ptqstats"], scratch: root)
        try Self.faultTrials(
            merge + [output, "--force"], output: output, older: try Self.snapshot(output),
            reference: try Self.snapshot("\(root)/merged.ptqstats"), seconds: mergeSeconds, seed: 0x5EED_0005,
            workload: workload,
            trials: 4)
    }

    /// `trials` runs of `arguments` writing the file `output` over `older` (half SIGINT and SIGTERM
    /// alternately, then SIGKILL) at uniform random moments of `seconds`; then a complete run removes the
    /// killed runs' temporary files, leaving only the output in its directory.
    static func faultTrials(
        _ arguments: [String], output: String, older: [String: Data], reference: [String: Data], seconds: Double,
        seed: UInt64,
        workload: Workload, trials: Int
    ) throws {
        var tally = Tally()
        var killed: Set<pid_t> = []
        var held = 0
        var landed = 0
        let file = (output as NSString).lastPathComponent
        for (trial, delay) in killPoints(trials, over: seconds, seed: seed).enumerated() {
            let signal = trial < trials / 2 ? interrupt(trial) : SIGKILL
            let midWrite = heldMidWrite(trial)
            let run = try run(arguments, signal: signal, after: delay, midWrite: midWrite, scratch: workload.root)
            if signal == SIGKILL { killed.insert(run.pid) }
            let phase = try check(
                run, signal: signal, output: output, before: older, after: reference, outputs: [file], killed: killed,
                trial:
                    """
                    ptq \(arguments[0]) \(name(of: signal)) trial \
                    \(trial)\(midWrite ? " held mid-write" : " at \(delay) s")
                    """
            )
            if midWrite {
                countHeld(run, signal: signal, trial: trial, held: &held, landed: &landed)
                tally.add("\(name(of: signal)) held mid-write")
            } else {
                tally.add("\(name(of: signal)) \(phase == completion ? "after completion" : "before completion")")
            }
        }
        print("ptq \(arguments[0]), \(trials) trials over a \(String(format: "%.2f", seconds)) s run: \(tally)")
        expectLandedMidWrite(held: held, landed: landed, "ptq \(arguments[0])")
        try succeed(arguments, scratch: workload.root)
        #expect(try snapshot(output) == reference)
        #expect(
            try FileManager.default.contentsOfDirectory(atPath: (output as NSString).deletingLastPathComponent) == [
                file
            ])
    }
}
#endif
