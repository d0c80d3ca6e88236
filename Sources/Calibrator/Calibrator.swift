internal import Foundation
internal import HDF5
public import Observers
internal import QuantCore
public import TensorIO

/// Turns a weights file and recorded activations into per-layer quantization parameters, as a
/// configuration says.
///
/// One pass over every activation dataset: each batch is streamed once (``TensorSource``) through the
/// observer set of every layer that reads that dataset (the configured observer, plus an exact
/// histogram for the `auto` decision and the clipping fraction unless the observer keeps one itself).
/// Weights are observed with the layer's granularity: read whole, or, when larger than 4 × ``weightBlockBytes``
/// or the weight memory budget, streamed in blocks of rows (``WeightBlocks``) with the same results. The result is deterministic: the
/// same inputs and configuration give equal ``CalibrationResult``s, whatever ``threads``, ``batchSize``
/// and ``memoryBudget`` are and in whatever order the activation files are given (they are sorted by path).
///
/// Threads: each activation dataset is streamed through a ``BatchPipeline`` (one reader, ``threads``
/// workers, each with its own copy of the observers of the layers reading the dataset; the copies are
/// merged in worker order at the end). That split needs exact merges (observers declaring
/// ``ExactlyMergeable``): a dataset with any other observer (`moving-average-minmax`, or a user observer
/// that does not declare it) is observed by one worker in read order instead. The final per-layer range
/// searches and the weights are calibrated up to ``threads`` layers at a time, each result placed by
/// layer index.
///
/// ```swift
/// let calibrator = try Calibrator(config: .load(contentsOf: "Configs/int8.yaml"))  // built-in observers
/// let result = try calibrator.calibrate(weights: "weights.h5", activations: ["acts/*.h5"])
/// ```
public struct Calibrator: Sendable {
    /// The configuration.
    public let config: CalibrationConfig
    /// Where observers come from.
    public let observers: any ObserverProvider
    /// How many rows each activation batch holds (default 8 MiB of Float32).
    public var batchSize: TensorSource.BatchSize = .bytes(8 << 20)
    /// Bin budget of the histogram kept beside non-histogram observers.
    public var histogramBins: Int = ExactHistogram.defaultBudget
    /// Worker threads (default: the active processor cores; values below 1 count as 1, values above
    /// ``BatchPipeline/maximumWorkers`` (256) as 256). 1 streams and
    /// calibrates everything on the calling thread; more adds a ``BatchPipeline`` of this many workers
    /// besides the reading thread. The result never depends on it.
    public var threads: Int = ProcessInfo.processInfo.activeProcessorCount
    /// The most bytes of activation batch buffers in memory at once, or `nil` for no cap. A byte
    /// ``batchSize`` is shrunk so that the pipeline's buffers (`threads + 2`, or 1 on one thread) fit;
    /// a dataset whose buffers exceed the budget even with one row each (or with the given row count)
    /// is refused with ``CalibrationError/memoryBudget(dataset:budget:required:)``. It does not cover the
    /// observers' state or libhdf5's chunk cache. A weight larger than the budget (or, when `nil`, a quarter
    /// of the physical memory or of the address-space limit) is streamed in blocks of at most an eighth of
    /// it; one that must be read whole (a bias, an excluded layer's weight, or a weight whose observer is
    /// not ``Observer/mergeIsExact``) and exceeds it is refused with
    /// ``CalibrationError/weightTooLarge(file:dataset:bytes:budget:source:)``.
    public var memoryBudget: Int?
    /// Bytes of Float32 per block of a streamed weight (default 4 MiB): a weight whose Float32 size exceeds
    /// 4 × this (or the weight memory budget) is calibrated and stored in blocks of about this many bytes
    /// of whole rows (``WeightBlocks``), holding a few blocks in memory instead of about 3.5 times the
    /// tensor. The result never depends on it.
    public var weightBlockBytes: Int = 4 << 20
    /// Whether each layer's ``WeightCalibration`` in the result keeps its per-parameter arrays (ranges,
    /// scales, zero points; default true). A caller that stores each layer's tensors as they are handed
    /// over (a package job, where `tensors.h5` holds them) sets it to false: the result then holds
    /// O(layers) instead of O(output channels) memory.
    public var retainsWeightParameters = true
    /// The observers made so far, copied for each tensor.
    let prototypes = ObserverPrototypes()

    /// The largest Float32 size in bytes of a weight or bias tensor this calibrator reads: ``memoryBudget``,
    /// or when `nil` a quarter of the smallest of the physical memory and the address-space and data
    /// limits (see ``CalibrationError/weightTooLarge(file:dataset:bytes:budget:source:)``).
    public var weightMemoryBudget: Int { WeightMemoryBudget(memoryBudget: memoryBudget).bytes }

    /// A calibrator for `config`, checking every observer it names against `observers` (name and options).
    ///
    /// - Throws: ``CalibrationError/config(_:)`` naming the key path of the observer.
    public init(
        config: CalibrationConfig = CalibrationConfig(), observers: any ObserverProvider = ObserverRegistry.builtIn
    ) throws(CalibrationError) {
        do {
            try config.validate(observerNames: observers.observerNames)
            _ = try LayerNaming(config.naming)
        } catch {
            throw .config(error)
        }
        for (spec, path) in config.observerSpecs {
            do {
                _ = try observers.makeObserver(
                    spec, granularity: .perTensor, nonFinite: config.nanPolicy.observerPolicy)
            } catch {
                throw .config(
                    ConfigError(
                        .invalidObserverOptions(observer: spec.name, reason: "\(error)"), at: path + [.key("options")]))
            }
        }
        self.config = config
        self.observers = observers
    }

    /// Calibrates every layer found in `weights` (a file) and `activations` (files or glob patterns
    /// whose files are shards of the same datasets).
    ///
    /// - Parameters:
    ///   - weights: the weights file, if any.
    ///   - activations: activation files or glob patterns (shards of the same datasets).
    ///   - progress: called after each activation batch and each weight, on this thread.
    ///   - tensors: called on this thread with every tensor of the weights file as it is to be stored
    ///     (codes, parameters and their error; float32 values for excluded layers and float biases), layer
    ///     by layer in the result's order, weight before bias, as soon as the layer is calibrated: a
    ///     package writer stores them without reading the weights file again.
    /// - Returns: every layer's parameters and errors.
    /// - Throws: ``CalibrationError``.
    public func calibrate(
        weights: String?, activations: [String], progress: (CalibrationProgress) -> Void = { _ in },
        tensors: (CalibratedTensor) -> Void = { _ in }
    ) throws(CalibrationError) -> CalibrationResult {
        let (activationFiles, repeated) = try Self.resolveActivationFiles(activations)
        let activationDatasets =
            try activationFiles.first.map { (path) throws(CalibrationError) in try Self.datasets(in: path) } ?? []
        var result = try calibrate(
            weights: weights, activationFiles: activationFiles, activationDatasets: activationDatasets,
            progress: progress,
            tensors: tensors
        ) { (layers, policies) throws(CalibrationError) in
            try calibrateActivations(layers: layers, policies: policies, files: activationFiles, progress: progress)
        }
        result.warnings = repeated + result.warnings
        return result
    }

    /// Calibrates every layer of `weights` and of the activation datasets `activationDatasets` (the
    /// datasets of the first activation file), taking the activation records from `activations`
    /// (a streamed pass, or saved statistics).
    func calibrate(
        weights: String?, activationFiles: [String], activationDatasets: [String],
        progress: (CalibrationProgress) -> Void, tensors: (CalibratedTensor) -> Void,
        activations: ([LayerDatasets], [LayerPolicy]) throws(CalibrationError) -> [String: ActivationCalibration]
    ) throws(CalibrationError) -> CalibrationResult {
        guard weights != nil || !activationFiles.isEmpty else {
            throw .noInputs("give a weights file, activation files, or both")
        }
        let weightDatasets = try weights.map { (path) throws(CalibrationError) in try Self.datasets(in: path) } ?? []
        let (layout, map) = try layoutMap(
            weights: weights, weightDatasets: weightDatasets, activationDatasets: activationDatasets,
            activationFiles: activationFiles)
        guard !map.layers.isEmpty else {
            // An empty package helps no one: say which files had nothing (usually a naming problem).
            let files = (weights.map { [$0] } ?? []) + activationFiles
            throw .noInputs("no dataset of \(files.joined(separator: ", ")) maps to a layer (see the naming section)")
        }
        var warnings = map.warnings.map(\.description)
        let notes = layout?.tensors.values.compactMap { t in t.axisNote.map { "layer \(t.layer): \($0)" } } ?? []
        warnings += notes.sorted()
        let policies = map.layers.map { config.policy(for: $0.layer) }
        try Self.checkFormats(policies)
        try Self.checkSmoothing(policies)

        let activationRecords: [String: ActivationCalibration]
        do {
            activationRecords = try activations(map.layers, policies)
        } catch {
            throw error.located(weights: nil, activations: activationFiles)
        }
        let entries = map.layers
        // Weights are read on the worker threads: only with a thread-safe libhdf5.
        let layerThreads = HDF5Library.isThreadSafe ? threads : 1
        // Each layer's tensors wait here from its worker until this thread hands them on in layer order.
        let handoff = TensorHandoff()
        // Progress of the weights phase in tensors (weights and biases, stored or passed through as float32).
        func tensorCount(_ entry: LayerDatasets) -> Int { (entry.weight == nil ? 0 : 1) + (entry.bias == nil ? 0 : 1) }
        let weightTotal = weights == nil ? 0 : entries.reduce(0) { $0 + tensorCount($1) }
        var weightsDone = 0
        let weightsFile: WeightsFile?
        do {
            weightsFile = try weights.map { (path) throws(HDF5Error) in try WeightsFile(path) }
        } catch {
            throw CalibrationError.input(.hdf5(error)).located(weights: weights, activations: [])
        }
        let layers = try ParallelJobs.run(
            count: entries.count, threads: layerThreads,
            done: { index in
                if weights != nil, let dataset = entries[index].weight ?? entries[index].bias {
                    weightsDone += tensorCount(entries[index])
                    progress(
                        CalibrationProgress(
                            phase: .weights, dataset: dataset, phaseDone: weightsDone, phaseTotal: weightTotal))
                }
                handoff.take(index).forEach(tensors)
            }
        ) { (index) throws(CalibrationError) in
            let entry = entries[index]
            let policy = policies[index]
            var record = LayerCalibration(layer: entry.layer, datasets: entry, policy: policy)
            var stored: [CalibratedTensor] = []
            do throws(CalibrationError) {
                if policy.excluded {
                    guard let weightsFile else { return record }
                    stored = try excludedTensors(of: entry, file: weightsFile, layout: layout)
                    handoff.put(index, stored)
                    return record
                }
                record.activation = activationRecords[entry.layer]
                if let weightsFile {
                    stored = try calibrateTensors(of: entry, file: weightsFile, layout: layout, record: &record)
                }
                if policy.weights.smoothing != nil, let input = record.activation, input.smoothing == nil {
                    // the smoothed input's parameters need s, which only the layer's weight matrix gives
                    throw CalibrationError.weightMethod(
                        layer: entry.layer, dataset: entry.weight ?? input.dataset,
                        reason: "smoothing needs the layer's weight matrix; none was calibrated with the input")
                }
            } catch {
                throw error.located(weights: weights, activations: [])
            }
            handoff.put(index, stored)
            // After the layer's bias, which needed the weight's scales.
            if !retainsWeightParameters { record.weight?.releaseParameterArrays() }
            return record
        }
        warnings += layers.flatMap(\.warnings)
        return CalibrationResult(
            formatVersion: CalibrationResult.formatVersion,
            inputs: CalibrationResult.Inputs(weights: weights, activations: activationFiles), config: config,
            layers: layers, warnings: warnings, layout: layout?.summary)
    }

    /// The activation files a calibration of `arguments` reads (glob patterns expanded), sorted by path
    /// in byte order as ``ShardPlan`` sorts them, so a calibration does not depend on the order of its
    /// arguments.
    ///
    /// - Throws: ``CalibrationError/input(_:)`` when a pattern matches nothing.
    public static func activationFiles(_ arguments: [String]) throws(CalibrationError) -> [String] {
        try resolveActivationFiles(arguments).files
    }

    /// ``activationFiles(_:)`` with a warning for each file given more than once: the same path twice
    /// (an argument repeated, or matched by two patterns) or two paths of one file (same device and
    /// inode: a symbolic or hard link, `./a.h5` and `a.h5`). Each file is read once, under the first of
    /// its paths in byte order: its rows are not counted twice.
    ///
    /// - Throws: ``CalibrationError/input(_:)`` when a pattern matches nothing.
    public static func resolveActivationFiles(
        _ arguments: [String]
    ) throws(CalibrationError) -> (files: [String], warnings: [String]) {
        var files: [String] = []
        for argument in arguments {
            if ShardGlob.isPattern(argument) {
                let matches = ShardGlob.paths(matching: argument)
                guard !matches.isEmpty else { throw .input(.noFilesMatch(pattern: argument)) }
                files += matches
            } else {
                files.append(argument)
            }
        }
        files.sort { Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8)) }
        var kept: [String] = []
        var warnings: [String] = []
        var seen: [FileIdentity: String] = [:]
        for path in files {
            let identity = FileIdentity(path)
            if let first = seen[identity] {
                warnings.append(
                    first == path
                        ? "activation file \(path) is given more than once: it is read once"
                        : "activation files \(first) and \(path) are the same file: it is read once, as \(first)")
                continue
            }
            seen[identity] = path
            kept.append(path)
        }
        return (kept, warnings)
    }

    /// Paths of every dataset in the file at `path`, in the walk's order, those behind external links
    /// included (they are read through the link like any dataset).
    ///
    /// - Throws: ``CalibrationError/input(_:)`` with `.objectNotFound` for a dangling external link (naming
    ///   the file, the link and its missing target), `.wrongObjectType` for one to a group.
    static func datasets(in path: String) throws(CalibrationError) -> [String] {
        try linkedDatasets(in: path).map(\.path)
    }

    /// The files that datasets of the HDF5 file at `path` live in through external links, each once, in
    /// the walk's order, as libhdf5 resolved them: inputs to fingerprint beside `path` itself.
    public static func linkedFiles(in path: String) throws(CalibrationError) -> [String] {
        var seen: Set<String> = []
        return try linkedDatasets(in: path).compactMap(\.linkedFile).filter { seen.insert($0).inserted }
    }

    /// Every dataset of the file at `path` with the file an external link led to (`nil` for its own).
    private static func linkedDatasets(
        in path: String
    ) throws(CalibrationError) -> [(path: String, linkedFile: String?)] {
        do throws(HDF5Error) {
            let file = try File(path)
            var datasets: [(path: String, linkedFile: String?)] = []
            for entry in try file.walk() {
                switch entry.kind {
                case .dataset: datasets.append((entry.path, nil))
                case .externalLink: datasets.append((entry.path, try file.linkedDatasetFile(entry.path)))
                default: continue
                }
            }
            return datasets
        } catch {
            throw .input(.hdf5(error))
        }
    }
}

/// Where a calibration is (for progress displays).
public struct CalibrationProgress: Sendable, Hashable {
    /// The phase.
    public enum Phase: String, Sendable, Hashable {
        /// Streaming activation datasets through the observers.
        case activations
        /// Calibrating weights.
        case weights
    }

    /// The phase.
    public var phase: Phase
    /// The dataset being processed.
    public var dataset: String
    /// Bytes of Float32 processed so far in this dataset (activations).
    public var bytesDone: Int = 0
    /// Bytes of Float32 in the dataset (activations).
    public var bytesTotal: Int = 0
    /// Done so far in the whole phase: bytes of Float32 over all activation datasets, or weight tensors
    /// calibrated. Never above ``phaseTotal``; equal to it after the phase's last report.
    public var phaseDone: Int = 0
    /// The whole phase: bytes of Float32 of every activation dataset streamed, or the weight tensors to
    /// calibrate (0: unknown).
    public var phaseTotal: Int = 0

    /// A report of `dataset` in `phase`.
    public init(
        phase: Phase, dataset: String, bytesDone: Int = 0, bytesTotal: Int = 0, phaseDone: Int = 0, phaseTotal: Int = 0
    ) {
        self.phase = phase
        self.dataset = dataset
        self.bytesDone = bytesDone
        self.bytesTotal = bytesTotal
        self.phaseDone = phaseDone
        self.phaseTotal = phaseTotal
    }
}

extension NaNPolicy {
    /// The observers' policy of the same meaning.
    public var observerPolicy: NonFinitePolicy {
        switch self {
        case .skip: .skip
        case .error: .error
        }
    }
}

extension LayerCalibration {
    /// Creates the record of a layer before its tensors are calibrated.
    init(layer: String, datasets: LayerDatasets, policy: LayerPolicy) {
        self.init(layer: layer, datasets: datasets, policy: policy, activation: nil, weight: nil, bias: nil)
    }

    /// Degenerate ranges, as warning lines.
    var warnings: [String] {
        var lines: [String] = []
        if let degenerate = activation?.degenerate {
            lines.append("layer \(layer): activation range is degenerate (\(degenerate.rawValue))")
        }
        if let counts = weight?.counts, counts.nonFinite > 0 {
            // Left out of the ranges (nan-policy: skip); the manifest's tensor record counts them too.
            lines.append(
                "layer \(layer): weight \(datasets.weight ?? "") has \(counts.nonFinite) non-finite of \(counts.total) "
                    + "elements (NaN \(counts.nan), +Inf \(counts.positiveInfinity), -Inf \(counts.negativeInfinity)), "
                    + "left out of its ranges")
        }
        if let weight, !weight.degenerateRanges.isEmpty {
            lines.append(
                "layer \(layer): \(weight.degenerateRanges.count) of \(weight.parameterCount) weight ranges "
                    + "are degenerate (first: \(weight.degenerateRanges[0]))")
        }
        return lines
    }
}
