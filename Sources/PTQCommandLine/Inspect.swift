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
            Inputs that fail are reported on stderr; the others are still inspected. Each file is first \
            read by a child process: a file on which libhdf5 crashes is reported ("libhdf5 crashed (signal N) \
            reading FILE", exit 65) and stops the run, or with --keep-going is skipped.
            """
    )

    @Flag(
        help:
            """
            Stream every numeric dataset once and report min, max, mean, std, abs-max, zero fraction and NaN/Inf \
            counts.
            """
    )
    var stats = false

    @Flag(help: "Print JSON (stable key order) instead of text.")
    var json = false

    @Option(help: "Bytes of Float32 per streamed batch (rounded down to whole chunks when possible).")
    var batchBytes = 8 << 20

    @Flag(help: "Skip a file on which libhdf5 crashes and go on with the others (exit 65 at the end).")
    var keepGoing = false

    @Argument(help: "HDF5 files (a quoted glob pattern such as 'shards/*.h5' is expanded).")
    var files: [String] = []

    func validate() throws {
        guard !files.isEmpty else { throw ValidationError("give at least one HDF5 file") }
        guard batchBytes > 0 else { throw ValidationError("--batch-bytes must be positive") }
    }

    func run() throws {
        var firstFailure: ExitCode?
        var reports: [InspectReport] = []
        let probe = FileProbe.currentExecutable.map { FileProbe(executable: $0.executable, batchBytes: batchBytes) }
        files: for argument in files {
            let matches = Self.packageTensors(argument, printSummary: !json) ?? Self.expand(argument)
            if matches.isEmpty {
                let report = InspectReport(file: argument, failure: TensorIOError.noFilesMatch(pattern: argument))
                for failure in report.failures { Self.fail(failure, &firstFailure) }
                reports.append(report)
            }
            for path in matches {
                // libhdf5 reads the file in a child first: a crash there is reported, never ours.
                if let crash = probe?.check(path, refuseErrors: false) {
                    Self.fail(crash, &firstFailure)
                    if keepGoing { continue } else { break files }
                }
                let report = InspectReport(file: path, statistics: stats, batchBytes: batchBytes)
                for failure in report.failures { Self.fail(failure, &firstFailure) }
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
