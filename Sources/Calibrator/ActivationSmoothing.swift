/// The smoothing of one layer's input (``SmoothingSetting``), decided with the layer's weight: the input is
/// divided by s per feature (a deployer folds diag(s)⁻¹ into the preceding normalization) and quantized per
/// tensor with ``scale`` and ``zeroPoint``, exactly derived from the per-feature ranges (no second pass):
///
///     [rangeMin, rangeMax] = [min_j(min X_j / s_j), max_j(max X_j / s_j)]      (Float32 divisions, s_j > 0)
///     (scale, zeroPoint) = the scheme's parameters for that range
///
/// The effective per-feature scale of X itself is scale·s_j with the one zero point.
public struct ActivationSmoothing: Codable, Sendable, Hashable {
    /// The method (`smoothquant`).
    public var method: SmoothingSetting.Method
    /// The exponent α used.
    public var alpha: Double
    /// The number of α searched, `nil` for a fixed α.
    public var alphaGrid: Int?
    /// The weight dataset whose codes quantize W·diag(s) and beside which s is stored.
    public var weightDataset: String
    /// Lower end of the range of X·diag(s)⁻¹.
    public var rangeMin: Float
    /// Upper end of the range of X·diag(s)⁻¹.
    public var rangeMax: Float
    /// The per-tensor scale S of X·diag(s)⁻¹.
    public var scale: Float
    /// The shared zero point.
    public var zeroPoint: Int32
}

/// The exact finite min and max of each input feature (along the last axis) of a layer's input, observed for
/// smoothing; an empty feature has `[0, 0]`.
public struct FeatureRanges: Codable, Sendable, Hashable {
    /// Per-feature minima.
    public var mins: [Float]
    /// Per-feature maxima.
    public var maxs: [Float]
}
