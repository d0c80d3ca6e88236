import ArgumentParser
import Foundation
import PTQKit

#if canImport(Glibc)
import Glibc
#endif

/// `ptq _probe FILE` (hidden): reads an HDF5 file's metadata completely — every link, every dataset's
/// metadata and chunk index — and every numeric dataset's values that the index cannot vouch for, then
/// exits 0, or prints the first error and exits with its code. A dataset whose every stored byte its
/// index places within the file, unfiltered Float32 in whole-row chunks
/// (``Dataset/storageLiesInFile(fileBytes:)``), is not streamed: only a few rows are read through
/// libhdf5; the in-process read of such a dataset maps or copies those checked bytes. With `--read-all`
/// every numeric dataset is streamed (`PTQ_PROBE=full`). ``FileProbe`` runs it in a child process so a
/// crash inside libhdf5 takes down only the probe.
struct Probe: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: FileProbe.subcommand,
        abstract: "Read an HDF5 file completely in this process (used by ptq itself for crash isolation).",
        shouldDisplay: false
    )

    @Option(help: "Bytes of Float32 per streamed batch.")
    var batchBytes = 8 << 20

    @Option(help: "Stream no dataset larger than this many bytes as Float32 (weights the calibration refuses).")
    var streamLimit: Int?

    @Flag(help: "Stream every numeric dataset, also those whose chunk index vouches for them.")
    var readAll = false

    @Argument(help: "The HDF5 file.")
    var file: String

    func run() throws {
        Self.dieWithParent()
        let report = InspectReport(
            file: file, statistics: true, batchBytes: max(1, batchBytes), streamLimit: streamLimit,
            indexedOnly: !readAll)
        if let failure = report.failures.first {
            FileHandle.standardError.write(Data("ptq _probe: \(failure)\n".utf8))
            throw ExitCodes.code(for: failure)
        }
    }

    /// Ends this probe when the `ptq` that started it ends (SIGINT, SIGTERM, SIGKILL): on Linux the kernel
    /// sends SIGKILL on the parent's death (`prctl(PR_SET_PDEATHSIG)`); a parent that died before that
    /// call (its pid, from `PTQ_PROBE_PARENT`, is no longer the parent) ends the probe at once.
    static func dieWithParent() {
        #if os(Linux)
        typealias Prctl = @convention(c) (Int32, UInt, UInt, UInt, UInt) -> Int32
        let setDeathSignal: Int32 = 1  // PR_SET_PDEATHSIG
        if let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "prctl") {
            _ = unsafeBitCast(symbol, to: Prctl.self)(setDeathSignal, UInt(SIGKILL), 0, 0, 0)
        }
        let parent = ProcessInfo.processInfo.environment["PTQ_PROBE_PARENT"].flatMap(Int32.init)
        if let parent, getppid() != parent {
            Glibc.exit(130)  // nobody waits for it: as if interrupted with its parent
        }
        #endif
    }
}
