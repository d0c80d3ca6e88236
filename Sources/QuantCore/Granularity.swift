/// Which elements of a tensor share one (scale, zero-point) pair.
///
/// A row-major tensor of shape `[d0, d1, …]` is seen around `axis` as `[outer, length, inner]`
/// (`outer = d0·…·d(axis−1)`, `length = d(axis)`, `inner = d(axis+1)·…`); see ``ParameterLayout``.
/// Negative axes count from the end (−1 is the last axis).
public enum Granularity: Sendable, Hashable, Codable, CustomStringConvertible {
    /// One pair for the whole tensor. Parameter shape `[]`.
    case perTensor
    /// One pair per index along `axis` (e.g. output channel of a weight). Parameter shape `[d(axis)]`.
    case perChannel(axis: Int)
    /// One pair per block of `size` consecutive indices along `axis`, for every index of the other
    /// axes (blocked quantization, as ONNX `QuantizeLinear` with `block_size`). The last group along
    /// the axis holds `d(axis) mod size` elements when that is not 0. Parameter shape: the tensor's
    /// shape with `d(axis)` replaced by `⌈d(axis)/size⌉`.
    case perGroup(axis: Int, size: Int)

    /// The tensor seen as blocks for this granularity.
    /// - Throws: ``QuantizationError`` for a negative extent, an axis outside the rank or a group size < 1.
    public func layout(shape: [Int]) throws(QuantizationError) -> ParameterLayout {
        try ParameterLayout(granularity: self, shape: shape)
    }

    /// "per-tensor", "per-channel(axis: 0)", "per-group(axis: 1, size: 128)".
    public var description: String {
        switch self {
        case .perTensor: "per-tensor"
        case .perChannel(let axis): "per-channel(axis: \(axis))"
        case .perGroup(let axis, let size): "per-group(axis: \(axis), size: \(size))"
        }
    }
}
