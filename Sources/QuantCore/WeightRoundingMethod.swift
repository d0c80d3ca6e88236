/// How a weight's integer codes were chosen, with the settings that shaped them: what a package records per
/// weight (`quantization.method` in the manifest) and a configuration's `weights: method:` names.
///
/// - `rtn`: round to nearest on the observer's ranges.
/// - `gptq`: GPTQ error feedback (``damping``, ``blockSize``, ``actOrder``).
/// - `importance-clip`: round to nearest with importance-weighted range search.
///
/// Both methods store plain affine codes and parameters: the weight is `scale · (q − zero_point)` as for
/// round-to-nearest.
public struct WeightRoundingMethod: Sendable, Hashable, Codable {
    /// The method's name.
    public enum Name: String, Sendable, Hashable, Codable, CaseIterable {
        /// Round to nearest (the default).
        case rtn
        /// GPTQ.
        case gptq
        /// Importance-weighted clipping.
        case importanceClip = "importance-clip"
    }

    /// The method.
    public var name: Name
    /// GPTQ: damping as a fraction of the mean diagonal of H.
    public var damping: Double?
    /// GPTQ: columns per lazy-update block.
    public var blockSize: Int?
    /// GPTQ: whether columns were rounded in descending order of diag(H).
    public var actOrder: Bool?

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
    }
}
