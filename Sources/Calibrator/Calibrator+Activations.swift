internal import Observers
internal import QuantCore
internal import TensorIO

/// One layer's observers after streaming its activation dataset.
struct ObservedActivation: Sendable {
    var observers: ActivationObservers
    var dataset: String
    var rows: Int
    var rowShape: [Int]
}

/// The observers of one layer's input activation: the configured observer and, unless that observer
/// keeps an exact histogram itself, a histogram for the `auto` decision and the clipping fraction.
struct ActivationObservers: Sendable {
    var layer: String
    var settings: QuantizationSettings
    var primary: any Observer
    var histogram: HistogramObserver?
    /// The input moments this layer collects (``LayerPolicy/inputMomentsLevel``).
    var momentsLevel: InputMomentsLevel = .none
    /// The moments collected so far (set up once the dataset's row shape is known), when collected.
    var moments: InputMomentsAccumulator?
    /// The feature axis of the moments, an index into the row shape.
    var momentsAxis = 0
    /// Whether the input is smoothed (``SmoothingSetting``): the min-max primary then keeps each feature's
    /// range along the last axis (``FeatureRanges``) while the record stays per tensor until the weight phase.
    var smoothed = false

    mutating func observe(_ values: UnsafeBufferPointer<Float>, shape: [Int]) throws {
        // Per tensor, a min-max primary and the histogram share one scan of the batch (the same states as
        // each scanning it: one pass over the batch fewer in the default configuration), which the
        // histogram takes in its binning pass once its grid holds the batch.
        if var minmax = primary as? MinMaxObserver, var h = histogram, minmax.options.granularity == .perTensor,
            h.options.granularity == .perTensor
        {
            histogram = nil  // `h` holds the one reference to its counts while it adds to them
            defer { histogram = h }
            // Once the histogram's grid holds the batch, it bins and scans it in one pass.
            if let scan = try h.observeFittingGrid(values, shape: shape) {
                try minmax.observe(values, shape: shape, scan: scan)
                primary = minmax
                return
            }
            let scan = RangeScan.scan(values)
            try minmax.observe(values, shape: shape, scan: scan)
            primary = minmax
            try h.observe(values, shape: shape, scan: scan)
            return
        }
        try primary.observe(values, shape: shape)
        try histogram?.observe(values, shape: shape)
    }

    /// Whether every observer merges exactly (the primary is ``ExactlyMergeable``; the histogram is).
    var mergeIsExact: Bool { type(of: primary).mergeIsExact }

    /// Folds in the observers of the same layer that saw other batches.
    mutating func merge(_ other: ActivationObservers) throws {
        var mine = AnyObserver(primary)
        try mine.merge(AnyObserver(other.primary))
        primary = mine.base
        if let theirs = other.histogram { try histogram?.merge(theirs) }
        if let theirs = other.moments { try moments?.merge(theirs) }
    }

    /// The exact histograms of everything observed: one per tensor, or one per channel (empty before any data).
    var exactHistograms: [ExactHistogram] {
        (primary as? HistogramObserver)?.state.histograms ?? histogram?.state.histograms ?? []
    }
}

extension Calibrator {
    /// Streams every activation dataset once through the observers of the layers reading it and
    /// calibrates each of those layers (up to ``threads`` at a time).
    func calibrateActivations(
        layers: [LayerDatasets], policies: [LayerPolicy], files: [String], progress: (CalibrationProgress) -> Void
    ) throws(CalibrationError) -> [String: ActivationCalibration] {
        let observed = try observeActivations(layers: layers, policies: policies, progress: progress) {
            (dataset, batch) throws(TensorIOError) in try TensorSource(files: files, dataset: dataset, batch: batch)
        }
        return try finishAll(observed)
    }

    /// ``finish(_:dataset:rows:rowShape:)`` for every layer, up to ``threads`` at a time, by layer.
    func finishAll(_ observed: [ObservedActivation]) throws(CalibrationError) -> [String: ActivationCalibration] {
        let records = try ParallelJobs.run(count: observed.count, threads: threads) {
            (index) throws(CalibrationError) in
            let o = observed[index]
            var record = try finish(o.observers, dataset: o.dataset, rows: o.rows, rowShape: o.rowShape)
            record.inputMoments = o.observers.moments?.finished()
            return record
        }
        var byLayer: [String: ActivationCalibration] = [:]
        for (o, record) in zip(observed, records) { byLayer[o.observers.layer] = record }
        return byLayer
    }

    /// Streams every activation dataset the layers read once (from the source `source` makes for it with
    /// the batch size to use) through the observers of the layers reading it; the observers in layer order.
    func observeActivations(
        layers: [LayerDatasets], policies: [LayerPolicy], progress: (CalibrationProgress) -> Void,
        source makeSource: (_ dataset: String, _ batch: TensorSource.BatchSize) throws(TensorIOError) -> TensorSource
    ) throws(CalibrationError) -> [ObservedActivation] {
        var order: [String] = []
        var sets: [String: [ActivationObservers]] = [:]
        for (entry, policy) in zip(layers, policies) where !policy.excluded {
            guard let dataset = entry.activation else { continue }
            var observers = try makeActivationObservers(
                layer: entry.layer, dataset: dataset, settings: policy.activations,
                smoothed: policy.weights.smoothing != nil)
            observers.momentsLevel = policy.inputMomentsLevel
            if sets[dataset] == nil { order.append(dataset) }
            sets[dataset, default: []].append(observers)
        }
        // Every dataset's source first (metadata only): the phase's progress counts the bytes of all of them.
        var streams: [(dataset: String, group: [ActivationObservers], pipeline: BatchPipeline?, source: TensorSource)] =
            []
        var momentsBytes = 0
        for dataset in order {
            guard var group = sets[dataset] else { continue }
            // Split batches over workers only when every merge is exact; otherwise one worker, read order.
            var pipeline = threads > 1 ? BatchPipeline(workers: group.allSatisfy(\.mergeIsExact) ? threads : 1) : nil
            let buffers = pipeline?.depth ?? 1
            let source: TensorSource
            do {
                source = try makeSource(dataset, batchSize(buffers: buffers))
            } catch {
                throw .input(error)
            }
            let workers = try prepareMoments(
                &group, rowShape: source.rowShape, dataset: dataset, workers: pipeline?.workers ?? 1,
                heldBytes: &momentsBytes)
            if let current = pipeline, workers < current.workers { pipeline = BatchPipeline(workers: workers) }
            streams.append((dataset, group, pipeline, source))
        }
        let phaseTotal =
            streams.reduce(0) { $0 + $1.source.rowCount * $1.source.rowElementCount }
            * MemoryLayout<Float>.stride
        var phaseDone = 0
        var observed: [String: ObservedActivation] = [:]
        for (dataset, group, pipeline, source) in streams {
            let buffers = pipeline?.depth ?? 1
            let required = buffers * source.bufferCapacity * MemoryLayout<Float>.stride
            if let memoryBudget, required > memoryBudget {
                throw .memoryBudget(dataset: dataset, budget: memoryBudget, required: required)
            }
            let total = source.rowCount * source.rowElementCount * MemoryLayout<Float>.stride
            var done = 0
            func report(_ batch: TensorBatch) {
                let bytes = batch.values.count * MemoryLayout<Float>.stride
                done += bytes
                phaseDone += bytes
                progress(
                    CalibrationProgress(
                        phase: .activations, dataset: dataset, bytesDone: done, bytesTotal: total,
                        phaseDone: phaseDone, phaseTotal: phaseTotal))
            }
            let rowShape = source.rowShape
            let blocks = InputMomentsBlocks(source: source)
            let merged: [ActivationObservers]
            do {
                if let pipeline {
                    let parts = try pipeline.run([source], makeState: { _ in group }, onRead: { report($0.batch) }) {
                        observers, item in
                        try Self.observe(item.batch, rowShape: rowShape, with: &observers, dataset: dataset)
                        try blocks.feed(item.batch, rowShape: rowShape, to: &observers, dataset: dataset)
                    }
                    merged = try Self.merge(parts, dataset: dataset)
                } else {
                    var observers = group
                    try source.forEachBatch { batch in
                        try Self.observe(batch, rowShape: rowShape, with: &observers, dataset: dataset)
                        try blocks.feed(batch, rowShape: rowShape, to: &observers, dataset: dataset)
                        report(batch)
                    }
                    merged = observers
                }
            } catch let error as CalibrationError {
                throw error
            } catch let error as TensorIOError {
                throw .input(error)
            } catch {
                throw .observer(layer: group.first?.layer ?? "", dataset: dataset, reason: "\(error)")
            }
            try blocks.checkComplete(group: merged, dataset: dataset)
            for observers in merged {
                observed[observers.layer] = ObservedActivation(
                    observers: observers, dataset: dataset, rows: source.rowCount, rowShape: source.rowShape)
            }
        }
        return zip(layers, policies).compactMap { entry, policy in policy.excluded ? nil : observed[entry.layer] }
    }

    /// The batch size for a stream with `buffers` batch buffers: ``batchSize``, a byte size shrunk so that
    /// the buffers fit ``memoryBudget``.
    func batchSize(buffers: Int) -> TensorSource.BatchSize {
        guard let memoryBudget, case .bytes(let bytes) = batchSize else { return batchSize }
        return .bytes(Swift.max(1, Swift.min(bytes, memoryBudget / Swift.max(1, buffers))))
    }

    /// Observes one batch with every layer's observers of its dataset.
    static func observe(
        _ batch: TensorBatch, rowShape: [Int], with group: inout [ActivationObservers], dataset: String
    ) throws(CalibrationError) {
        let shape = [batch.rowCount] + rowShape
        for i in group.indices {
            do {
                try group[i].observe(batch.values, shape: shape)
            } catch {
                throw .observer(layer: group[i].layer, dataset: dataset, reason: "\(error)")
            }
        }
    }

    /// The workers' observers merged in worker order, layer by layer.
    static func merge(_ parts: [[ActivationObservers]], dataset: String) throws(CalibrationError)
        -> [ActivationObservers]
    {
        guard var merged = parts.first else { return [] }
        for part in parts.dropFirst() {
            for i in merged.indices {
                do {
                    try merged[i].merge(part[i])
                } catch {
                    throw .observer(layer: merged[i].layer, dataset: dataset, reason: "merging worker states: \(error)")
                }
            }
        }
        return merged
    }

    func makeActivationObservers(
        layer: String, dataset: String, settings: QuantizationSettings, smoothed: Bool
    ) throws(CalibrationError) -> ActivationObservers {
        do {
            let nonFinite = config.nanPolicy.observerPolicy
            // Per channel: the axis as configured (negative from the end), resolved against each batch's shape.
            let granularity: Granularity =
                settings.granularity == .perChannel ? .perChannel(axis: settings.axis) : .perTensor
            if granularity != .perTensor && !observers.observesPerChannel(settings.observer.name) {
                throw CalibrationError.config(
                    ConfigError(
                        .invalidValue(
                            "per-channel",
                            allowed: "per-tensor (observer '\(settings.observer.name)' of layer \(layer) keeps no "
                                + "per-channel statistics)"),
                        at: [.key("activations"), .key("granularity")]))
            }
            let primary = try observers.makeObserver(
                settings.observer, granularity: smoothed ? .perChannel(axis: -1) : granularity, nonFinite: nonFinite)
            let histogram =
                primary is HistogramObserver
                ? nil
                : try HistogramObserver(
                    options: .init(granularity: granularity, bins: histogramBins, nonFinite: nonFinite))
            return ActivationObservers(
                layer: layer, settings: settings, primary: primary, histogram: histogram, smoothed: smoothed)
        } catch let error as CalibrationError {
            throw error
        } catch {
            throw .observer(layer: layer, dataset: dataset, reason: "\(error)")
        }
    }

    /// Parameters for every candidate scheme, the `auto` decision on the histograms, and the record.
    ///
    /// Per channel, every channel gets the scheme's parameters for its own range (or, with `zero-point:
    /// shared`, `AffineScheme.sharedZeroPointParameters`); the expected error and the clipping fraction are
    /// the channels' own, weighted by their element counts.
    func finish(
        _ observers: ActivationObservers, dataset: String, rows: Int, rowShape: [Int]
    ) throws(CalibrationError) -> ActivationCalibration {
        let s = observers.settings
        if s.numberFormat.isMinifloat {
            return try finishMinifloat(observers, dataset: dataset, rows: rows, rowShape: rowShape)
        }
        let histograms = observers.exactHistograms
        let layer = observers.layer
        struct Candidate {
            var symmetry: Symmetry
            var low: [Float], high: [Float]
            var parameters: [AffineScheme.ScaleAndZeroPoint]
            var error: Double
        }
        var candidates: [Candidate] = []
        var counts = NonFiniteCounts()
        var featureRanges: FeatureRanges?
        let format: IntegerFormat
        let channels = try ActivationChannels.layout(s, rowShape: rowShape, layer: layer, dataset: dataset)
        do {
            format = try s.integerFormat()
            for symmetry in s.candidateSymmetries {
                let scheme = try s.affineScheme(symmetry, granularity: .perTensor)
                let ranges: ObservedRanges
                do {
                    ranges = try observers.primary.ranges(for: RangeTarget(scheme))
                } catch {
                    throw CalibrationError.observer(layer: layer, dataset: dataset, reason: "\(error)")
                }
                counts = ranges.counts
                if observers.smoothed { featureRanges = FeatureRanges(mins: ranges.low, maxs: ranges.high) }
                var low = [(observers.smoothed ? ranges.low.min() : ranges.low.first) ?? 0]
                var high = [(observers.smoothed ? ranges.high.max() : ranges.high.first) ?? 0]
                var p: [AffineScheme.ScaleAndZeroPoint]
                if let (_, count) = channels {
                    // Nothing observed: one empty slot, which every channel is.
                    let empty = ranges.layout.granularity == .perTensor && ranges.counts.total == 0
                    low = empty ? Array(repeating: 0, count: count) : ranges.low
                    high = empty ? Array(repeating: 0, count: count) : ranges.high
                    guard low.count == count, high.count == count else {
                        throw CalibrationError.observer(
                            layer: layer, dataset: dataset,
                            reason: "the observer gave \(low.count) ranges for \(count) channels")
                    }
                    p =
                        s.zeroPoint == .shared
                        ? scheme.sharedZeroPointParameters(mins: low, maxs: high)
                        : zip(low, high).map { scheme.parameters(min: $0, max: $1) }
                } else {
                    p = [scheme.parameters(min: low[0], max: high[0])]
                }
                let error = Self.expectedSquaredError(histograms, p, format: format)
                candidates.append(Candidate(symmetry: symmetry, low: low, high: high, parameters: p, error: error))
            }
        } catch let error as CalibrationError {
            throw error
        } catch let error as QuantizationError {
            throw .quantization(layer: layer, dataset: dataset, error)
        } catch {
            throw .observer(layer: layer, dataset: dataset, reason: "\(error)")
        }
        let decision = SchemeDecision.decide(
            requested: s.scheme, profile: s.profile, margin: s.autoMargin, measure: "expected MSE on the histogram",
            errors: candidates.map { ($0.symmetry, $0.error) })
        guard let chosen = candidates.first(where: { $0.symmetry == decision.chosen }) else {
            throw .observer(layer: layer, dataset: dataset, reason: "no candidate scheme")
        }
        let rangeMin = chosen.low.min() ?? 0
        let rangeMax = chosen.high.max() ?? 0
        // Per tensor: the one pair; per channel: the whole range's (the manifest records only the channels').
        let p: AffineScheme.ScaleAndZeroPoint
        do {
            p =
                channels == nil
                ? chosen.parameters[0]
                : try s.affineScheme(chosen.symmetry, granularity: .perTensor).parameters(min: rangeMin, max: rangeMax)
        } catch {
            throw .quantization(layer: layer, dataset: dataset, error)
        }
        let nonEmpty = histograms.filter { !$0.isEmpty }
        var record = ActivationCalibration(
            dataset: dataset, rows: rows, rowShape: rowShape, observer: s.observer, format: format, profile: s.profile,
            rounding: s.rounding.rule(for: s.profile), scheme: decision,
            observedMin: nonEmpty.map(\.min).min() ?? 0, observedMax: nonEmpty.map(\.max).max() ?? 0,
            rangeMin: rangeMin, rangeMax: rangeMax, scale: p.scale, zeroPoint: p.zeroPoint,
            clippingFraction: Self.clippingFraction(histograms, chosen.parameters, format: format), counts: counts,
            degenerate: chosen.parameters.lazy.compactMap(\.degenerate).first,
            channels: channels.map { axis, _ in
                ActivationChannels(
                    axis: axis, zeroPoint: s.zeroPoint, rangeMin: chosen.low, rangeMax: chosen.high,
                    scales: chosen.parameters.map(\.scale), zeroPoints: chosen.parameters.map(\.zeroPoint))
            }, histogram: ActivationHistogram(merging: histograms))
        record.featureRanges = featureRanges
        return record
    }
}
