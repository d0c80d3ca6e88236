public import Calibrator
import Foundation
import JSON
public import Observers
import PTQStats
public import PackageFormat
import PackageWriter

/// One calibration from inputs to a written model package: what `ptq calibrate` does, as a library call.
///
/// ```swift
/// var job = CalibrationJob(output: "out/pkg")
/// job.inputs = CalibrationJob.Inputs(weights: "weights.h5", activations: ["acts/*.h5"], config: "int8.yaml")
/// let result = try job.run { event in print(event) }
/// print(result.json.rendered())
/// ```
///
/// The steps, in order: refuse an existing output (unless ``force``); read the saved statistics
/// (``Inputs/statistics``, which must cover every shard or record the missing ones); load the
/// configuration (the given file, else the statistics', else the defaults); probe every HDF5 input in a
/// child process (``Options/probe``; with ``Options/keepGoing`` an activation file that fails is skipped);
/// fingerprint the inputs (XXH3-128 unless ``Options/fingerprint`` says otherwise; in the background while
/// the calibration runs when it has several threads); calibrate, storing each tensor in the package as the
/// calibrator hands over its codes (``PackageJob``: the weights are read once); write the manifest and move
/// the package into place
/// atomically. Nothing is left at ``output`` on failure. The result is independent of the thread count,
/// the batch size and the memory budget.
public struct CalibrationJob: Sendable {
    /// What the job reads.
    public struct Inputs: Sendable, Hashable {
        /// The weights file (HDF5).
        public var weights: String?
        /// Activation files or glob patterns (shards of the same datasets).
        public var activations: [String]
        /// A statistics file (`.ptqstats`) to calibrate from instead of ``activations``.
        public var statistics: String?
        /// The configuration file (YAML or JSON).
        public var config: String?

        /// Creates the inputs.
        public init(
            weights: String? = nil, activations: [String] = [], statistics: String? = nil, config: String? = nil
        ) {
            self.weights = weights
            self.activations = activations
            self.statistics = statistics
            self.config = config
        }
    }

    /// How the job runs; none of these changes the package.
    public struct Options: Sendable {
        /// Worker threads (`nil`: the active processor cores).
        public var threads: Int?
        /// Cap on activation batch buffers in bytes (see ``Calibrator/memoryBudget``).
        public var memoryBudget: Int?
        /// Rows per activation batch (`nil`: as many as fit in 8 MiB and in the budget).
        public var batchRows: Int?
        /// Skip activation files the probe cannot read instead of stopping (see ``CalibrationJobResult/skipped``).
        public var keepGoing: Bool
        /// The crash probe run on each HDF5 input before it is opened here; `nil`: no probing.
        public var probe: FileProbe?
        /// Hash the inputs on a background thread while calibrating (`nil`: when more than one thread).
        public var fingerprintInBackground: Bool?
        /// The hash recorded for each input in the manifest (`nil`: sizes only, `--fingerprint none`), and for
        /// the package's own `tensors.h5` and skeleton (XXH3-128 when `nil`).
        public var fingerprint: Fingerprint.Algorithm?

        /// Creates options.
        public init(
            threads: Int? = nil, memoryBudget: Int? = nil, batchRows: Int? = nil, keepGoing: Bool = false,
            probe: FileProbe? = nil, fingerprintInBackground: Bool? = nil, fingerprint: Fingerprint.Algorithm? = .xxh3
        ) {
            self.threads = threads
            self.memoryBudget = memoryBudget
            self.batchRows = batchRows
            self.keepGoing = keepGoing
            self.probe = probe
            self.fingerprintInBackground = fingerprintInBackground
            self.fingerprint = fingerprint
        }

        /// `calibrator` with these options applied.
        public func configure(_ calibrator: Calibrator) -> Calibrator {
            var configured = calibrator
            if let threads { configured.threads = threads }
            configured.memoryBudget = memoryBudget
            if let batchRows { configured.batchSize = .rows(batchRows) }
            return configured
        }
    }

    /// The inputs.
    public var inputs: Inputs
    /// The package directory to create.
    public var output: String
    /// Replace an existing package at ``output`` (kept until the new one is complete).
    public var force: Bool
    /// Run options.
    public var options: Options
    /// The observers configurations may name (built-in plus any a user's package registers).
    public var observers: ObserverRegistry
    /// The PTQKit version recorded in the manifest.
    public var toolVersion: String
    /// Set from any thread to stop the job at its next check (before each probe, before calibrating,
    /// before writing); the job then throws ``CalibrationJobError/cancelled``.
    public let cancellation: CancellationFlag

    /// Creates a job writing `output`.
    public init(
        inputs: Inputs = Inputs(), output: String, force: Bool = false, options: Options = Options(),
        observers: ObserverRegistry = .builtIn, toolVersion: String = ptqkitVersion,
        cancellation: CancellationFlag = CancellationFlag()
    ) {
        self.inputs = inputs
        self.output = output
        self.force = force
        self.options = options
        self.observers = observers
        self.toolVersion = toolVersion
        self.cancellation = cancellation
    }

    /// Runs the job, reporting ``Event``s to `events` on the calling thread.
    ///
    /// - Returns: the result (what `ptq calibrate --json` prints) and any file skipped with
    ///   ``Options/keepGoing``.
    /// - Throws: ``CalibrationJobError``: the first failure (or ``CalibrationJobError/cancelled``).
    public func run(events: (Event) -> Void = { _ in }) throws(CalibrationJobError) -> CalibrationJobResult {
        var fingerprints: InputFingerprints?
        do {
            return try run(events: events) { fingerprints = $0 }
        } catch {
            // An input truncated (or rewritten) after the run started: that is the cause, not a damaged file.
            if let resized = fingerprints?.resizedInput() { throw .package(.hdf5(resized)) }
            throw error
        }
    }

    /// The job's steps; `started` receives the fingerprinting of the inputs when it starts.
    private func run(
        events: (Event) -> Void, started: (InputFingerprints) -> Void
    ) throws(CalibrationJobError) -> CalibrationJobResult {
        // Refuse an existing output before spending time on the calibration (checked again when writing):
        // with force, only a PTQKit package that holds none of the inputs is replaced.
        let readPaths = [inputs.weights, inputs.statistics, inputs.config].compactMap { $0 } + inputs.activations
        do throws(PackageError) {
            try PackageBuilder.replacementRule(force: force, inputs: readPaths).check(output, isDirectory: true)
        } catch {
            throw .package(error)
        }
        let saved = try inputs.statistics.map { (path) throws(CalibrationJobError) in
            try CalibrationJobError.wrap { () throws(StatisticsFileError) in
                try StatisticsFile.readComplete(path, registry: observers)
            }
        }
        let settings =
            try inputs.config.map { (path) throws(CalibrationJobError) in
                try CalibrationJobError.wrap { () throws(ConfigError) in
                    try CalibrationConfig.load(contentsOf: path, observerNames: observers.names)
                }
            } ?? saved?.body.config ?? CalibrationConfig()
        let calibrator = try CalibrationJobError.wrap { () throws(CalibrationError) in
            var calibrator = options.configure(try Calibrator(config: settings, observers: observers))
            // The package holds every parameter (stored as each layer is handed over): the result keeps no
            // per-channel weight arrays.
            calibrator.retainsWeightParameters = false
            return calibrator
        }
        // Each HDF5 input is read by a child process first (crash isolation); keep-going drops failures.
        try probeWeights(limit: calibrator.weightMemoryBudget)
        let (all, repeated) = try CalibrationJobError.wrap { () throws(CalibrationError) in
            try Calibrator.resolveActivationFiles(inputs.activations)
        }
        // The inputs are fingerprinted while the activation files are probed and the calibration runs (on its
        // own thread unless one thread; hashing reads bytes, not libhdf5): the probes' time overlaps it.
        let fingerprints = InputFingerprints(
            (inputs.weights.map { [(InputFile.Role.weights, $0)] } ?? [])
                + (saved == nil ? all : []).map { (.activations, $0) },
            algorithm: options.fingerprint, concurrently: options.fingerprintInBackground ?? (calibrator.threads > 1))
        started(fingerprints)
        let (probed, skipped) = try probedActivationFiles(all, events: events)
        let activationFiles = saved == nil ? probed : []
        // Files the probe skipped are not inputs of the package: their fingerprints (or failures) are dropped.
        let kept = Set(probed)
        fingerprints.exclude { role, path in role == .activations && !kept.contains(path) }
        try checkCancellation()
        // The package is written while the calibration runs: each tensor as the calibrator hands it over.
        var writer: PackageJob
        do { writer = try PackageJob(destination: output, force: force, inputs: readPaths + probed) } catch {
            throw .package(error)
        }
        var writeFailure: PackageError?
        let calibrated = try calibrate(
            calibrator, saved: saved, activationFiles: activationFiles, events: events
        ) { tensor in
            guard writeFailure == nil else { return }
            do throws(PackageError) { try writer.store(tensor) } catch { writeFailure = error }
        }
        if let writeFailure { throw .package(writeFailure) }
        var result = calibrated
        result.warnings = repeated + result.warnings
        for warning in result.warnings { events(.warning(warning)) }
        let plan = PackagePlan(result)
        var recorded = try CalibrationJobError.wrap { () throws(PackageError) in try fingerprints.wait() }
        // Datasets behind external links are inputs too: their files are fingerprinted after the linking file.
        let read: [(InputFile.Role, String)] =
            (inputs.weights.map { [(.weights, $0)] } ?? []) + activationFiles.map { (.activations, $0) }
        for (role, file) in read {
            let linked = try CalibrationJobError.wrap { () throws(CalibrationError) in
                try Calibrator.linkedFiles(in: file)
            }
            for path in linked {
                recorded.append(
                    try CalibrationJobError.wrap { () throws(PackageError) in
                        try InputFile(role: role, hashing: path, algorithm: options.fingerprint)
                    }
                )
            }
        }
        if let saved {
            // The activation files as `ptq observe` fingerprinted them (they need not be here), and the
            // observing config file unless another is given: the manifest equals a direct run's.
            recorded += saved.body.inputs.map {
                InputFile(role: .activations, path: $0.path, size: $0.size, fingerprint: $0.fingerprint)
            }
        }
        if let config = inputs.config {
            recorded.append(
                try CalibrationJobError.wrap { () throws(PackageError) in
                    try InputFile(role: .config, hashing: config, algorithm: options.fingerprint)
                })
        } else if let configFile = saved?.body.configFile {
            recorded.append(configFile)
        }
        try checkCancellation()
        events(.phase(.writing))
        let config: JSONValue
        do { config = try JSONValue(encoding: settings) } catch { throw .unencodable("the configuration: \(error)") }
        let manifest: Manifest
        do throws(PackageError) {
            // The package's own files are hashed like the inputs (XXH3-128 also under `--fingerprint none`:
            // a package is always checkable).
            manifest = try writer.finish(
                plan: plan, inputs: recorded, config: config, toolVersion: toolVersion, skeletonOf: inputs.weights,
                digest: options.fingerprint ?? .xxh3)
        } catch {
            throw .package(error)
        }
        return CalibrationJobResult(output: output, manifest: manifest, warnings: result.warnings, skipped: skipped)
    }

    /// The calibration from activation files, or from the saved statistics.
    private func calibrate(
        _ calibrator: Calibrator, saved: StatisticsFile?, activationFiles: [String], events: (Event) -> Void,
        tensors: (CalibratedTensor) -> Void
    ) throws(CalibrationJobError) -> CalibrationResult {
        var phase: CalibrationProgress.Phase?
        func progress(_ progress: CalibrationProgress) {
            if progress.phase != phase {
                phase = progress.phase
                events(.phase(progress.phase == .activations ? .activations : .weights))
            }
            events(.progress(done: progress.phaseDone, total: progress.phaseTotal, detail: progress.dataset))
        }
        return try CalibrationJobError.wrap { () throws(CalibrationError) in
            if let saved {
                if !saved.body.missingShards.isEmpty {
                    let missing = saved.body.missingShards.map(String.init).joined(separator: ", ")
                    events(.warning("the statistics lack shards \(missing)"))
                }
                return try calibrator.calibrate(
                    weights: inputs.weights, activationFiles: saved.body.plan.files.map(\.path),
                    statistics: saved.body.statistics, progress: progress, tensors: tensors)
            }
            return try calibrator.calibrate(
                weights: inputs.weights, activations: activationFiles, progress: progress, tensors: tensors)
        }
    }

    /// Probes the weights file in a child process (``FileProbe``) before it is opened here. Weights larger
    /// than `limit` bytes as Float32 are not streamed by the probe: the calibration refuses them.
    private func probeWeights(limit: Int) throws(CalibrationJobError) {
        if let weights = inputs.weights,
            let crash = options.probe?.check(weights, refuseErrors: false, streamLimit: limit)
        {
            throw .probe(crash)
        }
    }

    /// Probes every activation file of `all` (globs expanded, sorted, each file once) in a child process
    /// (``FileProbe``) before it is opened here: the files to calibrate from and the files skipped with
    /// ``Options/keepGoing``.
    private func probedActivationFiles(
        _ all: [String], events: (Event) -> Void
    ) throws(CalibrationJobError) -> ([String], [FileProbe.Failure]) {
        guard let probe = options.probe else { return (all, []) }
        var files: [String] = []
        var skipped: [FileProbe.Failure] = []
        for path in all {
            try checkCancellation()
            guard let failure = probe.check(path, refuseErrors: options.keepGoing) else {
                files.append(path)
                continue
            }
            guard options.keepGoing else { throw .probe(failure) }
            events(.skipped(failure))
            skipped.append(failure)
        }
        if let first = skipped.first, files.isEmpty { throw .probe(first) }
        return (files, skipped)
    }

    private func checkCancellation() throws(CalibrationJobError) {
        if cancellation.isCancelled { throw .cancelled }
    }
}
