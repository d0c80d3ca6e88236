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
            error, 130/143 interrupted by SIGINT/SIGTERM (the partial package is removed). Each HDF5 input is first read by a \
            child process: a file on which libhdf5 crashes is reported ("libhdf5 crashed (signal N) reading \
            FILE", exit 65) and stops the run; with --keep-going an activation file that crashes libhdf5 or \
            cannot be read is skipped, the package is written from the others, and the exit code is the \
            first failure's.
            """
    )

    @Option(help: "The pre-trained weights (HDF5).")
    var weights: String?

    @Option(parsing: .upToNextOption, help: "Recorded activations: HDF5 files or quoted glob patterns (shards of the same datasets).")
    var activations: [String] = []

    @Option(help: "Saved activation statistics (.ptqstats from `ptq observe` / `ptq merge`) instead of --activations: no activation data is read.")
    var stats: String?

    @Option(help: "Configuration (YAML or JSON); default: the statistics' configuration with --stats, else int8 weights per channel, int8 activations per tensor.")
    var config: String?

    @Option(help: "The package directory to create.")
    var output: String

    @Flag(help: "Replace an existing package at the output path (the old one is kept until the new one is complete).")
    var force = false

    @Flag(help: "No progress on stderr.")
    var quiet = false

    @Flag(help: "Print a machine-readable result on stdout instead of the table.")
    var json = false

    @Flag(help: "Skip activation files that crash libhdf5 or cannot be read, write the package from the others, and exit with the first failure's code.")
    var keepGoing = false

    @OptionGroup(title: "Pipeline")
    var pipeline: PipelineOptions

    func validate() throws {
        guard weights != nil || !activations.isEmpty || stats != nil else {
            throw ValidationError("give --weights, --activations (or --stats), or both")
        }
        if stats != nil, !activations.isEmpty { throw ValidationError("give --activations or --stats, not both") }
    }

    func run() throws {
        let reporter = ProgressReporter(quiet: quiet)
        var skipped: (any Error)?
        do {
            // Refuse an existing output before spending time on the calibration.
            if FileManager.default.fileExists(atPath: output), !force { throw PackageError.outputExists(path: output) }
            let registry = ObserverRegistry.builtIn
            let saved = try stats.map { (path) throws(StatisticsFileError) in try Self.statistics(path, registry: registry) }
            let settings = try config.map { (path) throws(ConfigError) in
                try CalibrationConfig.load(contentsOf: path, observerNames: registry.names)
            } ?? saved?.body.config ?? CalibrationConfig()
            let calibrator = pipeline.configure(try Calibrator(config: settings, observers: registry))
            // Each HDF5 input is read by a child process first (crash isolation); --keep-going drops failures.
            let (probed, failure, repeated) = try probedInputs(weightLimit: calibrator.weightMemoryBudget)
            skipped = failure
            // The input files are fingerprinted while the calibration runs (on its own thread unless --threads 1).
            let activationFiles = saved == nil ? probed : []
            let fingerprints = InputFingerprints(
                (weights.map { [(InputFile.Role.weights, $0)] } ?? []) + activationFiles.map { (.activations, $0) },
                concurrently: calibrator.threads > 1)
            var phase: CalibrationProgress.Phase?
            let progress = { (progress: CalibrationProgress) in
                if progress.phase != phase {
                    phase = progress.phase
                    reporter.begin(
                        progress.phase == .activations ? "observing activations" : "calibrating weights",
                        unit: progress.phase == .activations ? .bytes : .items("tensors"))
                }
                reporter.update(done: progress.bytesDone, total: progress.bytesTotal, detail: progress.dataset)
            }
            var result: CalibrationResult
            if let saved {
                if !saved.body.missingShards.isEmpty {
                    reporter.message(
                        "ptq calibrate: warning: the statistics lack shards \(saved.body.missingShards.map(String.init).joined(separator: ", "))")
                }
                result = try calibrator.calibrate(
                    weights: weights, activationFiles: saved.body.plan.files.map(\.path), statistics: saved.body.statistics,
                    progress: progress)
            } else {
                result = try calibrator.calibrate(weights: weights, activations: activationFiles, progress: progress)
            }
            result.warnings = repeated + result.warnings
            reporter.end()
            for warning in result.warnings { reporter.message("ptq calibrate: warning: \(warning)") }
            let plan = try PackagePlan(result)
            var inputs = try fingerprints.wait()
            if let saved {
                // The activation files as `ptq observe` fingerprinted them (they need not be here), and the
                // observing config file unless another is given: the manifest equals a direct run's.
                inputs += saved.body.inputs.map { InputFile(role: .activations, path: $0.path, size: $0.size, sha256: $0.sha256) }
            }
            if let config {
                inputs.append(try InputFile(role: .config, hashing: config))
            } else if let configFile = saved?.body.configFile {
                inputs.append(configFile)
            }
            reporter.begin("writing package", unit: .items("tensors"))
            let manifest = try PackageJob.write(
                plan: plan, weights: weights, inputs: inputs, config: try ConfigValue(encoding: settings),
                toolVersion: ptqkitVersion, destination: output, force: force
            ) { done, total, dataset in
                reporter.update(done: done, total: total, detail: dataset)
            }
            reporter.end()
            if json {
                print(Self.json(manifest, output: output, warnings: result.warnings).rendered())
            } else {
                print(PackageSummary.markdown(manifest), terminator: "")
            }
        } catch {
            reporter.end()
            FileHandle.standardError.write(Data("ptq calibrate: \(error)\n".utf8))
            throw ExitCodes.code(for: error)
        }
        if let skipped { throw ExitCodes.code(for: skipped) }
    }

    /// Probes the weights and every activation file in a child process (``FileProbe``) before they are
    /// opened here: the activation files to calibrate from (globs expanded, sorted, each file once), the
    /// first file skipped with --keep-going, and a warning per file given more than once. Weights larger
    /// than `weightLimit` bytes as Float32 are not streamed by the probe: the calibration refuses them.
    ///
    /// - Throws: ``FileProbe/Failure`` for a file that crashes libhdf5 (any activation file that fails
    ///   with --keep-going is skipped instead, unless none is left).
    private func probedInputs(weightLimit: Int) throws -> (files: [String], skipped: (any Error)?, repeated: [String]) {
        if let weights, let crash = FileProbe.check(weights, refuseErrors: false, streamLimit: weightLimit) {
            throw crash
        }
        let (resolved, repeated) = try Calibrator.resolveActivationFiles(activations)
        guard FileProbe.isEnabled else { return (resolved, nil, repeated) }
        var files: [String] = []
        var skipped: (any Error)?
        for path in resolved {
            guard let failure = FileProbe.check(path, refuseErrors: keepGoing) else {
                files.append(path)
                continue
            }
            guard keepGoing else { throw failure }
            FileHandle.standardError.write(Data("ptq calibrate: \(failure) (skipped with --keep-going)\n".utf8))
            skipped = skipped ?? failure
        }
        if let skipped, files.isEmpty { throw skipped }
        return (files, skipped, repeated)
    }

    /// The `--json` result: output path, per-layer figures, warnings.
    static func json(_ manifest: Manifest, output: String, warnings: [String]) -> JSONValue {
        let layers: [JSONValue] = manifest.layers.map { layer in
            var members: [(String, JSONValue)] = [("name", .string(layer.name))]
            members.append(
                ("tensors",
                 .array(layer.tensors.map { t in
                     var fields: [(String, JSONValue)] = [
                         ("dataset", .string(t.dataset)), ("role", .string(t.role)), ("encoding", .string(t.encoding.rawValue)),
                     ]
                     if let q = t.quantization {
                         fields += [("format", .string(q.format)), ("scheme", .string(q.scheme)), ("granularity", .string(q.granularity))]
                     }
                     if let m = t.metrics {
                         fields += [
                             ("sqnr_db", m.sqnrDecibels.map { .number($0) } ?? .null), ("mse", .number(m.mse)),
                             ("max_abs_error", .number(m.maxAbsError)),
                         ]
                     }
                     return .object(fields)
                 })))
            if let a = layer.activation {
                members.append(
                    ("activation",
                     .object([
                         ("format", .string(a.format)), ("scheme", .string(a.scheme)), ("scale", .number(Double(a.scale))),
                         ("zero_point", .int(a.zeroPoint)), ("range", .array([.number(Double(a.rangeMin)), .number(Double(a.rangeMax))])),
                         ("clipping_fraction", .number(a.clippingFraction)),
                     ])))
            }
            return .object(members)
        }
        return .object([
            ("output", .string(output)), ("format_version", .int(manifest.formatVersion)),
            ("layers", .array(layers)), ("warnings", .array(warnings.map { .string($0) })),
        ])
    }
}
