internal import PackageFormat

/// The per-channel (or per-group) view of one quantized tensor or per-channel activation as a report shows
/// it: each parameter's range and which parameters are outliers.
struct ChannelParameters: Sendable {
    /// How many times the median channel's magnitude a channel must exceed to be marked as an outlier.
    static let outlierFactor = 4.0
    /// The most bars a plot draws; more parameters are drawn in consecutive buckets (each bucket's envelope).
    static let maxBars = 512

    /// Lower end of each parameter's range: the smallest stored (dequantized) value of a weight's channel, the
    /// recorded range of an activation's channel; `0` when only scales are known.
    var low: [Double]
    /// Upper end of each parameter's range (or the scale itself when only scales are known).
    var high: [Double]
    /// Whether ``low``/``high`` are ranges or only scales.
    var isRange: Bool
    /// The smallest and largest scale, when known.
    var scaleRange: (low: Double, high: Double)?
    /// Indices of the outlier parameters: magnitude `max(|low|, |high|)` above ``outlierFactor`` times the
    /// median magnitude (none when the median is 0).
    var outliers: [Int]
    /// The median magnitude.
    var median: Double

    /// Ranges `[low[c], high[c]]` (non-finite ends, of a parameter without finite values, count as 0), with the
    /// parameters' scales for the caption.
    init(low: [Float], high: [Float], scales: [Float]) {
        self.low = low.map { $0.isFinite ? Double($0) : 0 }
        self.high = high.map { $0.isFinite ? Double($0) : 0 }
        isRange = true
        scaleRange = scales.min().flatMap { lo in scales.max().map { (Double(lo), Double($0)) } }
        (outliers, median) = Self.outliers(low: self.low, high: self.high)
    }

    /// Scales only.
    init(scales: [Float]) {
        low = Array(repeating: 0, count: scales.count)
        high = scales.map(Double.init)
        isRange = false
        scaleRange = nil
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
