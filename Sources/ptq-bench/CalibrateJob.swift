import Foundation

/// The whole `ptq calibrate` job on the benchmark file, run as a child process (the `ptq` built next to
/// `ptq-bench`) with the default configuration: one warm-up, then `runs` timed runs; peak RSS is the
/// largest `ru_maxrss` of the runs. Skipped with a message when `ptq` is missing or has no `calibrate`.
enum CalibrateJob {
    static let name = "ptq calibrate"

    static func run(file: String, runs: Int, threads: [Int]) -> [BenchSuite.TableRow] {
        let ptq = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
            .appendingPathComponent("ptq").path
        guard FileManager.default.isExecutableFile(atPath: ptq) else {
            print("\(name) skipped: \(ptq) not built (swift build -c release --product ptq)")
            return []
        }
        guard let help = try? ChildProcess.run(ptq, ["calibrate", "--help"]), help.status == 0 else {
            print("\(name) skipped: this ptq has no calibrate command")
            return []
        }
        let output = FileManager.default.temporaryDirectory.appendingPathComponent(
            "ptq-bench-package-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: output) }
        var rows: [BenchSuite.TableRow] = []
        for threadCount in threads {
            let arguments = [
                "calibrate", "--activations", file, "--output", output.path, "--force", "--quiet",
                "--threads", "\(threadCount)",
            ]
            var times: [Double] = []
            var peak = 0
            var cpu = 0.0
            for run in 0...runs {
                let start = ContinuousClock.now
                guard let child = try? ChildProcess.run(ptq, arguments), child.status == 0 else {
                    print("\(name) failed: ptq \(arguments.joined(separator: " "))")
                    return rows
                }
                let elapsed = BenchSuite.seconds(ContinuousClock.now - start)
                peak = max(peak, child.peakRSS)
                if run > 0 {
                    times.append(elapsed)
                    cpu += child.cpuSeconds
                }
            }
            rows.append(
                BenchSuite.TableRow(
                    name: name, threads: threadCount, seconds: BenchSuite.median(times), peakRSS: peak,
                    cpuPerRun: cpu / Double(times.count)))
        }
        return rows
    }
}
