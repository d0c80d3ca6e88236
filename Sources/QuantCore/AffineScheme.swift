/// A uniform affine integer quantization scheme: how to turn a (min, max) range into a scale `s`
/// and zero-point `z`, and how to round.
///
///     q  = clamp(round(x / s) + z, qmin, qmax)      (quantize; `x · (1/s)` for some profiles)
///     x̂  = s · (q − z)                               (dequantize)
///
/// (The seed's `Q(x) = int(x/s) − z` and `x = s·x_int + z` are slips: the zero-point is added to the
/// rounded quotient and subtracted before scaling, so that x = 0 gives q = z and x̂ = 0 exactly.)
///
/// The range is always widened to contain 0 (`lo = min(min, 0)`, `hi = max(max, 0)`), so zero
/// padding and ReLU zeros are represented exactly. The formulas per ``CompatibilityProfile`` are in
/// ``parameters(min:max:)``.
public struct AffineScheme: Sendable, Hashable, Codable {
    /// The code format (bit width, signedness, narrow range). Codes are clamped to its range.
    public var format: IntegerFormat
    /// Symmetric (fixed zero-point) or asymmetric.
    public var symmetry: Symmetry
    /// Rounding of `x/s` (and of the asymmetric zero-point).
    public var rounding: RoundingRule
    /// Which elements share parameters.
    public var granularity: Granularity
    /// Whose formulas to reproduce.
    public var profile: CompatibilityProfile
    /// What ``CompatibilityProfile/ptqkit`` does with degenerate ranges (ignored by the other profiles,
    /// which keep their tool's behaviour; all profiles record ``DegenerateRange`` warnings).
    public var degenerateRangePolicy: DegenerateRangePolicy
    /// Round every scale up to a power of two 2^k (fixed-point hardware: the multiply becomes a
    /// shift); the asymmetric zero-point is recomputed for the new scale. Rounding up never clips.
    public var powerOfTwoScale: Bool

    /// The ``CompatibilityProfile/ptqkit`` scale floor: the smallest normal `Float`, 2^−126. A smaller
    /// scale would be subnormal (and `x / s` overflows for ordinary `x`); such ranges are degenerate.
    public static let minimumScale: Float = .leastNormalMagnitude

    /// Creates a scheme.
    ///
    /// - Parameters:
    ///   - format: the integer code format.
    ///   - symmetry: symmetric (fixed zero-point) or asymmetric.
    ///   - rounding: `nil` uses the profile's ``CompatibilityProfile/defaultRounding``.
    ///   - granularity: per tensor, per channel or per group.
    ///   - profile: whose formulas compute the parameters.
    ///   - degenerateRangePolicy: what ``CompatibilityProfile/ptqkit`` does with degenerate ranges.
    ///   - powerOfTwoScale: round every scale up to a power of two.
    /// - Throws: ``QuantizationError/unsupportedByProfile(profile:reason:)`` for an asymmetric
    ///   ``CompatibilityProfile/tensorrt`` scheme (TensorRT is symmetric only).
    public init(
        format: IntegerFormat = .int8,
        symmetry: Symmetry = .symmetric,
        rounding: RoundingRule? = nil,
        granularity: Granularity = .perTensor,
        profile: CompatibilityProfile = .ptqkit,
        degenerateRangePolicy: DegenerateRangePolicy = .unitScale,
        powerOfTwoScale: Bool = false
    ) throws(QuantizationError) {
        if profile == .tensorrt && symmetry == .asymmetric {
            throw .unsupportedByProfile(
                profile: profile, reason: "TensorRT/ModelOpt integer quantization is symmetric only")
        }
        self.format = format
        self.symmetry = symmetry
        self.rounding = rounding ?? profile.defaultRounding
        self.granularity = granularity
        self.profile = profile
        self.degenerateRangePolicy = degenerateRangePolicy
        self.powerOfTwoScale = powerOfTwoScale
    }

    /// One (scale, zero-point) pair, with the reason if its range was degenerate.
    public struct ScaleAndZeroPoint: Sendable, Hashable {
        /// Scale s > 0, finite.
        public var scale: Float
        /// Zero-point z, in qmin…qmax: the code of 0.0.
        public var zeroPoint: Int32
        /// Non-nil when the range was empty, non-finite, zero-width or below the minimum scale.
        public var degenerate: DegenerateRange.Reason?

        /// Creates a pair.
        public init(scale: Float, zeroPoint: Int32, degenerate: DegenerateRange.Reason? = nil) {
            self.scale = scale
            self.zeroPoint = zeroPoint
            self.degenerate = degenerate
        }
    }

    /// The zero-point of a symmetric grid under ``CompatibilityProfile/ptqkit``: 0 for signed codes,
    /// `⌈(qmin + qmax)/2⌉` for unsigned ones (128 for uint8, 127 for narrow uint8).
    public var symmetricZeroPoint: Int32 {
        format.isSigned ? 0 : Int32((Int(format.qmin) + Int(format.qmax) + 1) / 2)
    }

    /// Parameters for one range `[min, max]` (per-tensor, or one channel/group).
    ///
    /// Never NaN or infinite, never ≤ 0 (where a profile's Float32 formula overflows, the ptqkit formula
    /// is used for that range); a degenerate range is reported in
    /// ``ScaleAndZeroPoint/degenerate``. Formulas per profile (lo = min(min,0), hi = max(max,0),
    /// amax = max(−lo, hi)):
    /// - ptqkit (Double, scale rounded to Float once): symmetric `s = amax / min(z − qmin, qmax − z)`,
    ///   `z` = ``symmetricZeroPoint``; asymmetric `s = (hi − lo)/(qmax − qmin)`,
    ///   `z = clamp(qmin − round(lo / s), qmin, qmax)`. `s < 2^−126` or `hi == lo` → policy; then `s` is
    ///   lowered so that no code a finite input reaches dequantizes to ±Inf (``cappedToFiniteCodes(_:)``).
    /// - pytorch (Float32): symmetric `s = max(amax / ((qmax − qmin)/2), eps)`; asymmetric
    ///   `s = max((hi − lo)/(qmax − qmin), eps)`, `z = clamp(qmin − round(lo/s), qmin, qmax)`;
    ///   eps = 2^−23 (Float32 machine epsilon).
    /// - onnxruntime (Double): `s = (hi − lo)/(qmax − qmin)` on the symmetrised range for symmetric,
    ///   with int8/int16 symmetric using [−127, 127]/[−32767, 32767]; `s < 2^−126` → (1, 0);
    ///   `z = round((qmin + qmax)/2)` symmetric, else `round(qmin − lo/s)`, half to even.
    /// - tensorrt (Float32): `s = amax / (2^(b−1+unsigned) − 1)`, z = 0; amax ≤ 2^−24 → s = 1.
    /// - aimet (Double, libpymo `TfEncodingAnalyzer`): n = qmax − qmin (2^b − 1), hi = max(hi, lo + 0.01);
    ///   symmetric `Δ = amax/⌊n/2⌋`, offset `−⌈n/2⌉`; asymmetric (and unsigned symmetric with min ≥ 0)
    ///   `Δ = (hi − lo)/n`, offset `= −clamp(round(−lo/Δ), 0, n)` half away; z = −offset on codes 0…n,
    ///   shifted by qmin for signed formats.
    public func parameters(min: Float, max: Float) -> ScaleAndZeroPoint {
        var result: ScaleAndZeroPoint
        if min.isNaN || max.isNaN {
            result = degenerate(.nonFinite)
        } else if min > max {
            result = degenerate(.empty)
        } else if !min.isFinite || !max.isFinite {
            result = degenerate(.nonFinite)
        } else {
            switch profile {
            case .ptqkit: result = ptqkitParameters(min: min, max: max)
            case .pytorch: result = pytorchParameters(min: min, max: max)
            case .onnxruntime: result = onnxRuntimeParameters(min: min, max: max)
            case .tensorrt: result = tensorRTParameters(min: min, max: max)
            case .aimet: result = aimetParameters(min: min, max: max)
            }
        }
        if !result.scale.isFinite {
            // A Float32 reference overflowed ((hi − lo) of a range at ±FLT_MAX): its scale would be +Inf.
            // Use the ptqkit formula (in Double) for this range instead.
            result = ptqkitParameters(min: min, max: max)
        }
        if powerOfTwoScale { result = roundedToPowerOfTwo(result, min: min) }
        // The compatibility profiles reproduce their reference bit for bit where it stays finite.
        return profile == .ptqkit || !result.scale.isFinite ? cappedToFiniteCodes(result) : result
    }

    /// Lowers a scale, if needed, so that every code a finite input can reach dequantizes to a finite
    /// Float. For finite x, `q − z = clamp(round(x/s), qmin − z, qmax − z)` and |x/s| ≤ FLT_MAX/s, so
    /// the reachable steps are at most `n = max(min(qmax − z, r), min(z − qmin, r))` with
    /// `r = round(FLT_MAX / s · (1 + 10⁻⁶))` (the margin covers the kernels' Float division); `s·n` must
    /// not overflow. Only ranges within a few ulps of
    /// ±Float.greatestFiniteMagnitude are affected (their extreme values then clip by at most a step);
    /// a power-of-two scale stays a power of two. Applied by the ``CompatibilityProfile/ptqkit`` profile.
    func cappedToFiniteCodes(_ p: ScaleAndZeroPoint) -> ScaleAndZeroPoint {
        guard p.scale.isFinite, p.scale > 0 else { return p }
        let up = Double(format.qmax) - Double(p.zeroPoint)
        let down = Double(p.zeroPoint) - Double(format.qmin)
        // 2^⌊log2 s⌋: also for a scale that rounding up to a power of two left as it was (2^128 overflows).
        func powerOfTwoBelow(_ s: Float) -> Float { Float(sign: .plus, exponent: s.exponent, significand: 1) }
        var scale = powerOfTwoScale ? powerOfTwoBelow(p.scale) : p.scale
        for _ in 0..<64 {
            // round(FLT_MAX/s) with a margin of 1e-6 for the Float division or reciprocal of the kernels
            let reach = (Double(Float.greatestFiniteMagnitude) / Double(scale) * (1 + 1e-6)).rounded()
            let steps = Swift.max(Swift.min(up, reach), Swift.min(down, reach), 1)
            if (scale * Float(steps)).isFinite { break }
            var bound = Float(Double(Float.greatestFiniteMagnitude) / steps)
            while !(bound * Float(steps)).isFinite { bound = bound.nextDown }
            scale = Swift.min(scale.nextDown, bound)
            if powerOfTwoScale { scale = powerOfTwoBelow(scale) }
        }
        var capped = p
        capped.scale = scale
        return capped
    }

    /// The policy's parameters for a degenerate range (used by every profile for empty and
    /// non-finite ranges, and by ptqkit for zero-width and too-narrow ranges).
    func degenerate(_ reason: DegenerateRange.Reason) -> ScaleAndZeroPoint {
        let scale: Float
        switch degenerateRangePolicy {
        case .unitScale: scale = 1
        case .fixedScale(let s): scale = s.isFinite && s > 0 ? s : 1
        }
        return ScaleAndZeroPoint(scale: scale, zeroPoint: symmetricZeroPoint, degenerate: reason)
    }

    /// Rounds the scale up to 2^⌈log2 s⌉ and recomputes an asymmetric zero-point for it.
    func roundedToPowerOfTwo(_ p: ScaleAndZeroPoint, min: Float) -> ScaleAndZeroPoint {
        guard p.scale.isFinite, p.scale > 0 else { return p }
        var r = p
        let e = p.scale.exponent
        let up = p.scale.significand == 1 ? p.scale : Float(sign: .plus, exponent: e + 1, significand: 1)
        guard up.isFinite else { return p }
        r.scale = up
        if symmetry == .asymmetric && p.degenerate == nil && min.isFinite {
            // z = clamp(qmin − round(lo / s), qmin, qmax) on the new scale
            let lo = Double(Swift.min(min, 0))
            let z = Double(format.qmin) - rounding.round(lo / Double(up))
            r.zeroPoint = Int32(Swift.min(Swift.max(z, Double(format.qmin)), Double(format.qmax)))
        }
        return r
    }

    /// Parameters for every channel or group from per-parameter ranges (`mins[k]`, `maxs[k]` for
    /// parameter k of ``ParameterLayout``), with a warning for each degenerate range.
    ///
    /// - Throws: ``QuantizationError`` if the shape does not fit the granularity or the number of
    ///   ranges differs from the layout's parameter count.
    public func parameters(mins: [Float], maxs: [Float], shape: [Int]) throws(QuantizationError)
        -> QuantizationParameters
    {
        let layout = try granularity.layout(shape: shape)
        guard mins.count == layout.parameterCount, maxs.count == layout.parameterCount else {
            throw .parameterCountMismatch(expected: layout.parameterCount, actual: Swift.min(mins.count, maxs.count))
        }
        var scales = [Float](repeating: 1, count: mins.count)
        var zeroPoints = [Int32](repeating: 0, count: mins.count)
        var warnings: [DegenerateRange] = []
        for k in 0..<mins.count {
            let p = parameters(min: mins[k], max: maxs[k])
            scales[k] = p.scale
            zeroPoints[k] = p.zeroPoint
            if let reason = p.degenerate {
                warnings.append(
                    DegenerateRange(parameterIndex: k, min: mins[k], max: maxs[k], reason: reason, scale: p.scale))
            }
        }
        return QuantizationParameters(
            unchecked: format, rounding: rounding, layout: layout, scales: scales, zeroPoints: zeroPoints,
            multipliesByReciprocal: profile.multipliesByReciprocal, warnings: warnings)
    }

    /// Parameters fitted to the finite min/max of `values` (a row-major tensor of `shape`) for each
    /// channel or group. NaN and ±Inf elements are ignored; a block with no finite value is `empty`.
    public func parameters(fitting values: UnsafeBufferPointer<Float>, shape: [Int]) throws(QuantizationError)
        -> QuantizationParameters
    {
        let layout = try granularity.layout(shape: shape)
        let (mins, maxs) = try layout.finiteMinMax(values)
        return try parameters(mins: mins, maxs: maxs, shape: shape)
    }

    /// Parameters fitted to the finite min/max of `values`; see
    /// ``parameters(fitting:shape:)-(UnsafeBufferPointer<Float>,_)``.
    public func parameters(fitting values: [Float], shape: [Int]) throws(QuantizationError) -> QuantizationParameters {
        try values.withUnsafeBufferPointer { (buffer) throws(QuantizationError) in
            try parameters(fitting: buffer, shape: shape)
        }
    }
}
