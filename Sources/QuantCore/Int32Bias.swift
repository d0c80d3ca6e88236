/// Bias quantization to int32 with zero point 0, as integer kernels add it to the int32 accumulator:
/// `q = clamp(round_half_even(b / s), −2³¹, 2³¹ − 1)` computed in Double (every int32 is exact), NaN → 0,
/// and `b̂ = s · Float(q)`.
public enum Int32Bias {
    /// The codes, their reconstruction and the number of saturated (clamped) values of `values` with one
    /// scale per element (`scales.count == values.count`) or one for all (`scales.count == 1`).
    /// - Precondition: `scales` has 1 or `values.count` elements.
    public static func quantize(
        _ values: [Float], scales: [Float]
    ) -> (codes: [Int32], restored: [Float], saturated: Int) {
        precondition(scales.count == 1 || scales.count == values.count, "one scale, or one per value")
        var codes = [Int32](repeating: 0, count: values.count)
        var restored = [Float](repeating: 0, count: values.count)
        var saturated = 0
        for (i, b) in values.enumerated() {
            let s = scales[scales.count == 1 ? 0 : i]
            let q = (Double(b) / Double(s)).rounded(.toNearestOrEven)
            if q < Double(Int32.min) || q > Double(Int32.max) { saturated += 1 }
            codes[i] = q.isNaN ? 0 : Int32(Swift.max(Double(Int32.min), Swift.min(Double(Int32.max), q)))
            restored[i] = s * Float(codes[i])
        }
        return (codes, restored, saturated)
    }
}
