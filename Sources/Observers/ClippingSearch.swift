/// Searches the clipping range `[lo, hi]` ⊆ `[min, max]` that minimises a quantization-error score.
///
/// Symmetric targets search `amax = t·max(|min|, |max|)`; asymmetric targets alternate (two rounds)
/// between the upper bound given the lower and the lower given the upper. Each 1-D search scores
/// 32 evenly spaced candidates on `t ∈ [1/8, 1]` (the full range `t = 1` always included, so the
/// result never scores worse than min-max), then refines twice around the best with 16 points
/// within one step on each side.
public enum ClippingSearch {
    /// The best range found and its score.
    public struct Result: Sendable, Hashable {
        /// Lower clipping bound.
        public var low: Double
        /// Upper clipping bound.
        public var high: Double
        /// Score of `[low, high]` (expected squared error).
        public var score: Double
        /// Score of the full range `[min, max]`.
        public var fullRangeScore: Double
    }

    /// Searches on `[min, max]` with `score(lo, hi)`.
    public static func search(
        min: Double, max: Double, target: RangeTarget,
        score: (Double, Double) -> Double
    ) -> Result {
        let full = score(min, max)
        guard max > min else { return Result(low: min, high: max, score: full, fullRangeScore: full) }
        if target.symmetric {
            let amax = Swift.max(-min, max)
            let (t, s) = minimise1D { t in score(Swift.max(min, -t * amax), Swift.min(max, t * amax)) }
            return Result(
                low: Swift.max(min, -t * amax), high: Swift.min(max, t * amax), score: Swift.min(s, full),
                fullRangeScore: full)
        }
        var lo = min
        var hi = max
        var best = full
        for _ in 0..<2 {
            if hi > 0 {
                let (t, s) = minimise1D { t in score(lo, t * max) }
                if s <= best {
                    best = s
                    hi = t * max
                }
            }
            if lo < 0 {
                let (t, s) = minimise1D { t in score(t * min, hi) }
                if s <= best {
                    best = s
                    lo = t * min
                }
            }
        }
        return Result(low: lo, high: hi, score: best, fullRangeScore: full)
    }

    /// Minimises `f(t)` over `t ∈ [1/8, 1]`: 32-point grid, then two 16-point refinements.
    static func minimise1D(_ f: (Double) -> Double) -> (Double, Double) {
        var bestT = 1.0
        var bestS = f(1.0)
        var lo = 0.125
        var hi = 1.0
        for points in [32, 16, 16] {
            let step = (hi - lo) / Double(points - 1)
            for k in 0..<points {
                let t = lo + Double(k) * step
                let s = f(t)
                if s < bestS {
                    bestS = s
                    bestT = t
                }
            }
            lo = Swift.max(0.125, bestT - step)
            hi = Swift.min(1.0, bestT + step)
        }
        return (bestT, bestS)
    }

    /// The MSE-optimal range on a histogram: the score is the expected squared error of the
    /// histogram's piecewise-uniform density (`QuantizationGrid.expectedSquaredError`).
    public static func mse(_ h: ExactHistogram, target: RangeTarget) -> Result {
        guard !h.isEmpty else { return Result(low: 0, high: 0, score: 0, fullRangeScore: 0) }
        // Only non-empty bins matter; collect them once.
        var edges: [Double] = []
        var counts: [UInt64] = []
        for (i, c) in h.counts.enumerated() where c != 0 {
            edges.append(h.lowerEdge(i))
            counts.append(c)
        }
        let w = h.binWidth
        return search(min: Double(h.min), max: Double(h.max), target: target) { lo, hi in
            guard let g = QuantizationGrid(lo: lo, hi: hi, target: target) else { return .infinity }
            return g.expectedSquaredError(counts: counts, lowerEdge: { edges[$0] }, width: w)
        }
    }

    /// The MSE-optimal range on the data itself (exact scores: the mean of `(x − x̂)²` over the
    /// finite elements), for weights and other tensors available in memory.
    public static func mse(data: UnsafeBufferPointer<Float>, target: RangeTarget) -> Result {
        let scan = RangeScan.scan(data)
        guard scan.hasFinite else { return Result(low: 0, high: 0, score: 0, fullRangeScore: 0) }
        return search(min: Double(scan.min), max: Double(scan.max), target: target) { lo, hi in
            guard let g = QuantizationGrid(lo: lo, hi: hi, target: target) else { return .infinity }
            var sum = 0.0
            for x in data where x.isFinite {
                let d = Double(x) - g.fakeQuantize(Double(x))
                sum += d * d
            }
            return sum / Double(scan.counts.finite)
        }
    }
}
