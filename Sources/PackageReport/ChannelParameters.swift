internal import PackageFormat

/// The per-channel (or per-group) parameters of one quantized tensor as a report shows them: each
/// parameter's representable range and which parameters are outliers.
struct ChannelParameters: Sendable {
    /// How many times the median channel's magnitude a channel must exceed to be marked as an outlier.
    static let outlierFactor = 4.0
    /// The most bars a plot draws; more parameters are drawn in consecutive buckets (each bucket's envelope).
    static let maxBars = 512

    /// Lower end of each parameter's range: `s·(qmin − z)` for integer codes, `0` when only scales are known.
    var low: [Double]
    /// Upper end: `s·(qmax − z)`, or the scale itself when only scales are known.
    var high: [Double]
    /// Whether ``low``/``high`` are ranges (integer codes) or only scales (minifloat, block-scaled).
    var isRange: Bool
    /// Indices of the outlier parameters: magnitude `max(|low|, |high|)` above ``outlierFactor`` times the
    /// median magnitude (none when the median is 0).
    var outliers: [Int]
    /// The median magnitude.
    var median: Double

    /// Ranges from scales and zero points of `qmin…qmax` codes.
    init(scales: [Float], zeroPoints: [Int32], qmin: Int, qmax: Int) {
        low = zip(scales, zeroPoints).map { Double($0) * Double(qmin - Int($1)) }
        high = zip(scales, zeroPoints).map { Double($0) * Double(qmax - Int($1)) }
        isRange = true
        (outliers, median) = Self.outliers(low: low, high: high)
    }

    /// Scales only.
    init(scales: [Float]) {
        low = Array(repeating: 0, count: scales.count)
        high = scales.map(Double.init)
        isRange = false
        (outliers, median) = Self.outliers(low: low, high: high)
    }

    /// Number of parameters.
    var count: Int { high.count }

    /// The outlier rule: magnitude > ``outlierFactor`` × the median magnitude.
    static func outliers(low: [Double], high: [Double]) -> ([Int], Double) {
        let magnitude = zip(low, high).map { max(abs($0), abs($1)) }
        let sorted = magnitude.sorted()
        guard !sorted.isEmpty else { return ([], 0) }
        let mid = sorted.count / 2
        let median = sorted.count % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2
        guard median > 0 else { return ([], median) }
        return (magnitude.indices.filter { magnitude[$0] > outlierFactor * median }, median)
    }

    /// The bars to draw: at most ``maxBars``, each the envelope of consecutive parameters `first…last`,
    /// an outlier when any of them is.
    var bars: [(first: Int, last: Int, low: Double, high: Double, outlier: Bool)] {
        let n = count
        guard n > 0 else { return [] }
        let per = (n + Self.maxBars - 1) / Self.maxBars
        let marked = Set(outliers)
        return stride(from: 0, to: n, by: per).map { first in
            let last = min(n, first + per) - 1
            let lows = low[first...last]
            let highs = high[first...last]
            return (
                first, last, lows.min() ?? 0, highs.max() ?? 0, (first...last).contains { marked.contains($0) }
            )
        }
    }
}
