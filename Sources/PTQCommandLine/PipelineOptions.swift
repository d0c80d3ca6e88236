import ArgumentParser
import Foundation
import PTQKit

/// How `ptq calibrate` and `ptq observe` stream activations: `--threads`, `--memory-budget`,
/// `--batch-rows`. None of them changes the output (see ``Calibrator``).
struct PipelineOptions: ParsableArguments {
    @Option(
        help: """
            Worker threads observing activations and calibrating layers (default: all active cores, at most \
            256; 1: one thread; above 256 is refused). The output is byte-identical for any value.
            """)
    var threads: Int?

    @Option(
        help: ArgumentHelp(
            """
            Cap on the activation batch buffers held at once (threads + 2 buffers, 1 with --threads 1): \
            bytes, or with a K/M/G (KiB/MiB/GiB, ×1024) suffix, e.g. 64M. Batches shrink to fit; a budget \
            that cannot hold one row per buffer is refused (exit 64). A weight larger than the budget is \
            streamed in blocks of an eighth of it; one that must be read whole (a bias, an excluded layer, \
            moving-average-minmax) and exceeds it is refused (exit 65); without --memory-budget that bound is \
            a quarter of the physical memory (or of ulimit -v).
            """, valueName: "size"))
    var memoryBudget: ByteCount?

    @Option(
        help: """
            Rows per activation batch (default: as many as fit in 8 MiB, and in the memory budget). The \
            output does not depend on it.
            """)
    var batchRows: Int?

    func validate() throws {
        if let threads, threads < 1 { throw ValidationError("--threads must be at least 1") }
        if let threads, threads > BatchPipeline.maximumWorkers {
            throw ValidationError("--threads \(threads): at most \(BatchPipeline.maximumWorkers) worker threads")
        }
        if let batchRows, batchRows < 1 { throw ValidationError("--batch-rows must be at least 1") }
    }

    /// The job options these flags give.
    func jobOptions(keepGoing: Bool = false, probe: FileProbe? = nil) -> CalibrationJob.Options {
        CalibrationJob.Options(
            threads: threads, memoryBudget: memoryBudget?.bytes, batchRows: batchRows, keepGoing: keepGoing,
            probe: probe)
    }
}
