internal import HDF5
internal import Observers
internal import QuantCore
internal import TensorIO

extension Calibrator {
    /// The blocks a weight of `shape` is calibrated in, or `nil` when it is read whole.
    ///
    /// Streamed: a tensor whose Float32 size exceeds 4 × ``weightBlockBytes`` or the weight memory budget,
    /// observed by an observer whose statistic does not depend on how its data is split
    /// (``Observer/mergeIsExact``: `minmax` and the histogram family, not `moving-average-minmax`), when a
    /// block of the fewest rows allowed fits an eighth of the budget. Blocks hold about
    /// `min(weightBlockBytes, budget / 8)` bytes: a streamed weight takes a few blocks of memory (values,
    /// codes, reconstruction; the writer's codes and chunk buffer), not the tensor.
    func weightBlocks(
        file: String, dataset: String, shape: [Int], layout: ParameterLayout, observer: any Observer
    ) -> WeightBlocks? {
        let bytes = WeightMemoryBudget.float32Bytes(shape: shape)
        let budget = WeightMemoryBudget(memoryBudget: memoryBudget).bytes
        guard bytes > 4 * weightBlockBytes || bytes > budget, type(of: observer).mergeIsExact,
            let blocks = WeightBlocks(
                file: file, dataset: dataset, shape: shape, granularity: layout.granularity,
                blockBytes: Swift.min(weightBlockBytes, budget / 8)),
            blocks.blockBytes <= budget / 8
        else { return nil }
        return blocks
    }

    /// How many threads make and write a streamed weight's codes (``StreamedCodes/workers``): `threads` when
    /// more than one and libhdf5 is thread-safe (else 1), at most as many as keep the blocks in flight within
    /// the weight memory budget: each worker holds about 3 blocks (the values, the Int32 codes, the stored
    /// codes), and a block is at most an eighth of the budget, so at least 2 workers always fit.
    static func codeWorkers(threads: Int, blocks: WeightBlocks, memoryBudget: Int?) -> Int {
        guard threads > 1, HDF5Library.isThreadSafe else { return 1 }
        let budget = WeightMemoryBudget(memoryBudget: memoryBudget).bytes
        return Swift.max(1, Swift.min(threads, budget / Swift.max(1, 3 * blocks.blockBytes)))
    }

    /// `RangeScan.scan(values)` (finite min and max, NaN/±Inf counts), taken from `observed` when it is a
    /// ``MinMaxObserver`` that has seen exactly `values` (its counts add up to `values.count`): the min of its
    /// slots' minima, the max of their maxima and its counts. Those equal the scan's whenever the min and max
    /// are not zero: min and max over finite values do not depend on the order they are taken in, except in the
    /// sign of a zero (+0 and −0 compare equal, and which one a scan keeps depends on its order), so a zero
    /// min or max (and any other observer) scans `values` instead.
    static func blockScan(_ values: UnsafeBufferPointer<Float>, observed: (any Observer)?) -> RangeScan {
        if let minmax = observed as? MinMaxObserver {
            let (ranges, counts) = (minmax.state.ranges, minmax.state.counts)
            let seen = counts.finite + counts.nan + counts.positiveInfinity + counts.negativeInfinity
            var low = Float.infinity
            var high = -Float.infinity
            for v in ranges.min where v < low { low = v }
            for v in ranges.max where v > high { high = v }
            if seen == UInt64(values.count) && low != 0 && high != 0 {
                return RangeScan(min: low, max: high, counts: counts)
            }
        }
        return RangeScan.scan(values)
    }

    /// ``calibrateWeight(layer:file:dataset:settings:)`` for a weight read in `blocks`: the same decisions,
    /// parameters, metrics and codes, bit for bit, in one pass over the tensor when its parameters are
    /// row-local (per channel along axis 0, per group: observe a block, quantize it with each candidate scheme
    /// and measure the error) and two otherwise (observe; quantize and measure), with memory bounded by the
    /// blocks and the observer's state.
    /// The codes are not kept: the tensor's content is ``CalibratedTensor/Content/streamedAffine(codes:symmetry:profile:schemeReason:metrics:)``,
    /// which produces them again block by block when they are stored.
    ///
    /// Observers see the blocks as batches: per tensor and per channel along an axis after 0 one observer
    /// sees every block (its statistic is split-independent); per channel along axis 0 and per group, where
    /// each block holds its own parameters' elements, a fresh observer per block gives those parameters'
    /// ranges, concatenated in row order.
    func calibrateStreamedWeight(
        layer: String, dataset: String, elementType: String, blocks: WeightBlocks, observer prototype: any Observer,
        settings s: QuantizationSettings
    ) throws(CalibrationError) -> (calibration: WeightCalibration, tensor: CalibratedTensor) {
        let shape = blocks.shape
        let granularity = s.granularity(rank: shape.count)
        struct Candidate {
            var symmetry: Symmetry
            var scheme: AffineScheme
            var ranges = ObservedRanges(layout: nil, low: [], high: [], counts: NonFiniteCounts())
            var parameters: QuantizationParameters?
            var metrics = ErrorMetrics.Stream()
            var clipped = 0
        }
        var candidates: [Candidate] = []
        // Finite min and max and the NaN/±Inf counts (the observers' own scan: one SIMD pass per block, or
        // the min-max observer's slot ranges of the block: blockScan).
        var statistics = RangeScan.empty
        let format: IntegerFormat
        do {
            format = try s.integerFormat()
            let layout = try granularity.layout(shape: shape)
            for symmetry in s.candidateSymmetries {
                candidates.append(
                    Candidate(symmetry: symmetry, scheme: try s.affineScheme(symmetry, granularity: granularity)))
            }
            let targets = candidates.map { RangeTarget($0.scheme) }
            // Pass 1: observe.
            let shared: Bool
            switch layout.granularity {
            case .perTensor: shared = true
            case .perChannel(let axis): shared = axis > 0
            case .perGroup: shared = false
            }
            var observer = prototype
            var counts = NonFiniteCounts()
            var low = [[Float]](repeating: [], count: targets.count)
            var high = [[Float]](repeating: [], count: targets.count)
            var empty = [Int](repeating: 0, count: targets.count)
            // x̂ = s·(clamp(round(x/s) + z) − z), bit-identical to dequantizing the codes (fakeQuantize).
            var reconstruction = [Float]()
            // The error and clipped count of candidate k on `values`: fused (x̂ in registers, one pass:
            // ErrorMetrics.Stream.addFakeQuantized) for layouts of uniform runs, else fake-quantized into
            // `reconstruction`, then added and counted.
            func measure(_ k: Int, _ p: QuantizationParameters, _ values: UnsafeBufferPointer<Float>) throws {
                if let clipped = try candidates[k].metrics.addFakeQuantized(reference: values, parameters: p) {
                    candidates[k].clipped += clipped
                    return
                }
                if reconstruction.isEmpty {
                    reconstruction = [Float](repeating: 0, count: blocks.rowsPerBlock * blocks.rowElementCount)
                }
                try reconstruction.withUnsafeMutableBufferPointer { y in
                    let y = UnsafeMutableBufferPointer(rebasing: y[0..<values.count])
                    try p.fakeQuantize(values, into: y)
                    try candidates[k].metrics.add(reference: values, reconstruction: UnsafeBufferPointer(y))
                }
                candidates[k].clipped += Self.clippedCount(values, parameters: p).clipped
            }
            // Pass 1: observe. Row-local parameters (per channel along axis 0, per group) are known block by
            // block, so their codes and errors are measured in the same pass; shared ones need a pass 2.
            try blocks.forEachBlock { rows, values in
                let blockShape = [rows.count] + shape.dropFirst()
                if shared {
                    statistics.combine(RangeScan.scan(values))
                    try observer.observe(values, shape: blockShape)
                    return
                }
                let dataRanges = try Self.dataMSERanges(
                    observer: prototype, layout: layout, values: values, shape: blockShape, targets: targets)
                var part = prototype
                if dataRanges == nil { try part.observe(values, shape: blockShape) }
                statistics.combine(Self.blockScan(values, observed: dataRanges == nil ? part : nil))
                for (k, target) in targets.enumerated() {
                    let ranges = try dataRanges?[k] ?? part.ranges(for: target)
                    low[k] += ranges.low
                    high[k] += ranges.high
                    empty[k] += ranges.emptySlots
                    if k == 0 { counts.add(ranges.counts) }
                    // The block's own parameters: those of rows `rows` of the whole tensor's (each slot's
                    // scale and zero point depend on its range only).
                    try measure(k, try ranges.parameters(candidates[k].scheme, shape: blockShape), values)
                }
            }
            for k in candidates.indices {
                candidates[k].ranges =
                    shared
                    ? try observer.ranges(for: targets[k])
                    : ObservedRanges(
                        layout: layout.canonical, low: low[k], high: high[k], counts: counts, emptySlots: empty[k])
                candidates[k].parameters = try candidates[k].ranges.parameters(candidates[k].scheme, shape: shape)
            }
            // Pass 2 (shared parameters): the codes of every candidate and their error, block by block.
            if shared {
                try blocks.forEachBlock { rows, values in
                    for k in candidates.indices {
                        guard let p = try candidates[k].parameters?.rows(rows) else { continue }
                        try measure(k, p, values)
                    }
                }
            }
        } catch let error as CalibrationError {
            throw error
        } catch let TensorIOError.hdf5(error) {
            throw .input(.hdf5(error))
        } catch let error as TensorIOError {
            throw .input(error)
        } catch let error as QuantizationError {
            throw .quantization(layer: layer, dataset: dataset, error)
        } catch {
            throw .observer(layer: layer, dataset: dataset, reason: "\(error)")
        }
        let decision = Self.weightScheme(
            s, errors: candidates.map { ($0.symmetry, $0.metrics.metrics.meanSquaredError) })
        guard let chosen = candidates.first(where: { $0.symmetry == decision.chosen }), let p = chosen.parameters
        else {
            throw .observer(layer: layer, dataset: dataset, reason: "no candidate scheme")
        }
        let metrics = chosen.metrics.metrics
        let finite = Int(statistics.counts.finite)
        let calibration = WeightCalibration(
            dataset: dataset, shape: shape, elementType: elementType, observer: s.observer, format: format,
            profile: s.profile,
            rounding: p.rounding, granularity: granularity, scheme: decision,
            observedMin: finite > 0 ? statistics.min : 0, observedMax: finite > 0 ? statistics.max : 0,
            parameterShape: p.layout.parameterShape,
            rangeMins: chosen.ranges.low, rangeMaxs: chosen.ranges.high, scales: p.scales, zeroPoints: p.zeroPoints,
            metrics: metrics, clippingFraction: finite > 0 ? Double(chosen.clipped) / Double(finite) : 0,
            counts: chosen.ranges.counts, degenerateRanges: p.warnings)
        var tensor = CalibratedTensor(
            layer: layer, dataset: dataset, role: "weight", shape: shape, elementType: elementType,
            content: .streamedAffine(
                codes: StreamedCodes(
                    blocks: blocks, parameters: p, readAhead: threads > 1 && HDF5Library.isThreadSafe,
                    workers: Self.codeWorkers(threads: threads, blocks: blocks, memoryBudget: memoryBudget)),
                symmetry: decision.chosen, profile: s.profile,
                schemeReason: s.scheme == .auto ? decision.reason : nil, metrics: metrics))
        let infinite = Int(statistics.counts.positiveInfinity + statistics.counts.negativeInfinity)
        tensor.nanCount = statistics.counts.nan > 0 ? Int(statistics.counts.nan) : nil
        tensor.infCount = infinite > 0 ? infinite : nil
        tensor.schemeDecision = decision
        return (calibration, tensor)
    }
}
