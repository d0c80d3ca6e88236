// ptq-bench: PTQKit's benchmarks (release build only): `ptq-bench [suite] [arguments]`.
// Each suite lives in its own file; add it to `suites` with one line.
import PTQKit

/// A named benchmark suite; `run` receives the arguments after the suite name.
struct Suite {
    let name: String
    let summary: String
    let run: ([String]) throws -> Void
}

let suites: [Suite] = [
    Suite(name: "io", summary: "TensorStatistics kernel; `io stream FILE...` also streams HDF5 files") {
        try TensorIOBenchmarks.run(arguments: $0)
    },
    Suite(name: "float", summary: "FP8 E4M3FN encode/decode, scaled per-channel FP8, MXFP4 quantize") { _ in
        try FloatFormatBenchmarks.run()
    },
    Suite(name: "quant", summary: "integer affine quantize/dequantize GB/s vs memcpy") {
        try QuantBench.run(arguments: $0)
    },
    Suite(name: "observers", summary: "each observer's GB/s over a 1 GiB in-memory buffer: [--gib N] [--runs N]") {
        try ObserverBench.run(arguments: $0)
    },
    Suite(
        name: "suite",
        summary: "issue-6 table on a cached K GiB file: [--runs N] [--threads N] [--only a,b] [--scale K] [--file F]"
    ) {
        try BenchSuite.run($0[...])
    },
    Suite(name: "hash", summary: "input fingerprint (SHA-256) MB/s on files: [--runs N] FILE...") {
        try HashBench.run(arguments: $0)
    },
    Suite(name: "measure", summary: "one row of `suite` (run by it as a child process)") {
        try BenchSuite.measure($0[...])
    },
]

/// Suites run when no name is given (not the 1 GiB table, which `make bench` runs).
let defaultSuites: Set = ["io", "float", "quant"]

/// The first argument names no suite.
struct UnknownSuite: Error, CustomStringConvertible {
    let name: String
    let known: [String]
    var description: String { "unknown suite '\(name)'; suites: " + known.joined(separator: ", ") }
}

print("ptq-bench \(ptqkitVersion)")
let arguments = Array(CommandLine.arguments.dropFirst())
if let first = arguments.first, first == "stream" {
    try TensorIOBenchmarks.run(arguments: arguments)  // `ptq-bench stream FILE...` as before
} else if let first = arguments.first {
    guard let suite = suites.first(where: { $0.name == first }) else {
        throw UnknownSuite(name: first, known: suites.map { "\($0.name) (\($0.summary))" })
    }
    try suite.run(Array(arguments.dropFirst()))
} else {
    for suite in suites where defaultSuites.contains(suite.name) { try suite.run([]) }
}
