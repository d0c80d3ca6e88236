extension ExactHistogram {
    /// The histogram of `|x|`: bin `j` holds `[j·w, (j+1)·w)`, on the grid of `includingZero()`.
    ///
    /// Negative absolute bin `k` (`[k·w, (k+1)·w)`) folds onto `−k−1`; a negative value lying exactly
    /// on a bin edge is thus counted one bin low (an approximation of at most one bin).
    public func folded() -> (counts: [UInt64], width: Double) {
        guard !isEmpty else { return ([], binWidth) }
        let z = includingZero()
        return (z.foldedCounts(), z.binWidth)
    }

    func foldedCounts() -> [UInt64] {
        let last = firstBin + Int64(counts.count) - 1
        let n = Int(Swift.max(last, -firstBin - 1)) + 1
        var out = [UInt64](repeating: 0, count: Swift.max(n, 1))
        for (i, c) in counts.enumerated() where c != 0 {
            let k = firstBin + Int64(i)
            out[Int(k >= 0 ? k : -k - 1)] += c
        }
        return out
    }

    /// The `q`-quantile (`0 ≤ q ≤ 1`) with numpy's default ("linear") definition: with 0-based rank
    /// `r = q·(N−1)`, `x_⌊r⌋ + (r − ⌊r⌋)·(x_⌈r⌉ − x_⌊r⌋)`, where each order statistic is estimated
    /// inside its bin (the `c` values of a bin taken as evenly spread at `lo + (j + ½)/c·w`),
    /// clamped to `[min, max]`. Each estimate is within one bin width of the true order statistic,
    /// so the result is within one bin width of numpy's. Empty histogram: 0.
    public func quantile(_ q: Double) -> Float {
        Self.quantile(counts: counts, lowerEdge: { lowerEdge($0) }, width: binWidth, q: q, min: min, max: max)
    }

    /// `quantile` on the folded `|x|` histogram (`min` 0 … `max |x|`).
    public func absQuantile(_ q: Double) -> Float {
        let (c, w) = folded()
        let amax = isEmpty ? 0 : Swift.max(-min, max)
        let amin: Float = isEmpty ? 0 : (min <= 0 && max >= 0 ? 0 : Swift.min(Swift.abs(min), Swift.abs(max)))
        return Self.quantile(counts: c, lowerEdge: { Double($0) * w }, width: w, q: q, min: amin, max: amax)
    }

    /// ONNX Runtime's percentile convention: the lower edge of the first bin whose cumulative fraction
    /// reaches `q`, clamped to `[min, max]`. The fraction is summed as ORT sums it (`np.cumsum(hist / total)`:
    /// each bin's `count/N` in Double, added in bin order), so on the same bins the bin is ORT's, also where
    /// the rounding of that sum, not the count, decides.
    public func lowerEdgeQuantile(_ q: Double, absolute: Bool) -> Float {
        let (c, w) = absolute ? folded() : (counts, binWidth)
        let total = Double(c.reduce(0, +))
        guard total > 0 else { return 0 }
        var cum = 0.0
        for (i, n) in c.enumerated() {
            cum += Double(n) / total
            if cum >= q {
                let edge = Float(absolute ? Double(i) * w : lowerEdge(i))
                let lo: Float = absolute ? 0 : min
                let hi = absolute ? Swift.max(-min, max) : max
                return Swift.min(Swift.max(edge, lo), hi)
            }
        }
        return absolute ? Swift.max(-min, max) : max
    }

    static func quantile(
        counts: [UInt64], lowerEdge: (Int) -> Double, width: Double, q: Double,
        min: Float, max: Float
    ) -> Float {
        let total = counts.reduce(0, +)
        guard total > 0 else { return 0 }
        let rank = Swift.min(Swift.max(q, 0), 1) * Double(total - 1)
        let lower = UInt64(rank.rounded(.down))
        let upper = Swift.min(lower + 1, total - 1)
        let x0 = orderStatistic(lower, counts: counts, lowerEdge: lowerEdge, width: width)
        let x1 = orderStatistic(upper, counts: counts, lowerEdge: lowerEdge, width: width)
        let v = x0 + (rank - Double(lower)) * (x1 - x0)
        return Swift.min(Swift.max(Float(v), min), max)
    }

    /// Estimate of the `k`-th smallest value (0-based): `lo + (j + ½)/c·w` in its bin.
    static func orderStatistic(_ k: UInt64, counts: [UInt64], lowerEdge: (Int) -> Double, width: Double) -> Double {
        var before: UInt64 = 0
        for (i, c) in counts.enumerated() where c != 0 {
            if k < before + c {
                return lowerEdge(i) + (Double(k - before) + 0.5) / Double(c) * width
            }
            before += c
        }
        return lowerEdge(counts.count - 1) + width
    }
}
