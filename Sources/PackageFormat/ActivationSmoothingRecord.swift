/// The smoothing of a layer's input (an activation record's `smoothing`, `docs/package-format.md`): the deployer
/// divides the input by s (the float32 dataset ``inputScaleDataset`` beside the layer's weight, whose codes
/// quantize W·diag(s); in practice folded into the preceding normalization's scale and shift) and quantizes
/// X·diag(s)⁻¹ per tensor with ``scale`` and ``zeroPoint``:
///
///     q = clamp(round(x_j / s_j / S) + z, qmin, qmax)
///
/// The record's per-channel `scales` are the same grid on X itself, S·s_j (float32 product), with the one
/// shared zero point z. ``rangeMin``/``rangeMax`` is the range of X·diag(s)⁻¹, exactly
/// [min_j(channel_range_min_j / s_j), max_j(channel_range_max_j / s_j)] (float32 divisions), and (S, z) what the
/// profile's formula gives for it.
public struct ActivationSmoothingRecord: Codable, Sendable, Hashable {
    /// `smoothquant`.
    public var method: String
    /// The exponent α of s_j = max|X_j|^α / max|W_j|^(1−α).
    public var alpha: Double
    /// The number of α searched (k/n, k = 0…n−1); absent for a fixed α.
    public var alphaGrid: Int?
    /// Path of s in `tensors.h5` (the weight's `quantization.method.input_scale_dataset`).
    public var inputScaleDataset: String
    /// Lower end of the range of X·diag(s)⁻¹.
    public var rangeMin: Float
    /// Upper end of the range of X·diag(s)⁻¹.
    public var rangeMax: Float
    /// The per-tensor scale S of X·diag(s)⁻¹.
    public var scale: Float
    /// The zero point z shared by every feature.
    public var zeroPoint: Int

    /// Creates a record.
    public init(
        method: String, alpha: Double, alphaGrid: Int?, inputScaleDataset: String, rangeMin: Float, rangeMax: Float,
        scale: Float, zeroPoint: Int
    ) {
        self.method = method
        self.alpha = alpha
        self.alphaGrid = alphaGrid
        self.inputScaleDataset = inputScaleDataset
        self.rangeMin = rangeMin
        self.rangeMax = rangeMax
        self.scale = scale
        self.zeroPoint = zeroPoint
    }

    enum CodingKeys: String, CodingKey {
        case method, alpha
        case alphaGrid = "alpha_grid"
        case inputScaleDataset = "input_scale_dataset"
        case rangeMin = "range_min"
        case rangeMax = "range_max"
        case scale
        case zeroPoint = "zero_point"
    }
}
