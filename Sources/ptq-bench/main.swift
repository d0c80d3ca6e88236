// ptq-bench: PTQKit's benchmarks (release build only): `ptq-bench [suite] [arguments]`.
// Each suite lives in its own file; add it to `suites` with one line.
import Foundation
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
        summary: "issue-6 table on a cached K GiB file: [--runs N] [--threads N] [--only a,b] [--scale K] "
            + "[--weights-gib G,...] [--file F]"
    ) {
        try BenchSuite.run($0[...])
    },
    Suite(
        name: "rounding",
        summary: "GPTQ, AWQ, importance clipping on a 1536×384 layer: seconds, SQNR [--runs N] [--only gptq,awq,...]"
    ) {
        try RoundingBench.run(arguments: $0)
    },
    Suite(
        name: "moments",
        summary: "input moments (Gram) GB/s in memory: [--d 1024] [--rows N] [--runs N] [--threads 1,2] [--level L]"
    ) {
        try MomentsBench.run(arguments: $0)
    },
    Suite(name: "hash", summary: "input fingerprints (XXH3-128, SHA-256) MB/s on files: [--runs N] FILE...") {
        try HashBench.run(arguments: $0)
    },
    Suite(name: "measure", summary: "one row of `suite` (run by it as a child process)") {
        try BenchSuite.measure($0[...])
    },
]

/// Suites run when no name is given (not the 1 GiB table, which `make bench` runs).
let defaultSuites: Set = ["io", "float", "quant", "rounding"]

/// The usage text: the synopsis and every suite with its arguments.
@MainActor func usage() -> String {
    let width = suites.map(\.name.count).max() ?? 0
    let lines = suites.map { "  " + $0.name.padding(toLength: width, withPad: " ", startingAt: 0) + "  " + $0.summary }
    return """
        usage: ptq-bench [SUITE [ARGUMENTS...]]   (release build: swift build -c release --product ptq-bench)
        Without a suite: \(suites.filter { defaultSuites.contains($0.name) }.map(\.name).joined(separator: ", ")). \
        `make bench` runs `suite`.
        suites:
        \(lines.joined(separator: "\n"))
        """
}

/// Prints `message` to stderr and exits with `code` (a top-level `throw` would end in a trap).
func fail(_ message: String, code: Int32) -> Never {
    FileHandle.standardError.write(Data("ptq-bench: \(message)\n".utf8))
    exit(code)
}

let arguments = Array(CommandLine.arguments.dropFirst())
if let first = arguments.first, ["--help", "-h", "help"].contains(first) {
    print(usage())
    exit(0)
}
print("ptq-bench \(ptqkitVersion)")
do {
    if let first = arguments.first, first == "stream" {
        try TensorIOBenchmarks.run(arguments: arguments)  // `ptq-bench stream FILE...` as before
    } else if let first = arguments.first {
        guard let suite = suites.first(where: { $0.name == first }) else {
            fail("unknown suite '\(first)'\n\(usage())", code: 64)
        }
        try suite.run(Array(arguments.dropFirst()))
    } else {
        for suite in suites where defaultSuites.contains(suite.name) { try suite.run([]) }
    }
} catch let error as BenchError {
    if case .usage = error { fail("\(error)\n\(usage())", code: 64) }
    fail("\(error)", code: 1)
} catch {
    fail("\(error)", code: 1)
}
