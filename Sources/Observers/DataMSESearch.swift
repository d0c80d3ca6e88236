internal import CMomentKernels
public import QuantCore

/// The `mse` observer's clipping search scored on the data itself instead of its histogram, for tensors
/// whose every parameter's elements are at hand together (weights per channel along axis 0 or per group:
/// each block of rows holds whole parameters).
///
/// The candidates and their order are ``ClippingSearch/search(min:max:target:score:)``'s (symmetric:
/// `amax·t`; asymmetric: two alternating rounds on each bound; `t` on a 32-point grid over `[1/8, 1]`, then
/// two 16-point refinements) on the same ``QuantizationGrid``; only the score differs: the mean over the
/// slot's finite elements of `(x − x̂)²`, `x̂ = s·(clamp(round(x·(1/s)) + z, qmin, qmax) − z)` in Float32
/// with the reciprocal rounded to Float32 and ties of the rounding to even, summed in 16 Float32 lanes
/// flushed to Double every 4096 elements (`ptqkit_clip_squared_error`, C: AVX where the CPU has it, portable
/// C otherwise, the same bits on every path, no fused multiply-add). That is the exact data MSE of
/// ``ClippingSearch/mse(data:target:)`` up to Float32 rounding (relative error about 1e-6 per score;
/// `MSEDataSearchTests` checks the chosen range's exact MSE against the Double search and a 1000-point
/// brute-force scan). It costs `O(65 × elements)` per slot (no division) against `O(65 × non-empty bins)`
/// integrals with three divisions each for the histogram score, and no histogram is built.
///
/// Deterministic: a slot's range depends only on its elements in their layout order (the same for any
/// block size, thread count or shard), so a weight read whole and one streamed in blocks get the same ranges.
public enum DataMSESearch {
    /// The per-slot ranges of `batch` (shape `shape`, whole parameters only) for each of `targets`, as a
    /// ``HistogramObserver`` with method `.mse` and `nonFinite` would report them (finite elements only,
    /// non-finite ones counted; an empty slot `[0, 0]`), the search scored on the data.
    ///
    /// - Throws: ``ObserverError`` for a shape the granularity does not fit, or `.nonFinite` under `.error`.
    public static func ranges(
        of batch: UnsafeBufferPointer<Float>, shape: [Int], granularity: Granularity, nonFinite: NonFinitePolicy,
        targets: [RangeTarget]
    ) throws -> [ObservedRanges] {
        let layout = try ParameterLayout.observing(granularity, shape: shape, count: batch.count, previous: nil)
        var low = [[Float]](repeating: [], count: targets.count)
        var high = [[Float]](repeating: [], count: targets.count)
        var counts = NonFiniteCounts()
        var empty = 0
        var scratch: [Float] = []
        var finite: [Float] = []
        for slot in 0..<(batch.isEmpty ? 0 : layout.parameterCount) {
            layout.gather(slot: slot, from: batch, into: &scratch)
            let scan = scratch.withUnsafeBufferPointer { RangeScan.scan($0) }
            try scan.counts.check(nonFinite, kind: HistogramObserver.kind)
            counts.add(scan.counts)
            guard scan.hasFinite else {
                empty += 1
                for k in targets.indices {
                    low[k].append(0)
                    high[k].append(0)
                }
                continue
            }
            if scan.counts.nonFinite > 0 {
                finite.removeAll(keepingCapacity: true)
                finite.append(contentsOf: scratch.lazy.filter { $0.isFinite })
                swap(&scratch, &finite)
            }
            scratch.withUnsafeBufferPointer { values in
                for (k, target) in targets.enumerated() {
                    let (lo, hi) = range(finite: values, min: scan.min, max: scan.max, target: target)
                    low[k].append(lo)
                    high[k].append(hi)
                }
            }
        }
        return targets.indices.map { k in
            ObservedRanges(
                layout: batch.isEmpty ? nil : layout.canonical, low: batch.isEmpty ? [0] : low[k],
                high: batch.isEmpty ? [0] : high[k], counts: counts, emptySlots: batch.isEmpty ? 1 : empty)
        }
    }

    /// The MSE-optimal `[low, high]` ⊆ `[min, max]` for `target` of `values` (all finite, not empty, with
    /// these min and max), clamped into `[min, max]` as ``HistogramRangeMethod/range(of:target:)`` does.
    public static func range(
        finite values: UnsafeBufferPointer<Float>, min: Float, max: Float, target: RangeTarget
    ) -> (Float, Float) {
        let n = Double(values.count)
        // The search scores some ranges more than once (the full range three times; refinement grids
        // end on earlier points): each distinct range is scored once (the same value either way).
        var scored: [(lo: Double, hi: Double, score: Double)] = []
        let r = ClippingSearch.search(min: Double(min), max: Double(max), target: target) { lo, hi in
            if let known = scored.first(where: { $0.lo == lo && $0.hi == hi }) { return known.score }
            guard let g = QuantizationGrid(lo: lo, hi: hi, target: target) else { return .infinity }
            let score = squaredError(values, grid: g) / n
            scored.append((lo, hi, score))
            return score
        }
        return HistogramRangeMethod.clamped(Float(r.low), Float(r.high), min: min, max: max)
    }

    /// `Σ (x − x̂)²` over `values` (all finite) on `grid`, in 16 Float32 lanes (see the type's
    /// documentation); in Double element by element when the grid's step or its reciprocal is not a
    /// normal Float32.
    public static func squaredError(_ values: UnsafeBufferPointer<Float>, grid g: QuantizationGrid) -> Double {
        let scale = Float(g.scale)
        let inverse = Float(1 / g.scale)
        guard scale.isNormal, inverse.isNormal, let base = values.baseAddress else {
            return values.reduce(0.0) { sum, x in
                let d = Double(x) - g.fakeQuantize(Double(x))
                return sum + d * d
            }
        }
        return ptqkit_clip_squared_error(
            base, values.count, inverse, scale, Float(g.zeroPoint), Float(g.qmin), Float(g.qmax))
    }
}
