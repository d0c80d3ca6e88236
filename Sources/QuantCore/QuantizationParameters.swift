/// Scales and zero-points of one tensor for an integer format and granularity: everything the
/// kernels need to quantize, dequantize and fake-quantize it.
///
/// `scales[k]` and `zeroPoints[k]` belong to parameter k of ``layout`` (see ``ParameterLayout`` for
/// which elements use which k). Invariants (kept by ``AffineScheme``): every scale is finite and > 0,
/// every zero-point is in `format.qmin…format.qmax`.
public struct QuantizationParameters: Sendable, Hashable, Codable {
    /// Code format; codes are clamped to `format.qmin…format.qmax`.
    public var format: IntegerFormat
    /// Rounding of `x / s`.
    public var rounding: RoundingRule
    /// Granularity and tensor shape.
    public var layout: ParameterLayout
    /// One scale per parameter (Float32, as every tool stores it).
    public var scales: [Float]
    /// One zero-point per parameter: the code of 0.0.
    public var zeroPoints: [Int32]
    /// Quantize as `x · (1/s)` (PyTorch, TensorRT) instead of `x / s`; see
    /// ``CompatibilityProfile/multipliesByReciprocal``.
    public var multipliesByReciprocal: Bool
    /// Parameters that came from degenerate ranges (empty when none did).
    public var warnings: [DegenerateRange]

    /// Creates parameters, checking counts against the layout and each pair against the format.
    /// - Throws: ``QuantizationError/parameterCountMismatch(expected:actual:)``, or
    ///   ``QuantizationError/invalidParameter(index:scale:zeroPoint:)`` for a scale that is not finite
    ///   and positive or a zero-point outside `format.qmin…format.qmax`.
    public init(
        format: IntegerFormat, rounding: RoundingRule = .toNearestOrEven, layout: ParameterLayout,
        scales: [Float], zeroPoints: [Int32], multipliesByReciprocal: Bool = false, warnings: [DegenerateRange] = []
    ) throws(QuantizationError) {
        guard scales.count == layout.parameterCount, zeroPoints.count == layout.parameterCount else {
            throw .parameterCountMismatch(
                expected: layout.parameterCount, actual: Swift.min(scales.count, zeroPoints.count))
        }
        for k in scales.indices
        where !(scales[k].isFinite && scales[k] > 0 && (format.qmin...format.qmax).contains(zeroPoints[k])) {
            throw .invalidParameter(index: k, scale: scales[k], zeroPoint: zeroPoints[k])
        }
        self.init(
            unchecked: format, rounding: rounding, layout: layout, scales: scales, zeroPoints: zeroPoints,
            multipliesByReciprocal: multipliesByReciprocal, warnings: warnings)
    }

    /// Unchecked memberwise initializer used by ``AffineScheme``.
    init(
        unchecked format: IntegerFormat, rounding: RoundingRule, layout: ParameterLayout, scales: [Float],
        zeroPoints: [Int32],
        multipliesByReciprocal: Bool, warnings: [DegenerateRange]
    ) {
        self.format = format
        self.rounding = rounding
        self.layout = layout
        self.scales = scales
        self.zeroPoints = zeroPoints
        self.multipliesByReciprocal = multipliesByReciprocal
        self.warnings = warnings
    }

    private enum CodingKeys: String, CodingKey {
        case format, rounding, layout, scales, zeroPoints, multipliesByReciprocal, warnings
    }

    /// Decodes and validates (as ``init(format:rounding:layout:scales:zeroPoints:multipliesByReciprocal:warnings:)``).
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        try self.init(
            format: c.decode(IntegerFormat.self, forKey: .format),
            rounding: c.decode(RoundingRule.self, forKey: .rounding),
            layout: c.decode(ParameterLayout.self, forKey: .layout), scales: c.decode([Float].self, forKey: .scales),
            zeroPoints: c.decode([Int32].self, forKey: .zeroPoints),
            multipliesByReciprocal: c.decode(Bool.self, forKey: .multipliesByReciprocal),
            warnings: c.decode([DegenerateRange].self, forKey: .warnings))
    }

    /// Granularity (axis normalized).
    public var granularity: Granularity { layout.granularity }
    /// Tensor shape.
    public var shape: [Int] { layout.shape }

    /// Code of one value with parameter k: `clamp(round(x/s) + z, qmin, qmax)`; NaN gives `z`.
    @inlinable
    public func quantize(_ x: Float, parameter k: Int) -> Int32 {
        let s = scales[k]
        let z = zeroPoints[k]
        var v = multipliesByReciprocal ? x * (1 / s) : x / s
        // Clamping before rounding equals rounding before clamping: the bounds are integers.
        let lo = Float(format.qmin - z)
        let hi = Float(format.qmax - z)
        if v < lo { v = lo }
        if v > hi { v = hi }
        if v.isNaN { v = 0 }
        return Int32(rounding.round(v)) + z
    }

    /// Value of one code with parameter k: `s · (q − z)`.
    @inlinable
    public func dequantize(_ q: Int32, parameter k: Int) -> Float {
        scales[k] * Float(q - zeroPoints[k])
    }

    /// The real values of the smallest and largest code of parameter k: `s·(qmin − z)`, `s·(qmax − z)`.
    public func representableRange(parameter k: Int) -> ClosedRange<Float> {
        dequantize(format.qmin, parameter: k)...dequantize(format.qmax, parameter: k)
    }

    /// The bounds outside which a finite value of parameter k is clipped (its code clamped): the
    /// representable range widened by half a step, `s·(qmin − z) − s/2 … s·(qmax − z) + s/2`, in Float.
    public func clippingBounds(parameter k: Int) -> ClosedRange<Float> {
        let r = representableRange(parameter: k)
        let half = scales[k] / 2
        return (r.lowerBound - half)...(r.upperBound + half)
    }
}
