/// Why a calibration-driven weight method cannot quantize a weight. Each case's ``description`` is a sentence
/// fragment the caller prefixes with the layer and dataset.
public enum WeightRoundingError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The weight is not a matrix these methods understand (rank other than 2, an input axis other than 0 or 1,
    /// or a granularity that is not per tensor, per output channel or per group along the input axis).
    case unsupportedWeight(String)
    /// The input statistics do not fit the weight (feature count, a missing Gram matrix, no rows).
    case statistics(String)
    /// The weight holds a NaN or ±Inf.
    case nonFiniteWeight
    /// H + damping is not positive definite (Cholesky failed at this pivot): raise the damping.
    case notPositiveDefinite(pivot: Int)
    /// A setting is outside its range.
    case invalidSetting(String)
    /// QuantCore refused the scheme or the parameters.
    case quantization(String)

    /// The reason as a sentence fragment.
    public var description: String {
        switch self {
        case .unsupportedWeight(let reason): reason
        case .statistics(let reason): reason
        case .nonFiniteWeight: "the weight holds NaN or infinite values"
        case .notPositiveDefinite(let pivot):
            "the damped Hessian is not positive definite (Cholesky pivot \(pivot)): raise `damping`"
        case .invalidSetting(let reason): reason
        case .quantization(let reason): reason
        }
    }
}
