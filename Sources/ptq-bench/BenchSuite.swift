import Foundation
import PTQKit

/// `ptq-bench suite`: the table of issue 6. Generates (once) the 1 GiB activation file, then measures every
/// workload in its own child process (`ptq-bench measure ...`: one warm-up, then `--runs` timed runs), so
/// each row's peak RSS is its own; prints seconds (median), GB/s, ratio to the raw read, peak RSS, with 1
/// thread and with all threads, plus the numpy baseline when python3 has numpy and h5py.
enum BenchSuite {
    /// Options of `suite` and `measure`.
    struct Options {
        var runs = 5
        var dataDirectory = "bench-data"
        var threads = ProcessInfo.processInfo.activeProcessorCount
        var only: [String] = []
        var file: String?
        var scale = 1
        /// Sizes of the weights files of the weights-only table, in GiB.
        var weightsGiB = [2]

        init(_ arguments: ArraySlice<String>) throws {
            var rest = arguments
            while let flag = rest.popFirst() {
                guard let value = rest.popFirst() else { throw BenchError.usage("\(flag) needs a value") }
                switch flag {
                case "--runs": runs = try Self.positive(flag, value)
                case "--data": dataDirectory = value
                case "--threads": threads = try Self.positive(flag, value)
                case "--only": only = value.split(separator: ",").map(String.init)
                case "--file": file = value
                case "--scale": scale = try Self.positive(flag, value)
                case "--weights-gib":
                    weightsGiB = try value.split(separator: ",").map { try Self.positive(flag, String($0)) }
                default: throw BenchError.usage("unknown option \(flag)")
                }
            }
        }

        private static func positive(_ flag: String, _ value: String) throws -> Int {
            guard let number = Int(value), number > 0 else {
                throw BenchError.usage("\(flag) needs a positive integer")
            }
            return number
        }
    }

    /// The parent: generate the data, run each row in a child, print the table.
    static func run(_ arguments: ArraySlice<String>) throws {
        let options = try Options(arguments)
        let file = try options.file ?? BenchData.file(in: options.dataDirectory, scale: options.scale)
        let executable = CommandLine.arguments[0]
        let cores = options.threads
        let bytes = BenchData.bytes(scale: options.scale)
        print("file: \(file) (\(bytes >> 20) MiB float32, \(BenchData.specs.count) datasets)")
        print(
            """
            machine: \(ProcessInfo.processInfo.activeProcessorCount) cores, load average \(loadAverage()); median of \
            \(options.runs) runs after a warm-up; each row in its own process\n
            """
        )
        var rows: [TableRow] = []
        for workload in BenchWorkloads.all where options.only.isEmpty || options.only.contains(workload.name) {
            let threadCounts = workload.parallel && cores > 1 ? [1, cores] : [1]
            for threads in threadCounts {
                let child = try ChildProcess.run(
                    executable,
                    ["measure", workload.name, "--threads", "\(threads)", "--runs", "\(options.runs)", "--file", file])
                guard child.status == 0, let times = parseSeconds(child.stdout) else {
                    throw BenchError.child(workload.name, child.status, child.stdout)
                }
                rows.append(
                    TableRow(
                        name: workload.name, threads: threads, seconds: median(times), peakRSS: child.peakRSS,
                        cpuPerRun: child.cpuSeconds / Double(times.count + 1)))
            }
        }
        let threadCounts = cores > 1 ? [1, cores] : [1]
        if options.only.isEmpty || options.only.contains(CalibrateJob.name) {
            rows += CalibrateJob.run(CalibrateJob.activationJobs, file: file, runs: options.runs, threads: threadCounts)
        }
        if options.only.isEmpty || options.only.contains("numpy") {
            rows += NumpyBaseline.run(file: file, runs: options.runs)
        }
        printTable(rows, bytes: bytes)
        if options.only.isEmpty || options.only.contains("weights") {
            try runWeights(options, threads: threadCounts)
        }
        if options.only.isEmpty || options.only.contains("rounding") {
            print("")
            try RoundingBench.run(arguments: ["--runs", "\(options.runs)"])
        }
        if options.only.isEmpty || options.only.contains("gram") {
            // Issue 15's target: Gram accumulation ≥ 1 GB/s of activations with 2 threads at d = 1024.
            print("")
            try MomentsBench.table(
                d: 1024, rows: 16384, runs: options.runs, threads: Array(Set([1, 2, cores])).sorted(), level: .gram)
        }
        print("load average at the end: \(loadAverage()) (figures are noisy when it exceeds the core count)")
    }

    /// The weights-only tables on ``BenchWeights``' files (2 GiB unless `--weights-gib` says otherwise): each
    /// one's raw read floor, h5py's read, and the weights-only `ptq calibrate` jobs.
    static func runWeights(_ options: Options, threads: [Int]) throws {
        for gib in options.weightsGiB {
            let weights = BenchWeights(gib: gib)
            let file = try weights.file(in: options.dataDirectory)
            print(
                "\nweights file: \(file) (\(weights.bytes >> 20) MiB float32, one tensor of \(BenchWeights.bigRows)×"
                    + "\(BenchWeights.columns) (\((BenchWeights.bigRows * BenchWeights.columns * 4) >> 20) MiB) and "
                    + "\(weights.layerCount) of \(BenchWeights.layerRows)×\(BenchWeights.columns), with biases)\n")
            let child = try ChildProcess.run(
                CommandLine.arguments[0],
                ["measure", BenchWorkloads.rawReadName, "--threads", "1", "--runs", "\(options.runs)", "--file", file])
            guard child.status == 0, let times = parseSeconds(child.stdout) else {
                throw BenchError.child(BenchWorkloads.rawReadName, child.status, child.stdout)
            }
            var rows = [
                TableRow(
                    name: BenchWorkloads.rawReadName, threads: 1, seconds: median(times), peakRSS: child.peakRSS,
                    cpuPerRun: child.cpuSeconds / Double(times.count + 1))
            ]
            rows += NumpyBaseline.run(file: file, runs: options.runs, jobs: ["read"])
            rows += CalibrateJob.run(CalibrateJob.weightJobs, file: file, runs: options.runs, threads: threads)
            printTable(rows, bytes: weights.bytes)
        }
    }

    /// The child: one warm-up and `runs` timed runs of one workload; prints `seconds t1 t2 ...`.
    static func measure(_ arguments: ArraySlice<String>) throws {
        guard let name = arguments.first, let workload = BenchWorkloads.all.first(where: { $0.name == name }) else {
            throw BenchError.usage("measure: unknown workload \(arguments.first ?? "")")
        }
        let options = try Options(arguments.dropFirst())
        guard let file = options.file else { throw BenchError.usage("measure needs --file") }
        try workload.run(file, options.threads)
        var times: [Double] = []
        for _ in 0..<options.runs {
            var failure: (any Error)?
            let elapsed = ContinuousClock().measure {
                do { try workload.run(file, options.threads) } catch { failure = error }
            }
            if let failure { throw failure }
            times.append(seconds(elapsed))
        }
        print("seconds " + times.map { String($0) }.joined(separator: " "))
    }

    /// One line of the table.
    struct TableRow {
        var name: String
        var threads: Int
        var seconds: Double
        var peakRSS: Int
        /// CPU seconds (user + system) per run, averaged over the child's runs and warm-up.
        var cpuPerRun: Double
    }

    /// The 1-, 5- and 15-minute load averages (`/proc/loadavg`), or `?` where unavailable.
    static func loadAverage() -> String {
        guard let text = try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8) else { return "?" }
        return text.split(separator: " ").prefix(3).joined(separator: " ")
    }

    static func parseSeconds(_ output: String) -> [Double]? {
        guard let line = output.split(separator: "\n").last(where: { $0.hasPrefix("seconds ") }) else { return nil }
        let values = line.split(separator: " ").dropFirst().compactMap { Double($0) }
        return values.isEmpty ? nil : values
    }

    static func median(_ values: [Double]) -> Double {
        let sorted = values.sorted()
        let middle = sorted.count / 2
        return sorted.count % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2
    }

    static func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) * 1e-18
    }

    /// Prints the table; ratios are to the fastest raw-read row (rows named `raw read...`).
    static func printTable(_ rows: [TableRow], bytes: Int) {
        // The I/O floor: the fastest of the raw-read rows (mapped sum, raw-chunk copy, hyperslab copy).
        let floorRow = rows.filter { $0.name.hasPrefix(BenchWorkloads.rawReadName) }.min { $0.seconds < $1.seconds }
        let floor = floorRow?.seconds
        let h5py = rows.first { $0.name == NumpyBaseline.readName }?.seconds
        func pad(_ text: String, _ width: Int, left: Bool = false) -> String {
            let space = String(repeating: " ", count: max(0, width - text.count))
            return left ? text + space : space + text
        }
        func fixed(_ value: Double, _ digits: Int) -> String { String(format: "%.\(digits)f", value) }
        let gigabytes = Double(bytes) / 1e9
        print(
            "| " + pad("workload", 34, left: true)
                + " | threads |  seconds |  GB/s | × raw read | × h5py read | CPU s/run | peak RSS MiB |")
        print(
            "|" + String(repeating: "-", count: 36)
                + "|--------:|---------:|------:|-----------:|------------:|----------:|-------------:|")
        for row in rows {
            let ratio = floor.map { fixed($0 / row.seconds, 2) } ?? "–"
            let h5pyRatio = h5py.map { fixed($0 / row.seconds, 2) } ?? "–"
            print(
                "| " + pad(row.name, 34, left: true) + " | " + pad("\(row.threads)", 7) + " | "
                    + pad(fixed(row.seconds, 3), 8) + " | " + pad(fixed(gigabytes / row.seconds, 2), 5) + " | "
                    + pad(ratio, 10) + " | " + pad(h5pyRatio, 11) + " | " + pad(fixed(row.cpuPerRun, 3), 9) + " | "
                    + pad("\(row.peakRSS >> 20)", 12)
                    + " |")
        }
        print(
            "\nraw read: every float summed (SIMD) straight from a read-only mapping of the file (the zero-copy path,")
        print(
            """
            no libhdf5 call per batch); raw-chunk / hyperslab copy: libhdf5 copies each batch into a buffer (one \
            value read).
            """
        )
        print("seconds: median wall time of one pass over the file; × raw read: floor seconds / row seconds, the floor")
        print("being the fastest raw-read row (here: \(floorRow?.name ?? "none"));")
        print("× h5py read: h5py's read of the same file (its seconds / row seconds; > 1: faster than h5py reading).")
        print("CPU s/run: user + system CPU of the row's process per run (contention-independent cost).")
    }
}
