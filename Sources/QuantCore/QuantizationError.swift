/// Why an integer-quantization value or operation was rejected. Each case names the offending values.
public enum QuantizationError: Error, Sendable, Hashable, CustomStringConvertible {
    /// An integer format's bit width is outside 2…16.
    case bitWidthOutOfRange(Int)
    /// A shape has a negative extent.
    case invalidShape([Int])
    /// The granularity's axis does not exist in a tensor of this rank.
    case axisOutOfRange(axis: Int, rank: Int)
    /// A per-group granularity has a group size < 1.
    case invalidGroupSize(Int)
    /// A buffer's element count differs from what the shape (or the other buffer) requires.
    case countMismatch(expected: Int, actual: Int, what: String)
    /// The number of (min, max) ranges or parameters differs from the granularity's parameter count.
    case parameterCountMismatch(expected: Int, actual: Int)
    /// A scale is not finite and positive, or a zero-point lies outside the format's codes.
    case invalidParameter(index: Int, scale: Float, zeroPoint: Int32)
    /// The code element type cannot hold every code of the format.
    case codeTypeTooNarrow(codeType: String, qmin: Int32, qmax: Int32)
    /// Packed storage supports 1, 2, 4 and 8 bits per code; this format has another width.
    case unsupportedPackedWidth(Int)
    /// The compatibility profile cannot express this scheme (e.g. TensorRT is symmetric only).
    case unsupportedByProfile(profile: CompatibilityProfile, reason: String)
    /// A fixed-point layout is impossible (negative field widths, more than 63 magnitude bits,
    /// or a decimal fraction with more digits than 18).
    case invalidFixedPointLayout(String)

    /// A one-line explanation naming the offending values.
    public var description: String {
        switch self {
        case .bitWidthOutOfRange(let bits): "integer bit width \(bits) outside 2...16"
        case .invalidShape(let shape): "shape \(shape) has a negative extent"
        case .axisOutOfRange(let axis, let rank): "axis \(axis) out of range for a tensor of rank \(rank)"
        case .invalidGroupSize(let size): "group size \(size) must be >= 1"
        case .countMismatch(let expected, let actual, let what):
            "\(what): expected \(expected) elements, got \(actual)"
        case .parameterCountMismatch(let expected, let actual):
            "expected \(expected) ranges/parameters for this granularity, got \(actual)"
        case .invalidParameter(let index, let scale, let zeroPoint):
            "parameter \(index): scale \(scale) must be finite and > 0 and zero-point \(zeroPoint) a code of the format"
        case .codeTypeTooNarrow(let type, let qmin, let qmax):
            "code type \(type) cannot hold codes \(qmin)...\(qmax)"
        case .unsupportedPackedWidth(let bits): "packed storage needs 1, 2, 4 or 8 bits per code, not \(bits)"
        case .unsupportedByProfile(let profile, let reason): "profile \(profile): \(reason)"
        case .invalidFixedPointLayout(let reason): "invalid fixed-point layout: \(reason)"
        }
    }
}
