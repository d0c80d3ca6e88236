import Foundation

/// Prefix sums that score each candidate of TensorRT's entropy search in `O(levels)` instead of
/// `O(i)`, with a bound on the rounding error of the result (see
/// ``EntropySearch/tensorRT(absHistogram:binWidth:levels:startBin:)``).
///
/// With `p_j = h_j / P` (`P = Σ h`) and, inside quantized bin `b` (source bins
/// `⌈b·i/L⌉ ..< ⌈(b+1)·i/L⌉`), one value `q_b = C_b / N_b / C` for every non-empty source bin
/// (`C_b` its count, `N_b` its non-empty bins, `C = Σ_{j<i} h_j`):
///
///     KL_i = Σ_b [ Σ_{j∈b} p_j log p_j − log q_b · Σ_{j∈b} p_j ] + (last bin's term, direct)
///
/// where the inner sums are differences of prefix sums (`j = i−1` carries the tail and is scored
/// directly). Counts are integers below 2^53, so `C_b`, `N_b`, `C` are exact; what remains is
/// rounding, bounded by ``tolerance`` × magnitude (`Σ p(1 + |log p| + |log q|)` plus the whole
/// entropy, which covers the prefix differences): standard `γ_k = k·u` summation bounds with
/// `k ≤ 4(L+2)(n+16)`, doubled, so the same bound covers the direct (exact) score too.
struct TensorRTScreen {
    /// `suffix[j] = Σ_{k≥j} h[k]`, shared with the exact scorer.
    let suffix: [Double]
    private let h: [Double]
    private let levels: Int
    /// `counts[j] = Σ_{k<j} h[k]`, `nonEmpty[j] = #{k < j : h[k] ≠ 0}`, `pLogP[j] = Σ_{k<j} p_k log p_k`.
    private let counts: [Double]
    private let nonEmpty: [Int]
    private let pLogP: [Double]
    private let total: Double
    /// `Σ_k |p_k log p_k| + Σ_k p_k` over all bins (prefix-difference error scale).
    private let prefixMagnitude: Double
    /// Relative error bound per unit of magnitude: `8·u·(L+2)·(n+16)`.
    let tolerance: Double

    /// `nil` when the histogram is degenerate for the screen (empty, or a total of 2^53 or more, where
    /// counts stop being exact): the caller then runs the direct search.
    init?(_ h: [Double], levels: Int) {
        let n = h.count
        var suffix = [Double](repeating: 0, count: n + 1)
        for j in stride(from: n - 1, through: 0, by: -1) { suffix[j] = suffix[j + 1] + h[j] }
        let total = suffix[0]
        guard total > 0, total < 0x1p53, levels > 0 else { return nil }
        var counts = [Double](repeating: 0, count: n + 1)
        var nonEmpty = [Int](repeating: 0, count: n + 1)
        var pLogP = [Double](repeating: 0, count: n + 1)
        for j in 0..<n {
            let p = h[j] / total
            counts[j + 1] = counts[j] + h[j]
            nonEmpty[j + 1] = nonEmpty[j] + (h[j] != 0 ? 1 : 0)
            pLogP[j + 1] = pLogP[j] + (p > 0 ? p * log(p) : 0)
        }
        self.suffix = suffix
        self.h = h
        self.levels = levels
        self.counts = counts
        self.nonEmpty = nonEmpty
        self.pLogP = pLogP
        self.total = total
        prefixMagnitude = Swift.abs(pLogP[n]) + 1
        tolerance = 8 * Double.ulpOfOne * Double(levels + 2) * Double(n + 16)
    }

    /// Candidate `i`'s approximate `KL(P‖Q)` and a bound on its distance to the exact (direct) score;
    /// `nil` when the exact score is `+∞` (the last bin has no count but carries a tail: `p > 0 = q`).
    func divergence(_ i: Int) -> (kl: Double, error: Double)? {
        if h[i - 1] == 0 && suffix[i] > 0 { return nil }
        let qTotal = counts[i]
        let l = levels
        var kl = 0.0
        var magnitude = prefixMagnitude
        for b in 0..<l {
            let lo = (b * i + l - 1) / l
            let hi = Swift.min(((b + 1) * i + l - 1) / l, i)
            guard lo < hi else { continue }
            let bins = nonEmpty[hi] - nonEmpty[lo]
            guard bins > 0 else { continue }
            // q_b = C_b / N_b / C, the expanded density of every non-empty bin of b.
            let q = (counts[hi] - counts[lo]) / Double(bins) / qTotal
            let logQ = log(q)
            let regularEnd = hi == i ? i - 1 : hi
            if regularEnd > lo {
                // Σ p log(p/q) = Σ p log p − log q · Σ p over the bins without the tail.
                let sumP = (counts[regularEnd] - counts[lo]) / total
                let sumPLogP = pLogP[regularEnd] - pLogP[lo]
                kl += sumPLogP - sumP * logQ
                magnitude += sumP * (1 + Swift.abs(logQ)) + Swift.abs(sumPLogP)
            }
            if hi == i {
                // The last bin with the tail: h[i−1] ≠ 0 here (else nil above or p = 0).
                let p = (h[i - 1] + suffix[i]) / total
                if p > 0 {
                    let logP = log(p / q)
                    kl += p * logP
                    magnitude += p * (1 + Swift.abs(log(p)) + Swift.abs(logQ))
                }
            }
        }
        return (kl, tolerance * magnitude)
    }
}
