/// The `percentile` observer's range method and its options.
///
/// With `q = percentile/100`, the percentile is taken of `|x|` or of each tail (``Tails``):
/// - absolute: `[−a, a]` intersected with `[min, max]`, with `a = Q_|x|(q)` (interpolated) or
///   `L_|x|(q)` (lower edge) on the folded `|x|` histogram — ONNX Runtime's symmetric
///   `HistogramCalibrater` percentile and TensorRT/ModelOpt's percentile calibrator;
/// - each tail, interpolated: `[Q(1 − q), Q(q)]` (numpy's linear percentile, `ExactHistogram.quantile`;
///   cuts `1 − q` from each tail);
/// - each tail, lower edge: `[L(c), L(1 − c)]` with `c = (100 − percentile)/200` (ONNX Runtime's asymmetric
///   percentile: cuts `(1 − q)/2` from each tail, `lowerEdgeQuantile`; `q`, `c` computed as ORT does).
///
/// By default (`tails: scheme`) a symmetric target takes the absolute form and an asymmetric one
/// each tail. The statistic is the same for all of them, so merging stays exact.
public struct PercentileRange: HistogramRange {
    /// Which values the percentile is taken of.
    public enum Tails: String, Codable, Sendable, Hashable, CaseIterable {
        /// Follows the range's scheme: `absolute` for a symmetric target, `each` for an asymmetric one.
        case scheme
        /// `[−P_|x|(p), P_|x|(p)]`: the percentile of `|x|`, intersected with `[min, max]`.
        case absolute
        /// Each tail's own percentile: `[P(100 − p), P(p)]` (or ORT's halved tails with `lower-edge`).
        case each
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
    /// Of `|x|`, of each tail, or as the scheme says (default).
    public var tails: Tails
    /// Interpolated (default) or ONNX Runtime's lower-edge convention.
    public var convention: Convention

    /// Creates percentile options; the defaults here are the `percentile` observer's.
    public init(percentile: Double = 99.99, tails: Tails = .scheme, convention: Convention = .interpolated) {
        self.percentile = percentile
        self.tails = tails
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

    /// Whether the percentile is taken of `|x|` for `target` (`tails` resolved against its scheme).
    public func isAbsolute(for target: RangeTarget) -> Bool {
        switch tails {
        case .scheme: target.symmetric
        case .absolute: true
        case .each: false
        }
    }

    /// The percentile range of `h` (see the type's discussion); `target` only resolves `tails: scheme`.
    public func range(of h: ExactHistogram, target: RangeTarget) -> (Float, Float) {
        let q = percentile / 100
        switch (isAbsolute(for: target), convention) {
        case (false, .interpolated):
            return (h.quantile(1 - q), h.quantile(q))
        case (false, .lowerEdge):
            let cut = (100 - percentile) / 200
            return (h.lowerEdgeQuantile(cut, absolute: false), h.lowerEdgeQuantile(1 - cut, absolute: false))
        case (true, .interpolated):
            let a = h.absQuantile(q)
            return (-a, a)
        case (true, .lowerEdge):
            let a = h.lowerEdgeQuantile(q, absolute: true)
            return (-a, a)
        }
    }

    private enum CodingKeys: String, CodingKey { case percentile, tails, convention }
    private enum LegacyKeys: String, CodingKey { case mode }

    /// Decodes `percentile`, `tails`, `convention`; a snapshot saved before `tails` existed has
    /// `mode: two-sided | absolute`, read as `each | absolute`.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        percentile = try c.decode(Double.self, forKey: .percentile)
        convention = try c.decode(Convention.self, forKey: .convention)
        if let t = try c.decodeIfPresent(Tails.self, forKey: .tails) {
            tails = t
            return
        }
        let legacy = try decoder.container(keyedBy: LegacyKeys.self)
        switch try legacy.decodeIfPresent(String.self, forKey: .mode) {
        case nil: tails = .scheme
        case "absolute": tails = .absolute
        case "two-sided": tails = .each
        case let other?:
            throw DecodingError.dataCorruptedError(
                forKey: .mode, in: legacy, debugDescription: "invalid mode '\(other)' (allowed: two-sided, absolute)")
        }
    }

    /// Encodes `percentile`, `tails`, `convention`.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(percentile, forKey: .percentile)
        try c.encode(tails, forKey: .tails)
        try c.encode(convention, forKey: .convention)
    }
}
