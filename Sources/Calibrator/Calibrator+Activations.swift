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

    mutating func observe(_ values: UnsafeBufferPointer<Float>, shape: [Int]) throws {
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
    }

    /// The exact histogram of everything observed.
    var exactHistogram: ExactHistogram {
        (primary as? HistogramObserver)?.state.histograms.first ?? histogram?.state.histograms.first ?? ExactHistogram()
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
            return try finish(o.observers, dataset: o.dataset, rows: o.rows, rowShape: o.rowShape)
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
            let observers = try makeActivationObservers(
                layer: entry.layer, dataset: dataset, settings: policy.activations)
            if sets[dataset] == nil { order.append(dataset) }
            sets[dataset, default: []].append(observers)
        }
        // Every dataset's source first (metadata only): the phase's progress counts the bytes of all of them.
        var streams: [(dataset: String, group: [ActivationObservers], pipeline: BatchPipeline?, source: TensorSource)] =
            []
        for dataset in order {
            guard let group = sets[dataset] else { continue }
            // Split batches over workers only when every merge is exact; otherwise one worker, read order.
            let pipeline = threads > 1 ? BatchPipeline(workers: group.allSatisfy(\.mergeIsExact) ? threads : 1) : nil
            let buffers = pipeline?.depth ?? 1
            let source: TensorSource
            do {
                source = try makeSource(dataset, batchSize(buffers: buffers))
            } catch {
                throw .input(error)
            }
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
            let merged: [ActivationObservers]
            do {
                if let pipeline {
                    let parts = try pipeline.run([source], makeState: { _ in group }, onRead: { report($0.batch) }) {
                        observers, item in
                        try Self.observe(item.batch, rowShape: rowShape, with: &observers, dataset: dataset)
                    }
                    merged = try Self.merge(parts, dataset: dataset)
                } else {
                    var observers = group
                    try source.forEachBatch { batch in
                        try Self.observe(batch, rowShape: rowShape, with: &observers, dataset: dataset)
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
        layer: String, dataset: String, settings: QuantizationSettings
    ) throws(CalibrationError) -> ActivationObservers {
        do {
            let nonFinite = config.nanPolicy.observerPolicy
            let primary = try observers.makeObserver(settings.observer, granularity: .perTensor, nonFinite: nonFinite)
            let histogram =
                primary is HistogramObserver
                ? nil
                : try HistogramObserver(
                    options: .init(granularity: .perTensor, bins: histogramBins, nonFinite: nonFinite))
            return ActivationObservers(layer: layer, settings: settings, primary: primary, histogram: histogram)
        } catch {
            throw .observer(layer: layer, dataset: dataset, reason: "\(error)")
        }
    }

    /// Parameters for every candidate scheme, the `auto` decision on the histogram, and the record.
    func finish(
        _ observers: ActivationObservers, dataset: String, rows: Int, rowShape: [Int]
    ) throws(CalibrationError) -> ActivationCalibration {
        let s = observers.settings
        let histogram = observers.exactHistogram
        let layer = observers.layer
        struct Candidate {
            var symmetry: Symmetry
            var low: Float, high: Float
            var parameters: AffineScheme.ScaleAndZeroPoint
            var error: Double
        }
        var candidates: [Candidate] = []
        var counts = NonFiniteCounts()
        let format: IntegerFormat
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
                let low = ranges.low.first ?? 0
                let high = ranges.high.first ?? 0
                let p = scheme.parameters(min: low, max: high)
                let error = histogram.expectedSquaredError(scale: p.scale, zeroPoint: p.zeroPoint, format: format)
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
        let p = chosen.parameters
        // codes are clamped outside [s·(qmin − z − ½), s·(qmax − z + ½)]
        let low = Double(p.scale) * (Double(Int(format.qmin) - Int(p.zeroPoint)) - 0.5)
        let high = Double(p.scale) * (Double(Int(format.qmax) - Int(p.zeroPoint)) + 0.5)
        return ActivationCalibration(
            dataset: dataset, rows: rows, rowShape: rowShape, observer: s.observer, format: format, profile: s.profile,
            rounding: s.rounding.rule(for: s.profile), scheme: decision,
            observedMin: histogram.isEmpty ? 0 : histogram.min, observedMax: histogram.isEmpty ? 0 : histogram.max,
            rangeMin: chosen.low, rangeMax: chosen.high, scale: p.scale, zeroPoint: p.zeroPoint,
            clippingFraction: histogram.fractionOutside(low: low, high: high), counts: counts, degenerate: p.degenerate)
    }
}

extension SchemeDecision {
    /// The decision for `requested` given the error of each evaluated scheme (`auto` evaluates both,
    /// except for profiles without an asymmetric mode).
    static func decide(
        requested: SchemeChoice, profile: CompatibilityProfile, margin: Double, measure: String,
        errors: [(Symmetry, Double)]
    ) -> SchemeDecision {
        let symmetric = errors.first { $0.0 == .symmetric }?.1
        let asymmetric = errors.first { $0.0 == .asymmetric }?.1
        switch (requested, symmetric, asymmetric) {
        case (.auto, let s?, let a?):
            return .auto(symmetric: s, asymmetric: a, margin: margin, measure: measure)
        case (.auto, let s, _):
            return SchemeDecision(
                requested: .auto, chosen: .symmetric, symmetricError: s, margin: margin,
                reason: "auto: profile \(profile.rawValue) has no asymmetric mode; symmetric")
        default:
            return SchemeDecision(
                requested: requested, chosen: requested == .asymmetric ? .asymmetric : .symmetric,
                symmetricError: symmetric, asymmetricError: asymmetric, reason: "configured")
        }
    }
}
