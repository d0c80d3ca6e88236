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
    ///
    /// The scores are computed in ORT's own arithmetic, so near-ties resolve as ORT resolves them:
    /// `smooth_distribution` casts to float32, SciPy's `entropy` normalises and sums in float32 with
    /// NumPy's pairwise summation (``numpyPairwiseSum(_:)``) and evaluates each term
    /// `rel_entr(p, q) = p·log(p/q)` in float64 rounded to float32, and ORT stores the divergence as float32.
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
        guard halfQ <= zero else {
            let full = (Double(-zero) * w, Double(numBins - zero) * w)
            return (Swift.max(full.0, Double(hist.min)), Swift.min(full.1, Double(hist.max)))
        }
        // ORT's argmin: the first window of least divergence (the first window when every score is infinite).
        var best = (Double(-halfQ) * w, Double(Swift.min(zero + halfQ + 1, numBins) - zero) * w)
        var bestKL = Float.infinity
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

    /// ORT's `smooth_distribution` in its float32 arithmetic: zeros become fl(ε); a non-zero count c becomes
    /// fl(fl(c) + fl(−ε₁)) with ε₁ = ε·zeros/nonzeros computed in float64.
    static func smooth(_ p: [Double], eps: Double = 0.0001) -> [Float]? {
        let zeros = p.reduce(0) { $0 + ($1 == 0 ? 1 : 0) }
        let nonZeros = p.count - zeros
        guard nonZeros > 0 else { return nil }
        let minusEps1 = Float(-(eps * Double(zeros) / Double(nonZeros)))
        let epsilon = Float(eps)
        return p.map { $0 == 0 ? epsilon : Float($0) + minusEps1 }
    }

    /// SciPy's `entropy(p, q)` on float32 arrays: `Σ rel_entr(p/Σp, q/Σq)`, the sums NumPy's pairwise float32
    /// sums, each term `a·log(a/b)` computed in float64 from the float32 `a`, `b` and rounded to float32.
    static func divergence(_ p: [Float], _ q: [Float]) -> Float {
        let ps = numpyPairwiseSum(p[...])
        let qs = numpyPairwiseSum(q[...])
        var terms = [Float](repeating: 0, count: p.count)
        for j in 0..<p.count {
            let a = Double(p[j] / ps)
            let b = Double(q[j] / qs)
            terms[j] =
                if a > 0 && b > 0 {
                    Float(a * log(a / b))
                } else if a == 0 && b >= 0 {
                    0
                } else {
                    .infinity
                }
        }
        return numpyPairwiseSum(terms[...])
    }

    /// NumPy's float32 `sum` of a contiguous array (`pairwise_sum` in its `loops_utils.h`): fewer than 8
    /// values summed in order from 0; up to 128 in eight interleaved partial sums combined as
    /// ((r0+r1)+(r2+r3))+((r4+r5)+(r6+r7)), the remainder added after; longer arrays split at half the count
    /// rounded down to a multiple of 8, each half summed so, and the two sums added. Every operation rounds to
    /// float32.
    static func numpyPairwiseSum(_ a: ArraySlice<Float>) -> Float {
        let n = a.count
        let base = a.startIndex
        if n < 8 {
            var sum: Float = 0
            for v in a { sum += v }
            return sum
        }
        if n <= 128 {
            var r = (0..<8).map { a[base + $0] }
            var i = 8
            while i < n - n % 8 {
                for k in 0..<8 { r[k] += a[base + i + k] }
                i += 8
            }
            var sum = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]))
            while i < n {
                sum += a[base + i]
                i += 1
            }
            return sum
        }
        var half = n / 2
        half -= half % 8
        return numpyPairwiseSum(a[base..<(base + half)]) + numpyPairwiseSum(a[(base + half)...])
    }
}
