/// How a histogram observer turns its exact histogram into a clipping range: one case per
/// ``HistogramRange`` method, carrying that method's options.
///
/// The statistic is the same for all methods, so a saved histogram state can be re-calibrated
/// with any of them ("calibrate once, choose later": `HistogramObserver.with(method:)`).
///
/// Its `Codable` form is part of saved snapshots and stays as it is: `{"minmax": {}}`,
/// `{"percentile": {"_0": {…}}}`, `{"mse": {}}`, `{"entropy": {"_0": {…}}}`.
public enum HistogramRangeMethod: Codable, Sendable, Hashable {
    /// `[min, max]` of the data (``MinMaxRange``, `histogram` observer).
    case minmax
    /// A percentile range (``PercentileRange``, `percentile` observer).
    case percentile(PercentileRange)
    /// The range minimising the expected quantization MSE on the target grid (``MSERange``, `mse` observer).
    case mse
    /// A KL-divergence threshold (``EntropyRange``, `entropy` observer).
    case entropy(EntropyRange)

    /// Short name used in reports (`"minmax"`, `"percentile"`, `"mse"`, `"entropy"`).
    public var name: String {
        switch self {
        case .minmax: return "minmax"
        case .percentile: return "percentile"
        case .mse: return "mse"
        case .entropy: return "entropy"
        }
    }

    /// The method's options, checked (see ``HistogramRange/validate()``).
    public func validate() throws(ObserverError) {
        switch self {
        case .minmax: try MinMaxRange().validate()
        case .percentile(let p): try p.validate()
        case .mse: try MSERange().validate()
        case .entropy(let e): try e.validate()
        }
    }

    /// The range of one non-empty histogram; always finite, inside `[min, max]`, `low ≤ high`.
    public func range(of h: ExactHistogram, target: RangeTarget) -> (Float, Float) {
        let lo: Float
        let hi: Float
        switch self {
        case .minmax: (lo, hi) = MinMaxRange().range(of: h, target: target)
        case .percentile(let p): (lo, hi) = p.range(of: h, target: target)
        case .mse: (lo, hi) = MSERange().range(of: h, target: target)
        case .entropy(let e): (lo, hi) = e.range(of: h, target: target)
        }
        return Self.clamped(lo, hi, min: h.min, max: h.max)
    }

    /// A searched `[lo, hi]` clamped into the observed `[min, max]`, in order.
    static func clamped(_ lo: Float, _ hi: Float, min: Float, max: Float) -> (Float, Float) {
        var lo = Swift.min(Swift.max(lo, min), max)
        var hi = Swift.min(Swift.max(hi, min), max)
        if lo > hi { (lo, hi) = (hi, lo) }
        return (lo, hi)
    }
}
