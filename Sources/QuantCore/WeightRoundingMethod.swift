/// How a weight's integer codes were chosen, with the settings that shaped them: what a package records per
/// weight (`quantization.method` in the manifest) and a configuration's `weights: method:` names.
///
/// - `rtn`: round to nearest on the observer's ranges.
/// - `gptq`: GPTQ error feedback (``damping``, ``blockSize``, ``actOrder``).
/// - `importance-clip`: round to nearest with importance-weighted range search.
/// - `awq`: activation-aware scaling (``alpha``, ``alphaGrid``): the codes quantize W·diag(s) for a per-input-feature
///   s stored beside the weight (``inputScaleDataset``, float32, one value per input feature along ``inputAxis``).
/// - `smoothquant`: SmoothQuant (``alpha``; ``alphaGrid`` when α was searched): round to nearest of W·diag(s) for
///   s_j = max|X_j|^α / max|W_j|^(1−α), stored like AWQ's; the layer's activation record carries the matching
///   smoothing (the input is divided by s). Set in a configuration with `weights: smoothing:`, not `method:`.
///
/// Every method stores plain affine codes and parameters: `scale · (q − zero_point)` as for round-to-nearest,
/// divided by s along the input axis when the method records an ``inputScaleDataset`` (Ŵ = deq(q)·diag(s)⁻¹).
public struct WeightRoundingMethod: Sendable, Hashable, Codable {
    /// The method's name.
    public enum Name: String, Sendable, Hashable, Codable, CaseIterable {
        /// Round to nearest (the default).
        case rtn
        /// GPTQ.
        case gptq
        /// Importance-weighted clipping.
        case importanceClip = "importance-clip"
        /// AWQ-style activation-aware scaling.
        case awq
        /// SmoothQuant (recorded; configured with `smoothing:`).
        case smoothquant
    }

    /// The method.
    public var name: Name
    /// GPTQ: damping as a fraction of the mean diagonal of H.
    public var damping: Double?
    /// GPTQ: columns per lazy-update block.
    public var blockSize: Int?
    /// GPTQ: whether columns were rounded in descending order of diag(H).
    public var actOrder: Bool?
    /// AWQ, SmoothQuant: the chosen exponent α (AWQ: s = mean|x|^α; SmoothQuant: max|X|^α / max|W|^(1−α)).
    public var alpha: Double?
    /// AWQ, SmoothQuant with a searched α: the number of α tried (k/n for k = 0…n−1).
    public var alphaGrid: Int?
    /// AWQ, SmoothQuant: path of the float32 s in `tensors.h5` (`<dataset>.input_scale`, shape `[input features]`).
    public var inputScaleDataset: String?
    /// AWQ, SmoothQuant: the axis of the stored weight that holds the input features s scales.
    public var inputAxis: Int?

    /// Creates a record.
    public init(name: Name, damping: Double? = nil, blockSize: Int? = nil, actOrder: Bool? = nil) {
        self.name = name
        self.damping = damping
        self.blockSize = blockSize
        self.actOrder = actOrder
    }

    enum CodingKeys: String, CodingKey {
        case name, damping
        case blockSize = "block_size"
        case actOrder = "act_order"
        case alpha
        case alphaGrid = "alpha_grid"
        case inputScaleDataset = "input_scale_dataset"
        case inputAxis = "input_axis"
    }
}
