import Foundation

/// KL-divergence (entropy) threshold searches on a histogram.
public enum EntropySearch {
    /// TensorRT's entropy calibration (as in NVIDIA's pytorch-quantization `_compute_amax_entropy`):
    /// on the `|x|` histogram `h` of `n` bins of width `w`, with `h[0]` replaced by `h[1]`, for every
    /// candidate `i` from `startBin` (128) to `n`: the reference `P` is `h[0..<i]` with all counts
    /// beyond added to its last bin; the candidate `Q` merges `h[0..<i]` into `levels = 2^(bits−1)`
    /// (signed) or `2^bits` (unsigned) quantized bins (`bin j → ⌊j·levels/i⌋`), then spreads each
    /// quantized count evenly over that bin's non-empty source bins. Score `KL(P‖Q)`; the threshold
    /// is `i·w` for the last `i` of minimal divergence. Fewer than `startBin` bins: `startBin` is
    /// lowered to `n`.
    ///
    /// Cost: `O(n·levels)` instead of the direct `O(n²)`. Every candidate is first scored from prefix
    /// sums (``TensorRTScreen``, `O(levels)` each) with a rigorous bound on its rounding error; only
    /// the candidates whose interval can contain the minimum are then scored exactly as the direct
    /// search does (``tensorRTDivergence``), in ascending order with the same tie rule. The result is
    /// therefore identical, bit for bit, to the direct search (``tensorRTExhaustive``), which is kept
    /// for degenerate inputs and as the tests' reference.
    public static func tensorRT(absHistogram h0: [UInt64], binWidth w: Double, levels: Int, startBin: Int = 128)
        -> Double
    {
        guard h0.count > 1, levels > 0 else {
            return tensorRTExhaustive(absHistogram: h0, binWidth: w, levels: levels, startBin: startBin)
        }
        var h = h0.map { Double($0) }  // not `map(Double.init)`: that picks init(bitPattern:) for UInt64
        h[0] = h[1]
        guard let screen = TensorRTScreen(h, levels: levels) else {
            return tensorRTExhaustive(absHistogram: h0, binWidth: w, levels: levels, startBin: startBin)
        }
        let n = h.count
        let start = Swift.min(startBin, n)
        // Screen: approximate divergence and its error bound per candidate (nil: exactly +∞).
        var approx = [(i: Int, kl: Double, error: Double)]()
        approx.reserveCapacity(n - start + 1)
        var upper = Double.infinity
        for i in start...n {
            guard let (kl, error) = screen.divergence(i) else { continue }
            approx.append((i, kl, error))
            upper = Swift.min(upper, kl + error)
        }
        // All candidates infinite: the direct search keeps the last one (`∞ <= ∞`).
        guard !approx.isEmpty else { return Double(n) * w }
        // The exact minimum m ≤ upper; candidate i can reach m only if kl_i − error_i ≤ upper.
        var scratch = DivergenceScratch(levels: levels)
        var bestI = start
        var bestKL = Double.infinity
        for c in approx where c.kl - c.error <= upper {
            let kl = tensorRTDivergence(h, suffix: screen.suffix, i: c.i, levels: levels, scratch: &scratch)
            if kl <= bestKL {
                bestKL = kl
                bestI = c.i
            }
        }
        return Double(bestI) * w
    }

    /// The direct `O(n²)` form of ``tensorRT(absHistogram:binWidth:levels:startBin:)``: every
    /// candidate scored with ``tensorRTDivergence``.
    static func tensorRTExhaustive(absHistogram h0: [UInt64], binWidth w: Double, levels: Int, startBin: Int = 128)
        -> Double
    {
        guard h0.count > 1 else { return Double(h0.count) * w }
        var h = h0.map { Double($0) }  // not `map(Double.init)`: that picks init(bitPattern:) for UInt64
        h[0] = h[1]
        let n = h.count
        let start = Swift.min(startBin, n)
        var suffix = [Double](repeating: 0, count: n + 1)
        for j in stride(from: n - 1, through: 0, by: -1) { suffix[j] = suffix[j + 1] + h[j] }
        var bestI = start
        var bestKL = Double.infinity
        var scratch = DivergenceScratch(levels: levels)
        for i in start...n {
            let kl = tensorRTDivergence(h, suffix: suffix, i: i, levels: levels, scratch: &scratch)
            if kl <= bestKL {
                bestKL = kl
                bestI = i
            }
        }
        return Double(bestI) * w
    }

    /// Per-level accumulators of ``tensorRTDivergence``, reused across candidates.
    struct DivergenceScratch {
        var qCounts: [Double]
        var qNonEmpty: [Int]
        init(levels: Int) {
            qCounts = [Double](repeating: 0, count: levels)
            qNonEmpty = [Int](repeating: 0, count: levels)
        }
    }

    /// `KL(P‖Q)` of candidate `i` exactly as TensorRT's loop computes it (term by term, in bin order);
    /// `+∞` when some `p > 0` meets `q = 0`. `suffix[j] = Σ_{k≥j} h[k]`.
    static func tensorRTDivergence(
        _ h: [Double], suffix: [Double], i: Int, levels: Int, scratch: inout DivergenceScratch
    ) -> Double {
        for j in 0..<levels {
            scratch.qCounts[j] = 0
            scratch.qNonEmpty[j] = 0
        }
        for j in 0..<i where h[j] != 0 {
            let b = Swift.min(j * levels / i, levels - 1)
            scratch.qCounts[b] += h[j]
            scratch.qNonEmpty[b] += 1
        }
        // P: h[0..<i] with the tail in the last bin; Q: expanded quantized density.
        let pTotal = suffix[0]
        var qTotal = 0.0
        for b in 0..<levels where scratch.qNonEmpty[b] > 0 { qTotal += scratch.qCounts[b] }
        var kl = 0.0
        for j in 0..<i {
            let p = (j == i - 1 ? h[j] + suffix[i] : h[j]) / pTotal
            guard p > 0 else { continue }
            let b = Swift.min(j * levels / i, levels - 1)
            let q = h[j] != 0 ? scratch.qCounts[b] / Double(scratch.qNonEmpty[b]) / qTotal : 0
            if q <= 0 { return .infinity }
            kl += p * log(p / q)
        }
        return kl
    }

    /// ONNX Runtime's `get_entropy_threshold` on the signed, zero-centred histogram: absolute bins
    /// `−H…H−1` (`H` bins per side), windows `[−i·w, (i+1)·w)` for `i` from `quantizedBins/2` to `H`,
    /// reference `P` with the outliers added to both end bins, candidate `Q` from merging the window
    /// into `quantizedBins` bins (the remainder into the last) and expanding each merged count,
    /// truncated to an integer, over every position of its span when any of them is non-empty; both
    /// smoothed with ε = 1e-4; the first window of minimal `KL(P‖Q)`. Returns `(low, high)` clamped
    /// to `[min, max]`.
    public static func onnxRuntime(_ data: ExactHistogram, quantizedBins: Int) -> (Double, Double) {
        guard !data.isEmpty else { return (0, 0) }
        let hist = data.includingZero()
        let lastBin = hist.firstBin + Int64(hist.counts.count)
        let half = Int(Swift.max(-hist.firstBin, lastBin, 1))
        var h = [Double](repeating: 0, count: 2 * half)
        for (i, c) in hist.counts.enumerated() { h[Int(hist.firstBin) + i + half] = Double(c) }
        let w = hist.binWidth
        let numBins = h.count
        let zero = half
        let halfQ = quantizedBins / 2
        var prefix = [Double](repeating: 0, count: numBins + 1)
        for j in 0..<numBins { prefix[j + 1] = prefix[j] + h[j] }
        var best = (Double(-zero) * w, Double(numBins - zero) * w)
        var bestKL = Double.infinity
        guard halfQ <= zero else {
            return (Swift.max(best.0, Double(hist.min)), Swift.min(best.1, Double(hist.max)))
        }
        for i in halfQ...zero {
            let start = zero - i
            let end = Swift.min(zero + i + 1, numBins)
            var p = Array(h[start..<end])
            p[0] += prefix[start]
            p[p.count - 1] += prefix[numBins] - prefix[end]
            let m = p.count / quantizedBins
            var q = [Double](repeating: 0, count: p.count)
            for b in 0..<quantizedBins {
                let s = b * m
                let e = s + m
                var merged = prefix[start + e] - prefix[start + s]
                if b == quantizedBins - 1 { merged += prefix[end] - prefix[start + quantizedBins * m] }
                var norm = 0
                for j in s..<e where p[j] != 0 { norm += 1 }
                if norm != 0 {
                    let v = (merged / Double(norm)).rounded(.towardZero)
                    for j in s..<e { q[j] = v }
                }
            }
            guard let ps = smooth(p), let qs = smooth(q) else { continue }
            let kl = divergence(ps, qs)
            if kl < bestKL {
                bestKL = kl
                best = (Double(start - zero) * w, Double(end - zero) * w)
            }
        }
        return (Swift.max(best.0, Double(hist.min)), Swift.min(best.1, Double(hist.max)))
    }

    /// ORT's `smooth_distribution`: zeros become ε, non-zeros lose ε·zeros/nonzeros.
    static func smooth(_ p: [Double], eps: Double = 0.0001) -> [Double]? {
        let zeros = p.reduce(0) { $0 + ($1 == 0 ? 1 : 0) }
        let nonZeros = p.count - zeros
        guard nonZeros > 0 else { return nil }
        let eps1 = eps * Double(zeros) / Double(nonZeros)
        return p.map { $0 == 0 ? eps : $0 - eps1 }
    }

    /// `Σ p log(p/q)` of the normalised distributions.
    static func divergence(_ p: [Double], _ q: [Double]) -> Double {
        let ps = p.reduce(0, +)
        let qs = q.reduce(0, +)
        var kl = 0.0
        for j in 0..<p.count where p[j] > 0 {
            let a = p[j] / ps
            let b = q[j] / qs
            kl += b > 0 ? a * log(a / b) : .infinity
        }
        return kl
    }
}
