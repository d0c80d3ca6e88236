/// The uniform grid a candidate clipping range maps to, used to score ranges in the searches.
///
/// Formulas (PyTorch's `_calculate_qparams` shape, in Double): with `lo' = min(lo, 0)`,
/// `hi' = max(hi, 0)`:
/// - asymmetric: `s = (hi' − lo')/(qmax − qmin)`, `z = clamp(qmin − round(lo'/s), qmin, qmax)`;
/// - symmetric: `s = max(−lo', hi')/((qmax − qmin)/2)`, `z = ⌊(qmin + qmax + 1)/2⌋`.
/// `x̂ = s·(clamp(round(x/s) + z, qmin, qmax) − z)`. The final parameters are computed later by the
/// chosen compatibility profile; the searches only need a faithful model of the grid.
public struct QuantizationGrid: Sendable, Hashable {
    /// Step.
    public var scale: Double
    /// Zero point (code of 0.0).
    public var zeroPoint: Int
    /// Smallest code.
    public var qmin: Int
    /// Largest code.
    public var qmax: Int

    /// The grid for clipping range `[lo, hi]` on `target`; `nil` when the range has zero width.
    public init?(lo: Double, hi: Double, target: RangeTarget) {
        let l = Swift.min(lo, 0)
        let h = Swift.max(hi, 0)
        qmin = target.qmin
        qmax = target.qmax
        if target.symmetric {
            scale = Swift.max(-l, h) / (Double(target.steps) / 2)
            zeroPoint = Int(((Double(qmin + qmax + 1)) / 2).rounded(.down))
        } else {
            scale = (h - l) / Double(target.steps)
            guard scale > 0 else { return nil }
            zeroPoint = Swift.min(Swift.max(qmin - Int((l / scale).rounded()), qmin), qmax)
        }
        guard scale > 0, scale.isFinite else { return nil }
    }

    /// Fake-quantized value of `x`.
    @inlinable
    public func fakeQuantize(_ x: Double) -> Double {
        let q = Swift.min(Swift.max((x / scale).rounded() + Double(zeroPoint), Double(qmin)), Double(qmax))
        return scale * (q - Double(zeroPoint))
    }

    /// `∫_a^b (x − x̂(x))² dx`, exactly, for the piecewise-constant `x̂` (split at the cell edges
    /// `(k + ½)·s` and at the clipping points).
    public func squaredErrorIntegral(from a: Double, to b: Double) -> Double {
        guard b > a else { return 0 }
        let lowCode = Double(qmin - zeroPoint)
        let highCode = Double(qmax - zeroPoint)
        var t = a
        var sum = 0.0
        while t < b {
            var k = (t / scale + 0.5).rounded(.down)  // cell of t: x̂ = k·s on [(k−½)s, (k+½)s)
            if (k + 0.5) * scale <= t { k += 1 }  // t on a cell edge after rounding
            if (k - 0.5) * scale > t { k -= 1 }
            var end: Double
            if k >= highCode {
                k = highCode
                end = b
            } else if k < lowCode {
                k = lowCode
                end = Swift.min(b, (lowCode + 0.5) * scale)
            } else {
                end = Swift.min(b, (k + 0.5) * scale)
            }
            if end <= t { end = b }  // cannot happen after the adjustment; guarantees progress
            let c = k * scale
            // ∫_t^end (x − c)² dx = ((end − c)³ − (t − c)³)/3
            let u = end - c
            let v = t - c
            sum += (u * u * u - v * v * v) / 3
            t = end
        }
        return sum
    }

    /// Expected squared error of values distributed as the histogram bins, each bin's count spread
    /// uniformly over it: `Σ count_i / w · ∫_bin (x − x̂)² dx`, divided by the total count.
    public func expectedSquaredError(counts: [UInt64], lowerEdge: (Int) -> Double, width: Double) -> Double {
        var sum = 0.0
        var total = 0.0
        for (i, c) in counts.enumerated() where c != 0 {
            let a = lowerEdge(i)
            sum += Double(c) / width * squaredErrorIntegral(from: a, to: a + width)
            total += Double(c)
        }
        return total > 0 ? sum / total : 0
    }
}
