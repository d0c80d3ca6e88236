internal import Observers
public import TensorIO

extension Calibrator {
    /// The activation datasets a calibration of `files` reads, in the order they are observed, and
    /// every dataset of the first file (what layer naming sees).
    ///
    /// - Throws: ``CalibrationError`` for unreadable files or ambiguous naming.
    public func activationDatasets(files: [String]) throws(CalibrationError) -> (observed: [String], all: [String]) {
        let all = try files.first.map { (path) throws(CalibrationError) in try Self.datasets(in: path) } ?? []
        let (layers, policies) = try activationLayers(datasets: all)
        var observed: [String] = []
        for (entry, policy) in zip(layers, policies) where !policy.excluded {
            if let dataset = entry.activation, !observed.contains(dataset) { observed.append(dataset) }
        }
        return (observed, all)
    }

    /// Observes the rows of `segments` (one shard of a ``ShardPlan`` over `files`, which lists every
    /// activation file so datasets without rows in this shard still get their row shape) and returns
    /// the observers' states. `allDatasets` is ``activationDatasets(files:)``'s `all`.
    ///
    /// - Throws: ``CalibrationError``.
    public func observe(
        segments: [ShardPlan.Segment], files: [String], allDatasets: [String],
        progress: (CalibrationProgress) -> Void = { _ in }
    ) throws(CalibrationError) -> ActivationStatistics {
        guard let firstFile = files.first else { throw .noInputs("no activation files") }
        let (layers, policies) = try activationLayers(datasets: allDatasets)
        try Self.checkSmoothing(policies)  // what a smoothed input observes depends on it
        let observed = try observeActivations(layers: layers, policies: policies, progress: progress) {
            (dataset, batch) throws(TensorIOError) in
            let mine = segments.filter { $0.dataset == dataset }.map { (file: $0.file, rows: Optional($0.rows)) }
            return try TensorSource(
                segments: mine.isEmpty ? [(firstFile, 0..<0)] : mine, dataset: dataset, batch: batch)
        }
        return ActivationStatistics(
            datasets: allDatasets,
            layers: observed.map {
                ActivationStatistics.Layer(
                    layer: $0.observers.layer, dataset: $0.dataset, rows: $0.rows, rowShape: $0.rowShape,
                    observer: $0.observers.settings.observer, primary: AnyObserver($0.observers.primary),
                    histogram: $0.observers.histogram.map { AnyObserver($0) }, moments: $0.observers.moments)
            })
    }

    /// Calibrates every layer of `weights` and of the activations described by `statistics`, without
    /// reading activation data. This calibrator's configuration may differ from the one that observed
    /// (another observer method or bit width): each layer's observer is restored from a saved state of
    /// the same kind (a histogram serves `histogram`, `percentile`, `mse` and `entropy`).
    ///
    /// - Parameters:
    ///   - weights: the weights file, if any.
    ///   - activationFiles: the activation files the statistics cover, as recorded.
    ///   - statistics: the saved observer states, one per activation layer.
    ///   - progress: called on this thread as the calibration advances.
    ///   - tensors: called on this thread with every tensor of the weights file as it is to be stored
    ///     (see ``calibrate(weights:activations:progress:tensors:)``).
    /// - Returns: every layer's parameters and errors.
    /// - Throws: ``CalibrationError``, naming the layer whose statistics cannot serve its observer.
    public func calibrate(
        weights: String?, activationFiles: [String], statistics: ActivationStatistics,
        progress: (CalibrationProgress) -> Void = { _ in }, tensors: (CalibratedTensor) -> Void = { _ in }
    ) throws(CalibrationError) -> CalibrationResult {
        try calibrate(
            weights: weights, activationFiles: activationFiles, activationDatasets: statistics.datasets,
            progress: progress,
            tensors: tensors
        ) { (layers, policies) throws(CalibrationError) in
            var restored: [ObservedActivation] = []
            for (entry, policy) in zip(layers, policies) where !policy.excluded {
                guard let dataset = entry.activation else { continue }
                guard let saved = statistics.layers.first(where: { $0.layer == entry.layer && $0.dataset == dataset })
                else {
                    throw .observer(
                        layer: entry.layer, dataset: dataset, reason: "the statistics hold no state for this layer")
                }
                var observers = try makeActivationObservers(
                    layer: entry.layer, dataset: dataset, settings: policy.activations,
                    smoothed: policy.weights.smoothing != nil)
                observers.moments = try Self.restoredMoments(
                    saved.moments, level: policy.inputMomentsLevel, layer: entry.layer, dataset: dataset)
                if let moments = observers.moments {
                    let (_, features) = try Self.momentsAxis(
                        policy.activations, rowShape: saved.rowShape, layer: entry.layer, dataset: dataset)
                    guard features == moments.features else {
                        throw .observer(
                            layer: entry.layer, dataset: dataset,
                            reason: "the statistics hold input moments of \(moments.features) features; this "
                                + "configuration's feature axis has \(features) (observe again with its axis)")
                    }
                }
                let states = [saved.primary.base] + (saved.histogram.map { [$0.base] } ?? [])
                do {
                    observers.primary = try Self.adopt(observers.primary, from: states, layer: entry.layer)
                    if let histogram = observers.histogram {
                        observers.histogram = try Self.adopt(histogram, from: states.reversed(), layer: entry.layer)
                    }
                } catch {
                    // A smoothed input observes each feature's min and max; statistics observed without smoothing
                    // hold the per-tensor range only, which says nothing of X·diag(s)⁻¹.
                    let hint =
                        policy.weights.smoothing != nil
                        ? " (this layer is smoothed, which needs each input feature's min and max: observe again "
                            + "with the same configuration's smoothing)" : ""
                    throw .observer(layer: entry.layer, dataset: dataset, reason: "\(error)\(hint)")
                }
                restored.append(
                    ObservedActivation(
                        observers: observers, dataset: dataset, rows: saved.rows, rowShape: saved.rowShape))
            }
            return try finishAll(restored)
        }
    }

    /// The saved moments serving a layer that collects `level`: `nil` for `.none`; the saved state, or for
    /// `.perFeature` from a `.gram` state the same state without its Gram matrix.
    ///
    /// - Throws: ``CalibrationError/observer(layer:dataset:reason:)`` when the statistics hold less than `level`.
    static func restoredMoments(
        _ saved: InputMomentsAccumulator?, level: InputMomentsLevel, layer: String, dataset: String
    ) throws(CalibrationError) -> InputMomentsAccumulator? {
        guard level != .none else { return nil }
        guard let saved, saved.level >= level else {
            throw .observer(
                layer: layer, dataset: dataset,
                reason: "the configuration asks for input moments '\(level.rawValue)' but the statistics hold "
                    + (saved.map { "only '\($0.level.rawValue)'" } ?? "none")
                    + " (observe again with activations: moments: \(level.rawValue))")
        }
        return saved.level == level ? saved : saved.withoutGram()
    }

    /// `fresh`'s options with the state of the first saved observer of the same type.
    static func adopt<O: Observer>(_ fresh: O, from saved: [any Observer], layer: String) throws -> O {
        guard let match = saved.first(where: { $0 is O }), let persistent = fresh as? any PersistentObserver,
            let adopted = try persistent.adoptingState(of: match) as? O
        else {
            throw StatisticsMismatch(
                reason: "observer kind '\(O.kind)' cannot be restored from saved kinds "
                    + saved.map { "'\(type(of: $0).kind)'" }.joined(separator: ", "))
        }
        return adopted
    }

    /// The layers of the activation `datasets` and their policies.
    func activationLayers(datasets: [String]) throws(CalibrationError) -> ([LayerDatasets], [LayerPolicy]) {
        let naming: LayerNaming
        let map: LayerMap
        do {
            naming = try LayerNaming(config.naming)
        } catch {
            throw .config(error)
        }
        do {
            map = try naming.map(weights: [], activations: datasets)
        } catch {
            throw .naming(error)
        }
        return (map.layers, map.layers.map { config.policy(for: $0.layer) })
    }
}

/// Saved statistics that cannot serve a configured observer.
struct StatisticsMismatch: Error, CustomStringConvertible {
    var reason: String
    var description: String { reason }
}
