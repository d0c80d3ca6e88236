public import Observers
public import QuantCore

extension ExactHistogram {
    /// Expected squared quantization error per value on the grid `(scale, zeroPoint, format)`, with each
    /// bin's count spread uniformly over the bin: `Σ countᵢ/w · ∫_binᵢ (x − x̂(x))² dx / Σ countᵢ`, where
    /// `x̂ = s·(clamp(round(x/s) + z, qmin, qmax) − z)` (the exact integral over every grid cell and the
    /// clipped tails). 0 for an empty histogram.
    public func expectedSquaredError(scale: Float, zeroPoint: Int32, format: IntegerFormat) -> Double {
        let target = RangeTarget(bits: format.bits, symmetric: false, qmin: Int(format.qmin), qmax: Int(format.qmax))
        guard !isEmpty, scale > 0, scale.isFinite, var grid = QuantizationGrid(lo: -1, hi: 1, target: target) else {
            return 0
        }
        grid.scale = Double(scale)
        grid.zeroPoint = Int(zeroPoint)
        return grid.expectedSquaredError(counts: counts, lowerEdge: lowerEdge, width: binWidth)
    }

    /// Fraction of the counted values outside `[low, high]`, each bin's count spread uniformly over it.
    public func fractionOutside(low: Double, high: Double) -> Double {
        let width = binWidth
        var outside = 0.0
        var total = 0.0
        for (i, count) in counts.enumerated() where count != 0 {
            let a = lowerEdge(i)
            let b = a + width
            let c = Double(count)
            total += c
            // part of [a, b) below `low` plus part above `high`
            let below = Swift.max(0, Swift.min(b, low) - a)
            let above = Swift.max(0, b - Swift.max(a, high))
            outside += c * Swift.min(1, (below + above) / width)
        }
        return total > 0 ? outside / total : 0
    }
}
