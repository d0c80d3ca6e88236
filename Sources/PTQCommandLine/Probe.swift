import ArgumentParser
import Foundation
import PTQKit

/// `ptq _probe FILE` (hidden): reads an HDF5 file completely — every link, every dataset's metadata,
/// every numeric dataset's values streamed once — and exits 0, or prints the first error and exits with
/// its code. ``FileProbe`` runs it in a child process so a crash inside libhdf5 takes down only the probe.
struct Probe: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: FileProbe.subcommand,
        abstract: "Read an HDF5 file completely in this process (used by ptq itself for crash isolation).",
        shouldDisplay: false
    )

    @Option(help: "Bytes of Float32 per streamed batch.")
    var batchBytes = 8 << 20

    @Argument(help: "The HDF5 file.")
    var file: String

    func run() throws {
        let report = InspectReport(file: file, statistics: true, batchBytes: max(1, batchBytes))
        if let failure = report.failures.first {
            FileHandle.standardError.write(Data("ptq _probe: \(failure)\n".utf8))
            throw ExitCodes.code(for: failure)
        }
    }
}
