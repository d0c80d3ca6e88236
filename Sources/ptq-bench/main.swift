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
    Suite(name: "float", summary: "FP8 encode/decode and scaled per-channel FP8") { _ in try FloatFormatBenchmarks.run() },
    Suite(name: "quant", summary: "integer affine quantize/dequantize GB/s vs memcpy") { try QuantBench.run(arguments: $0) },
]

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
    for suite in suites { try suite.run([]) }
}
