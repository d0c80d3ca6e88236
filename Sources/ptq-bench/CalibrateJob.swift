import Foundation

/// Whole `ptq calibrate` jobs on the benchmark files, each run as a child process (the `ptq` built next to
/// `ptq-bench`): one warm-up, then `runs` timed runs; peak RSS is the largest `ru_maxrss` of the runs.
/// Activation jobs (default configuration, histogram, mse) run on the activation file; weights-only jobs
/// (minmax, mse) on ``BenchWeights``' file. Skipped with a message when `ptq` is missing or has no
/// `calibrate`.
enum CalibrateJob {
    static let name = "ptq calibrate"

    /// One whole-job row: its name, the inputs flag (`--activations` or `--weights`), and the config (YAML
    /// text; `nil`: the default configuration).
    struct Job {
        var name: String
        var inputFlag: String
        var config: String?
    }

    /// The activation jobs.
    static let activationJobs = [
        Job(name: "\(name) (default config)", inputFlag: "--activations", config: nil),
        Job(
            name: "\(name) (histogram)", inputFlag: "--activations",
            config: "version: 1\nactivations: {observer: histogram}\n"),
        Job(name: "\(name) (mse)", inputFlag: "--activations", config: "version: 1\nactivations: {observer: mse}\n"),
    ]

    /// The weights-only jobs.
    static let weightJobs = [
        Job(
            name: "\(name) weights (minmax)", inputFlag: "--weights",
            config: "version: 1\nweights: {observer: minmax}\n"),
        Job(name: "\(name) weights (mse)", inputFlag: "--weights", config: "version: 1\nweights: {observer: mse}\n"),
    ]

    /// The `ptq` next to this binary, or `nil` (with a message) when it cannot calibrate.
    static func ptq() -> String? {
        let ptq = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
            .appendingPathComponent("ptq").path
        guard FileManager.default.isExecutableFile(atPath: ptq) else {
            print("\(name) skipped: \(ptq) not built (swift build -c release --product ptq)")
            return nil
        }
        guard let help = try? ChildProcess.run(ptq, ["calibrate", "--help"]), help.status == 0 else {
            print("\(name) skipped: this ptq has no calibrate command")
            return nil
        }
        return ptq
    }

    /// Runs each of `jobs` on `file` with each thread count.
    static func run(_ jobs: [Job], file: String, runs: Int, threads: [Int]) -> [BenchSuite.TableRow] {
        guard let ptq = ptq() else { return [] }
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent(
            "ptq-bench-package-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: scratch) }
        do {
            try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        } catch {
            print("\(name) skipped: cannot create \(scratch.path): \(error)")
            return []
        }
        var rows: [BenchSuite.TableRow] = []
        for job in jobs {
            var arguments = [
                "calibrate", job.inputFlag, file, "--output", scratch.appendingPathComponent("pkg").path, "--force",
                "--quiet",
            ]
            if let config = job.config {
                let path = scratch.appendingPathComponent("config.yaml").path
                do {
                    try config.write(toFile: path, atomically: true, encoding: .utf8)
                } catch {
                    print("\(job.name) skipped: cannot write its config: \(error)")
                    continue
                }
                arguments += ["--config", path]
            }
            for threadCount in threads {
                guard let row = measure(job.name, ptq, arguments + ["--threads", "\(threadCount)"], runs: runs) else {
                    break
                }
                rows.append(
                    BenchSuite.TableRow(
                        name: row.name, threads: threadCount, seconds: row.seconds,
                        peakRSS: row.peakRSS, cpuPerRun: row.cpuPerRun))
            }
        }
        return rows
    }

    /// One warm-up and `runs` timed runs of `ptq arguments`; `nil` (with a message) when a run fails.
    static func measure(_ name: String, _ ptq: String, _ arguments: [String], runs: Int) -> BenchSuite.TableRow? {
        var times: [Double] = []
        var peak = 0
        var cpu = 0.0
        for run in 0...runs {
            let start = ContinuousClock.now
            guard let child = try? ChildProcess.run(ptq, arguments), child.status == 0 else {
                print("\(name) failed: ptq \(arguments.joined(separator: " "))")
                return nil
            }
            let elapsed = BenchSuite.seconds(ContinuousClock.now - start)
            peak = max(peak, child.peakRSS)
            if run > 0 {
                times.append(elapsed)
                cpu += child.cpuSeconds
            }
        }
        return BenchSuite.TableRow(
            name: name, threads: 0, seconds: BenchSuite.median(times), peakRSS: peak,
            cpuPerRun: cpu / Double(times.count))
    }
}
