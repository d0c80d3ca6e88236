/// What the ``CompatibilityProfile/ptqkit`` profile does with a range that gives no usable scale:
/// an all-zero tensor or dead channel (`min(min,0) == max(max,0) == 0`), a range so narrow that the
/// scale falls below ``AffineScheme/minimumScale``, an empty range (`min > max`, e.g. an observer that
/// saw nothing) or a non-finite one (NaN or ±Inf bounds).
///
/// Whatever the policy, the parameters are finite and positive, 0 maps exactly to the zero-point,
/// and a ``DegenerateRange`` warning is recorded so the caller can report it. The other profiles keep
/// their tool's own behaviour (for bit-exactness) and record the same warnings.
public enum DegenerateRangePolicy: Sendable, Hashable, Codable {
    /// scale = 1 and the symmetric zero-point (0 signed, middle code unsigned): every value of the
    /// degenerate block (all zeros) is reproduced exactly. The default.
    case unitScale
    /// A caller-chosen scale (finite, > 0; otherwise 1 is used) with the symmetric zero-point.
    case fixedScale(Float)
}

/// A warning that one parameter pair came from a degenerate range; see ``DegenerateRangePolicy``.
public struct DegenerateRange: Sendable, Hashable, Codable, CustomStringConvertible {
    /// What was wrong with the range.
    public enum Reason: String, Sendable, Hashable, Codable {
        /// `min > max` (e.g. +inf / −inf from an observer that saw no finite value).
        case empty
        /// A bound is NaN or infinite.
        case nonFinite
        /// `min(min,0) == max(max,0)`: all zeros (or a dead channel).
        case zeroWidth
        /// The range is nonzero but its scale is below the profile's floor (or ≤ 2^−24 amax for TensorRT).
        case belowMinimumScale
    }

    /// Index of the parameter pair (0 per tensor; channel or group index otherwise).
    public var parameterIndex: Int
    /// The observed minimum.
    public var min: Float
    /// The observed maximum.
    public var max: Float
    /// The reason.
    public var reason: Reason
    /// The scale that was used.
    public var scale: Float

    /// Creates a warning record.
    public init(parameterIndex: Int, min: Float, max: Float, reason: Reason, scale: Float) {
        self.parameterIndex = parameterIndex
        self.min = min
        self.max = max
        self.reason = reason
        self.scale = scale
    }

    /// "parameter 3: range [0, 0] zeroWidth, scale 1".
    public var description: String {
        "parameter \(parameterIndex): range [\(min), \(max)] \(reason.rawValue), scale \(scale)"
    }
}
