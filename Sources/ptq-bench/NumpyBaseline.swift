import Foundation

/// Runs `bench/numpy_baseline.py` (h5py read + np.min/np.max, np.histogram 2048 bins) on the same file
/// when python3 with numpy and h5py is available; returns its rows or prints why it was skipped.
enum NumpyBaseline {
    /// The row of h5py merely reading the file.
    static let readName = "h5py read"

    /// Runs `jobs` (of `read`, `minmax`, `histogram`) on `file`.
    static func run(file: String, runs: Int, jobs: [String] = ["read", "minmax", "histogram"]) -> [BenchSuite.TableRow]
    {
        let python = ProcessInfo.processInfo.environment["PTQ_BENCH_PYTHON"] ?? ChildProcess.which("python3")
        guard let python else {
            print("numpy baseline skipped: no python3 on PATH (set PTQ_BENCH_PYTHON)")
            return []
        }
        let script = "bench/numpy_baseline.py"
        guard FileManager.default.fileExists(atPath: script) else {
            print("numpy baseline skipped: \(script) not found (run from the repository root)")
            return []
        }
        var rows: [BenchSuite.TableRow] = []
        for job in jobs {
            guard let child = try? ChildProcess.run(python, [script, file, job, "--runs", "\(runs)"]) else {
                print("numpy baseline skipped: cannot start \(python)")
                return rows
            }
            if child.status == 3 {
                print("numpy baseline skipped: \(python) lacks numpy or h5py")
                return rows
            }
            guard child.status == 0, let times = BenchSuite.parseSeconds(child.stdout) else {
                print("numpy baseline \(job) failed (status \(child.status)): \(child.stdout)")
                continue
            }
            rows.append(
                BenchSuite.TableRow(
                    name: job == "read" ? readName : "numpy \(job)", threads: 1, seconds: BenchSuite.median(times),
                    peakRSS: child.peakRSS,
                    cpuPerRun: child.cpuSeconds / Double(times.count + 1)))
        }
        return rows
    }
}
