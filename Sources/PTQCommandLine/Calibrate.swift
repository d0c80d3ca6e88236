import ArgumentParser
import Foundation
import PTQKit

/// `ptq calibrate`: weights and/or recorded activations in, a quantized model package out.
struct Calibrate: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Calibrate a model and write a quantized model package.",
        discussion: """
            Streams every activation dataset once through the observers the configuration chooses (or, with \
            --stats, restores them from statistics saved by `ptq observe`/`ptq merge`), \
            calibrates every layer, quantizes the weights, and writes the package directory (manifest.json, \
            tensors.h5, summary.md) atomically: it appears only when complete. Give weights, activations, \
            or both. Progress goes to stderr; the per-layer table (or --json) to stdout. \
            Exit codes: 0 success, 64 usage, 65 unusable input, 66 missing input, 70 internal error, \
            73 output exists (without --force) or cannot be created, 74 HDF5 I/O error, 78 configuration \
            error, 130/143 interrupted by SIGINT/SIGTERM (the partial package is removed). Each HDF5 input is \
            first read by a \
            child process: a file on which libhdf5 crashes is reported ("libhdf5 crashed (signal N) reading \
            FILE", exit 65) and stops the run; with --keep-going an activation file that crashes libhdf5 or \
            cannot be read is skipped, the package is written from the others, and the exit code is the \
            first failure's. Weights are read whole, one per thread: a weight whose Float32 size exceeds \
            --memory-budget is refused (exit 65); without --memory-budget that bound is a quarter of the physical \
            memory (or of ulimit -v).
            """
    )

    @Option(help: "The pre-trained weights (HDF5).")
    var weights: String?

    @Option(
        parsing: .upToNextOption,
        help: "Recorded activations: HDF5 files or quoted glob patterns (shards of the same datasets).")
    var activations: [String] = []

    @Option(
        help:
            """
            Saved activation statistics (.ptqstats from `ptq observe` / `ptq merge`) instead of --activations: no \
            activation data is read.
            """
    )
    var stats: String?

    @Option(
        help:
            """
            Configuration (YAML or JSON); default: the statistics' configuration with --stats, else int8 weights per \
            channel, int8 activations per tensor.
            """
    )
    var config: String?

    @Option(name: [.short, .long], help: "The package directory to create.")
    var output: String

    @Flag(help: "Replace an existing package at the output path (the old one is kept until the new one is complete).")
    var force = false

    @Flag(help: "No progress on stderr.")
    var quiet = false

    @Flag(help: "Print a machine-readable result on stdout instead of the table.")
    var json = false

    @Flag(
        help:
            """
            Skip activation files that crash libhdf5 or cannot be read, write the package from the others, and exit \
            with the first failure's code.
            """
    )
    var keepGoing = false

    @OptionGroup
    var fingerprint: FingerprintOption

    @OptionGroup(title: "Pipeline")
    var pipeline: PipelineOptions

    func validate() throws {
        guard weights != nil || !activations.isEmpty || stats != nil else {
            throw ValidationError("give --weights, --activations (or --stats), or both")
        }
        if stats != nil, !activations.isEmpty { throw ValidationError("give --activations or --stats, not both") }
    }

    func run() throws {
        try CommandPaths.requireInputs([weights, stats, config] + activations, command: "calibrate")
        try CommandPaths.requireOutputDirectory(output, command: "calibrate")
        let reporter = ProgressReporter(quiet: quiet)
        var options = pipeline.jobOptions(keepGoing: keepGoing, probe: FileProbe.currentExecutable)
        options.fingerprint = fingerprint.algorithm
        let job = CalibrationJob(
            inputs: CalibrationJob.Inputs(
                weights: weights, activations: activations, statistics: stats, config: config),
            output: output, force: force, options: options, observers: PTQCommandLine.observers)
        let result: CalibrationJobResult
        do {
            result = try job.run { event in
                switch event {
                case .phase(let phase):
                    reporter.begin(Self.label[phase] ?? "", unit: phase == .activations ? .bytes : .items("tensors"))
                case .progress(let done, let total, let detail):
                    reporter.update(done: done, total: total, detail: detail)
                case .warning(let text):
                    reporter.end()
                    reporter.message("ptq calibrate: warning: \(text)")
                case .skipped(let failure):
                    FileHandle.standardError.write(Data("ptq calibrate: \(failure) (skipped with --keep-going)\n".utf8))
                }
            }
            reporter.end()
        } catch {
            reporter.end(completed: false)
            FileHandle.standardError.write(Data("ptq calibrate: \(error)\n".utf8))
            throw ExitCodes.code(for: error.underlying)
        }
        print(json ? result.json.rendered() : PackageSummary.markdown(result.manifest), terminator: json ? "\n" : "")
        if let skipped = result.skipped.first { throw ExitCodes.code(for: skipped) }
    }

    /// The progress label of each phase.
    static let label: [CalibrationJob.Phase: String] = [
        .activations: "observing activations", .weights: "calibrating weights", .writing: "writing package",
    ]
}
