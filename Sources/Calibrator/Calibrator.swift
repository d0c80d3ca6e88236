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
/// Weights are read whole and observed with the layer's granularity. The result is deterministic: the
/// same inputs and configuration give equal ``CalibrationResult``s, whatever ``threads``, ``batchSize``
/// and ``memoryBudget`` are and in whatever order the activation files are given (they are sorted by path).
///
/// Threads: each activation dataset is streamed through a ``BatchPipeline`` (one reader, ``threads``
/// workers, each with its own copy of the observers of the layers reading the dataset; the copies are
/// merged in worker order at the end). That split needs exact merges (``Observer/mergeIsExact``): a
/// dataset with any observer whose merge is not exact (`moving-average-minmax`, or a user observer that
/// says so) is observed by one worker in read order instead. The final per-layer range searches and the
/// weights are calibrated up to ``threads`` layers at a time, each result placed by layer index.
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
    /// observers' state or libhdf5's chunk cache. Weights are read whole (one per thread): a weight or bias
    /// whose Float32 size exceeds the budget (or, when `nil`, a quarter of the physical memory or of the
    /// address-space limit) is refused with ``CalibrationError/weightTooLarge(file:dataset:bytes:budget:source:)``.
    public var memoryBudget: Int?

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
                _ = try observers.makeObserver(spec, granularity: .perTensor, nonFinite: config.nanPolicy.observerPolicy)
            } catch {
                throw .config(
                    ConfigError(.invalidObserverOptions(observer: spec.name, reason: "\(error)"), at: path + [.key("options")]))
            }
        }
        self.config = config
        self.observers = observers
    }

    /// Calibrates every layer found in `weights` (a file) and `activations` (files or glob patterns
    /// whose files are shards of the same datasets).
    ///
    /// - Parameter progress: called after each activation batch and each weight, on this thread.
    /// - Throws: ``CalibrationError``.
    public func calibrate(
        weights: String?, activations: [String], progress: (CalibrationProgress) -> Void = { _ in }
    ) throws(CalibrationError) -> CalibrationResult {
        let (activationFiles, repeated) = try Self.resolveActivationFiles(activations)
        let activationDatasets = try activationFiles.first.map { (path) throws(CalibrationError) in try Self.datasets(in: path) } ?? []
        var result = try calibrate(
            weights: weights, activationFiles: activationFiles, activationDatasets: activationDatasets, progress: progress
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
        progress: (CalibrationProgress) -> Void,
        activations: ([LayerDatasets], [LayerPolicy]) throws(CalibrationError) -> [String: ActivationCalibration]
    ) throws(CalibrationError) -> CalibrationResult {
        guard weights != nil || !activationFiles.isEmpty else {
            throw .noInputs("give a weights file, activation files, or both")
        }
        let weightDatasets = try weights.map { (path) throws(CalibrationError) in try Self.datasets(in: path) } ?? []
        let naming: LayerNaming
        let map: LayerMap
        do {
            naming = try LayerNaming(config.naming)
        } catch {
            throw .config(error)
        }
        do {
            map = try naming.map(weights: weightDatasets, activations: activationDatasets)
        } catch {
            throw CalibrationError.naming(error).located(weights: weights, activations: activationFiles)
        }
        guard !map.layers.isEmpty else {
            // An empty package helps no one: say which files had nothing (usually a naming problem).
            let files = (weights.map { [$0] } ?? []) + activationFiles
            throw .noInputs("no dataset of \(files.joined(separator: ", ")) maps to a layer (see the naming section)")
        }
        var warnings = map.warnings.map(\.description)
        let policies = map.layers.map { config.policy(for: $0.layer) }

        let activationRecords: [String: ActivationCalibration]
        do {
            activationRecords = try activations(map.layers, policies)
        } catch {
            throw error.located(weights: nil, activations: activationFiles)
        }
        let entries = map.layers
        // Weights are read on the worker threads: only with a thread-safe libhdf5.
        let layerThreads = HDF5Library.isThreadSafe ? threads : 1
        let layers = try ParallelJobs.run(
            count: entries.count, threads: layerThreads,
            done: { index in
                if weights != nil, !policies[index].excluded, let dataset = entries[index].weight {
                    progress(CalibrationProgress(phase: .weights, dataset: dataset))
                }
            }
        ) { (index) throws(CalibrationError) in
            let entry = entries[index], policy = policies[index]
            var record = LayerCalibration(layer: entry.layer, datasets: entry, policy: policy)
            guard !policy.excluded else { return record }
            record.activation = activationRecords[entry.layer]
            do throws(CalibrationError) {
                if let weights, let dataset = entry.weight {
                    record.weight = try calibrateWeight(layer: entry.layer, file: weights, dataset: dataset, settings: policy.weights)
                }
                if let weights, let dataset = entry.bias {
                    record.bias = try calibrateBias(
                        layer: entry.layer, file: weights, dataset: dataset, weight: record.weight, input: record.activation)
                }
            } catch {
                throw error.located(weights: weights, activations: [])
            }
            return record
        }
        warnings += layers.flatMap(\.warnings)
        return CalibrationResult(
            formatVersion: CalibrationResult.formatVersion,
            inputs: CalibrationResult.Inputs(weights: weights, activations: activationFiles), config: config,
            layers: layers, warnings: warnings)
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

    /// Paths of every dataset in the file at `path`, in the walk's order.
    static func datasets(in path: String) throws(CalibrationError) -> [String] {
        do {
            let file = try File(path)
            return try file.walk().filter { $0.kind == .dataset }.map(\.path)
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
        if let weight, !weight.degenerateRanges.isEmpty {
            lines.append(
                "layer \(layer): \(weight.degenerateRanges.count) of \(weight.scales.count) weight ranges are degenerate "
                    + "(first: \(weight.degenerateRanges[0]))")
        }
        return lines
    }
}
