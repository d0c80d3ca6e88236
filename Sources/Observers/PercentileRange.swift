/// The `percentile` observer's range method and its options.
///
/// With `q = percentile/100`:
/// - two-sided, interpolated: `[Q(1 − q), Q(q)]` (numpy's linear percentile, `ExactHistogram.quantile`);
/// - two-sided, lower edge: `[L((1 − q)/2), L(1 − (1 − q)/2)]` (ONNX Runtime, `lowerEdgeQuantile`);
/// - absolute: `[−a, a]` with `a = Q_|x|(q)` or `L_|x|(q)` on the folded `|x|` histogram,
///   intersected with `[min, max]`.
public struct PercentileRange: HistogramRange {
    /// Which values the percentile is taken of.
    public enum Mode: String, Codable, Sendable, Hashable, CaseIterable {
        /// `[P(100 − p), P(p)]` of the values (cuts `(100 − p)%` from each tail).
        case twoSided = "two-sided"
        /// `[−P(p), P(p)]` of `|x|`, intersected with `[min, max]`.
        case absolute
    }
    /// How a percentile is read off the bins.
    public enum Convention: String, Codable, Sendable, Hashable, CaseIterable {
        /// numpy's default ("linear") percentile, values spread evenly within a bin (default).
        case interpolated
        /// ONNX Runtime's: lower edge of the first bin whose cumulative fraction reaches `p/100`.
        case lowerEdge = "lower-edge"
    }

    /// Percentile in `(0, 100]` (default 99.99).
    public var percentile: Double
    /// Two-sided (default) or on `|x|`.
    public var mode: Mode
    /// Interpolated (default) or ONNX Runtime's lower-edge convention.
    public var convention: Convention

    /// Creates percentile options; the defaults here are the `percentile` observer's.
    public init(percentile: Double = 99.99, mode: Mode = .twoSided, convention: Convention = .interpolated) {
        self.percentile = percentile
        self.mode = mode
        self.convention = convention
    }

    /// `.percentile(self)`.
    public var method: HistogramRangeMethod { .percentile(self) }

    /// - Throws: `ObserverError.invalidOption` unless `0 < percentile ≤ 100`.
    public func validate() throws(ObserverError) {
        guard percentile > 0 && percentile <= 100 else {
            throw .invalidOption(kind: "percentile", option: "percentile", reason: "must be in (0, 100]")
        }
    }

    /// The percentile range of `h` (see the type's discussion); `target` is not used.
    public func range(of h: ExactHistogram, target: RangeTarget) -> (Float, Float) {
        let q = percentile / 100
        switch (mode, convention) {
        case (.twoSided, .interpolated):
            return (h.quantile(1 - q), h.quantile(q))
        case (.twoSided, .lowerEdge):
            let tail = (1 - q) / 2
            return (h.lowerEdgeQuantile(tail, absolute: false), h.lowerEdgeQuantile(1 - tail, absolute: false))
        case (.absolute, .interpolated):
            let a = h.absQuantile(q)
            return (-a, a)
        case (.absolute, .lowerEdge):
            let a = h.lowerEdgeQuantile(q, absolute: true)
            return (-a, a)
        }
    }
}
