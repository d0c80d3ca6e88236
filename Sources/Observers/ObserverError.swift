/// Errors raised while observing data, merging observers or restoring their state.
///
/// Every case names what was wrong and where, so a caller can print it as is.
public enum ObserverError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The batch's element count is not the product of its shape.
    case shapeMismatch(shape: [Int], elementCount: Int)
    /// The batch's shape is incompatible with the observer's granularity (axis out of range,
    /// group size not positive, or a shape that differs from earlier batches where it must match).
    case incompatibleShape(shape: [Int], expected: String)
    /// A NaN or ±Inf was seen while the observer's policy is `.error`.
    case nonFinite(kind: String, nan: UInt64, positiveInfinity: UInt64, negativeInfinity: UInt64)
    /// `merge` was given an observer of the same type but different options or layout.
    case mergeMismatch(kind: String, reason: String)
    /// A saved state could not be restored.
    case invalidState(kind: String, reason: String)
    /// An option value is outside its documented domain.
    case invalidOption(kind: String, option: String, reason: String)

    public var description: String {
        switch self {
        case .shapeMismatch(let shape, let count):
            return "batch of \(count) elements does not match shape \(shape)"
        case .incompatibleShape(let shape, let expected):
            return "batch shape \(shape) is incompatible: \(expected)"
        case .nonFinite(let kind, let nan, let pinf, let ninf):
            return "\(kind): non-finite values (NaN \(nan), +Inf \(pinf), -Inf \(ninf)) and the policy is 'error'"
        case .mergeMismatch(let kind, let reason):
            return "\(kind): cannot merge: \(reason)"
        case .invalidState(let kind, let reason):
            return "\(kind): invalid saved state: \(reason)"
        case .invalidOption(let kind, let option, let reason):
            return "\(kind): option '\(option)': \(reason)"
        }
    }
}
