import ArgumentParser
import Foundation
import PTQKit

/// `ptq inspect FILE...`: the tree of each HDF5 file with shape, dtype, chunking, compression and size of
/// every dataset; `--stats` streams each numeric dataset once (bounded memory) and adds its statistics;
/// `--json` prints the same as JSON.
struct Inspect: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Show the groups and datasets of HDF5 files, optionally with value statistics.",
        discussion: """
            Exit codes: 0 success, 64 usage, 65 unusable input (not HDF5, damaged, unsupported), \
            66 missing file or object, 70 internal error, 74 libhdf5 read failure. \
            Inputs that fail are reported on stderr; the others are still inspected.
            """
    )

    @Flag(help: "Stream every numeric dataset once and report min, max, mean, std, abs-max, zero fraction and NaN/Inf counts.")
    var stats = false

    @Flag(help: "Print JSON (stable key order) instead of text.")
    var json = false

    @Option(help: "Bytes of Float32 per streamed batch (rounded down to whole chunks when possible).")
    var batchBytes = 8 << 20

    @Argument(help: "HDF5 files (a quoted glob pattern such as 'shards/*.h5' is expanded).")
    var files: [String] = []

    func validate() throws {
        guard !files.isEmpty else { throw ValidationError("give at least one HDF5 file") }
        guard batchBytes > 0 else { throw ValidationError("--batch-bytes must be positive") }
    }

    func run() throws {
        var firstFailure: ExitCode?
        var reports: [InspectReport] = []
        for argument in files {
            let matches = Self.packageTensors(argument, printSummary: !json) ?? Self.expand(argument)
            let found =
                matches.isEmpty
                ? [InspectReport(file: argument, failure: TensorIOError.noFilesMatch(pattern: argument))]
                : matches.map { InspectReport(file: $0, statistics: stats, batchBytes: batchBytes) }
            for report in found {
                report.failures.forEach { Self.fail($0, &firstFailure) }
                reports.append(report)
            }
        }
        if json {
            print(JSONValue.object([("files", .array(reports.map(\.json)))]).rendered())
        } else {
            print(reports.map(\.text).joined(separator: "\n\n"))
        }
        if let firstFailure { throw firstFailure }
    }

    /// `argument` itself, or the files a glob pattern matches when no file has that name.
    private static func expand(_ argument: String) -> [String] {
        guard ShardGlob.isPattern(argument), !FileManager.default.fileExists(atPath: argument) else {
            return [argument]
        }
        return ShardGlob.paths(matching: argument)
    }

    /// Prints `error` to stderr and remembers the first exit code.
    private static func fail(_ error: any Error, _ first: inout ExitCode?) {
        FileHandle.standardError.write(Data("ptq inspect: \(error)\n".utf8))
        if first == nil { first = ExitCodes.code(for: error) }
    }
}
