/// The compact histogram of an activation's finite values (`layers[].activation.histogram`), from which
/// `ptq report` plots the distribution without the activation files.
///
/// Bin `i` holds the values in `[lower_edge + i·bin_width, lower_edge + (i+1)·bin_width)`; `bin_width` is a
/// power of two, `lower_edge` a multiple of it, the first bin holds `observed_min` and the last
/// `observed_max`, and the counts add up to the finite values observed (`element_count − nan_count −
/// inf_count`). Absent in packages written before it was recorded and when no finite value was observed.
public struct ActivationHistogramRecord: Codable, Sendable, Hashable {
    /// Lower edge of the first bin.
    public var lowerEdge: Double
    /// Width of every bin (a power of two).
    public var binWidth: Double
    /// Finite values per bin.
    public var counts: [Int]

    /// Creates a record.
    public init(lowerEdge: Double, binWidth: Double, counts: [Int]) {
        self.lowerEdge = lowerEdge
        self.binWidth = binWidth
        self.counts = counts
    }

    /// Upper edge of the last bin.
    public var upperEdge: Double { lowerEdge + Double(counts.count) * binWidth }

    /// Why the histogram does not fit its activation record, or `nil` when it does: at least one bin, a
    /// finite power-of-two width, a lower edge that is a multiple of it, counts ≥ 0 adding up to the finite
    /// values (`finite`), the observed range inside the first and the last bin.
    public func problem(finite: Int, observedMin: Float?, observedMax: Float?) -> String? {
        guard !counts.isEmpty else { return "has no bins" }
        guard binWidth.isFinite, binWidth > 0, binWidth.significandBitPattern == 0, binWidth.isNormal else {
            return "bin_width \(binWidth) is not a positive power of two"
        }
        guard lowerEdge.isFinite, (lowerEdge / binWidth).rounded() == lowerEdge / binWidth else {
            return "lower_edge \(lowerEdge) is not a multiple of bin_width \(binWidth)"
        }
        guard counts.allSatisfy({ $0 >= 0 }) else { return "has a negative count" }
        let total = counts.reduce(0) { $0 &+ $1 }
        guard total == finite else { return "counts add up to \(total), not the \(finite) finite values observed" }
        guard let low = observedMin.map(Double.init), let high = observedMax.map(Double.init) else {
            return "is present although no finite value was observed"
        }
        let firstEnd = lowerEdge + binWidth
        let lastStart = upperEdge - binWidth
        guard lowerEdge <= low, low < firstEnd, lastStart <= high, high < upperEdge else {
            return
                "bins [\(lowerEdge), \(upperEdge)) do not start at observed_min \(low) and end at observed_max \(high)"
        }
        return nil
    }

    enum CodingKeys: String, CodingKey {
        case lowerEdge = "lower_edge"
        case binWidth = "bin_width"
        case counts
    }
}
