import ArgumentParser
import Foundation
import PTQKit

/// `ptq observe`: observes one deterministic shard of the activations and saves the observers' states.
struct Observe: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Observe one shard of the activations and save the observers' statistics (.ptqstats).",
        discussion: """
            The activation files are split into N shards deterministically (files sorted by path, rows cut \
            in whole chunks, about equal bytes per shard), so N processes given the same files and config \
            in any order observe disjoint rows; `ptq merge` combines their outputs exactly and \
            `ptq calibrate --stats` turns them into a package. K is zero-based: --shard 0/4 … 3/4 (a Slurm \
            array or a Kubernetes Indexed Job passes $SLURM_ARRAY_TASK_ID or $JOB_COMPLETION_INDEX). \
            The output is written atomically. Exit codes: 0 success, 64 usage, 65 unusable input, \
            66 missing input, 70 internal error, 73 output exists (without --force, or not replaceable with it) \
            or cannot be created, 74 libhdf5 failed reading an input (e.g. a chunk failing its Fletcher-32 \
            checksum), 78 configuration error.
            """
    )

    @Option(parsing: .upToNextOption, help: "Recorded activations: HDF5 files or quoted glob patterns.")
    var activations: [String] = []

    @Option(help: "Configuration (YAML or JSON); default: int8 with min-max observers.")
    var config: String?

    @Option(help: "Which shard to observe: K/N with 0 ≤ K < N; 0/1 is everything.")
    var shard: String = "0/1"

    @Option(name: [.short, .long], help: "The statistics file to write (e.g. stats-K.ptqstats).")
    var output: String

    @Flag(help: "Replace an existing output file.")
    var force = false

    @Flag(help: "No progress on stderr.")
    var quiet = false

    @OptionGroup
    var fingerprint: FingerprintOption

    @OptionGroup(title: "Pipeline")
    var pipeline: PipelineOptions

    func validate() throws {
        guard !activations.isEmpty else { throw ValidationError("give --activations FILES...") }
        do { _ = try ShardSpec(parsing: shard) } catch { throw ValidationError("--shard: \(error)") }
    }

    func run() throws {
        try CommandPaths.requireInputs(activations + [config], command: "observe")
        try CommandPaths.requireOutputDirectory(output, command: "observe")
        let reporter = ProgressReporter(quiet: quiet)
        do {
            // Never replace an input or anything but a statistics file; checked again when writing. The
            // arguments as given suffice: an HDF5 input can never pass for a statistics file.
            let readPaths = activations + (config.map { [$0] } ?? [])
            try StatisticsFile.replacementRule(force: force, inputs: readPaths).check(output, isDirectory: false)
            let spec = try ShardSpec(parsing: shard)
            let registry = PTQCommandLine.observers
            // Not `config.map { ... }`: a ConfigError rethrown through the generic typed-throws `map` reached
            // the catch below damaged (Swift 6.3.1; its description crashed), a plain call does not.
            var settings = CalibrationConfig()
            if let config { settings = try CalibrationConfig.load(contentsOf: config, observerNames: registry.names) }
            let calibrator = pipeline.jobOptions().configure(try Calibrator(config: settings, observers: registry))
            reporter.begin("observing shard \(spec)", unit: .bytes)
            let file = try StatisticsFile.observe(
                calibrator: calibrator, files: activations, shard: spec, configFile: config, toolVersion: ptqkitVersion,
                fingerprint: fingerprint.algorithm
            ) { progress in
                reporter.update(done: progress.phaseDone, total: progress.phaseTotal, detail: progress.dataset)
            }
            reporter.end()
            try file.write(to: output, force: force, inputs: readPaths)
            if let warning = file.inexactMergeWarning { reporter.message("ptq observe: warning: \(warning)") }
            let rows = file.body.coverage.reduce(0) { $0 + $1.rows.count }
            reporter.message(
                "ptq observe: \(output): shard \(spec), \(rows) rows in \(file.body.coverage.count) segments of "
                    + "\(file.body.plan.files.count) files, \(file.body.statistics.layers.count) layers")
        } catch {
            reporter.end(completed: false)
            FileHandle.standardError.write(Data("ptq observe: \(error)\n".utf8))
            throw Self.exitCode(for: error)
        }
    }

    /// The exit code of any error these commands see.
    static func exitCode(for error: any Error) -> ExitCode {
        switch error {
        case let e as StatisticsFileError: ExitCodes.code(for: e)
        case let e as CalibrationError: ExitCodes.code(for: e)
        case let e as ShardPlanError: e.isUsage ? ExitCodes.usage : ExitCodes.data
        default: ExitCodes.code(for: error)
        }
    }
}

extension ShardPlanError {
    /// Whether the error is a bad `K/N`.
    var isUsage: Bool {
        if case .invalidShard = self { return true }
        return false
    }
}
