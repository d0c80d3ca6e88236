/// How `x / s` is rounded to an integer code.
public enum RoundingRule: String, Sendable, Hashable, Codable, CaseIterable {
    /// Round half to even (IEEE default; PyTorch, ONNX Runtime, TensorRT). 2.5 → 2, 3.5 → 4, −2.5 → −2.
    case toNearestOrEven
    /// Round half away from zero (C `round`; AIMET). 2.5 → 3, −2.5 → −3.
    case toNearestOrAwayFromZero

    /// `x` rounded to an integral value by this rule.
    @inlinable
    public func round(_ x: Float) -> Float {
        switch self {
        case .toNearestOrEven: x.rounded(.toNearestOrEven)
        case .toNearestOrAwayFromZero: x.rounded(.toNearestOrAwayFromZero)
        }
    }

    /// `x` rounded to an integral value by this rule.
    @inlinable
    public func round(_ x: Double) -> Double {
        switch self {
        case .toNearestOrEven: x.rounded(.toNearestOrEven)
        case .toNearestOrAwayFromZero: x.rounded(.toNearestOrAwayFromZero)
        }
    }

    /// The floating-point rounding rule of the standard library.
    public var floatingPointRule: FloatingPointRoundingRule {
        switch self {
        case .toNearestOrEven: .toNearestOrEven
        case .toNearestOrAwayFromZero: .toNearestOrAwayFromZero
        }
    }
}
