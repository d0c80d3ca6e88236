// The parameter formulas of each CompatibilityProfile, for one finite range [min, max] with min ≤ max.
// Each function mirrors its tool's source line by line (precision and order of operations included).

extension AffineScheme {
    /// PTQKit: Double arithmetic, scale rounded to Float once; see ``parameters(min:max:)``.
    func ptqkitParameters(min: Float, max: Float) -> ScaleAndZeroPoint {
        let lo = Double(Swift.min(min, 0))
        let hi = Double(Swift.max(max, 0))
        let qmin = Double(format.qmin)
        let qmax = Double(format.qmax)
        if hi == lo { return degenerate(.zeroWidth) }
        switch symmetry {
        case .symmetric:
            // s = amax / min(z − qmin, qmax − z): ±amax both land on codes, none is clipped.
            let z = symmetricZeroPoint
            let half = Swift.min(Double(z) - qmin, qmax - Double(z))
            let scale = Float(Swift.max(-lo, hi) / half)
            guard scale >= Self.minimumScale, scale.isFinite else { return degenerate(.belowMinimumScale) }
            return ScaleAndZeroPoint(scale: scale, zeroPoint: z)
        case .asymmetric:
            // s = (hi − lo)/(qmax − qmin); z = clamp(qmin − round(lo/s), qmin, qmax) with the Float s.
            let scale = Float((hi - lo) / (qmax - qmin))
            guard scale >= Self.minimumScale, scale.isFinite else { return degenerate(.belowMinimumScale) }
            let z = qmin - rounding.round(lo / Double(scale))
            return ScaleAndZeroPoint(scale: scale, zeroPoint: Int32(Swift.min(Swift.max(z, qmin), qmax)))
        }
    }

    /// PyTorch `_calculate_qparams` (Float32 tensors; `eps = torch.finfo(torch.float32).eps`).
    func pytorchParameters(min: Float, max: Float) -> ScaleAndZeroPoint {
        let eps = Float.ulpOfOne  // 2^−23 = 1.1920929e−07
        let minNeg = Swift.min(min, 0)
        let maxPos = Swift.max(max, 0)
        let qmin = format.qmin
        let qmax = format.qmax
        let flag: DegenerateRange.Reason? = maxPos == minNeg ? .zeroWidth : nil
        switch symmetry {
        case .symmetric:
            // scale = max(max_val_pos / (float(quant_max − quant_min) / 2), eps)
            let amax = Swift.max(-minNeg, maxPos)
            let raw = amax / (Float(qmax - qmin) / 2)
            let scale = Swift.max(raw, eps)
            let z: Int32
            if format.isSigned {
                z = 0
            } else if format.bits == 8 && !format.isNarrow {
                z = 128  // quint8 without a customized range
            } else if format.bits == 16 && !format.isNarrow {
                z = 1 << 15  // torch.uint16
            } else {
                z = (qmin + qmax) / 2  // customized range: (quant_min + quant_max) // 2
            }
            return ScaleAndZeroPoint(
                scale: scale, zeroPoint: z, degenerate: flag ?? (raw < eps ? .belowMinimumScale : nil))
        case .asymmetric:
            // scale = max((max_val_pos − min_val_neg) / float(quant_max − quant_min), eps)
            // zero_point = clamp(quant_min − round(min_val_neg / scale), quant_min, quant_max)
            let raw = (maxPos - minNeg) / Float(qmax - qmin)
            let scale = Swift.max(raw, eps)
            let z = Float(qmin) - (minNeg / scale).rounded(.toNearestOrEven)
            let zp = Int32(Swift.min(Swift.max(z, Float(qmin)), Float(qmax)))
            return ScaleAndZeroPoint(
                scale: scale, zeroPoint: zp, degenerate: flag ?? (raw < eps ? .belowMinimumScale : nil))
        }
    }

    /// ONNX Runtime `compute_scale_zp` with `get_qmin_qmax_for_qType(symmetric:)` (int8 and int16
    /// symmetric use the narrow range). Double arithmetic, `numpy.round` (half to even).
    func onnxRuntimeParameters(min: Float, max: Float) -> ScaleAndZeroPoint {
        var qmin = Double(format.qmin)
        let qmax = Double(format.qmax)
        if symmetry == .symmetric && format.isSigned && (format.bits == 8 || format.bits == 16) {
            qmin = -qmax  // ONNX_INT_TYPE_SYMMETRIC_RANGE
        }
        var rmin = Swift.min(min, 0)
        var rmax = Swift.max(max, 0)
        if symmetry == .symmetric {
            let absmax = Swift.max(abs(rmin), abs(rmax))
            rmin = -absmax
            rmax = absmax
        }
        let scale = (Double(rmax) - Double(rmin)) / (qmax - qmin)
        if scale < Double(Float.leastNormalMagnitude) {  // numpy.finfo(float32).tiny
            return ScaleAndZeroPoint(scale: 1, zeroPoint: 0, degenerate: rmax == rmin ? .zeroWidth : .belowMinimumScale)
        }
        let z: Double
        if symmetry == .symmetric {
            z = ((qmin + qmax) / 2).rounded(.toNearestOrEven)
        } else {
            z = (qmin - Double(rmin) / scale).rounded(.toNearestOrEven)
        }
        return ScaleAndZeroPoint(scale: Float(scale), zeroPoint: Int32(Swift.min(Swift.max(z, qmin), qmax)))
    }

    /// TensorRT / ModelOpt: `scale = amax / max_bound` with `max_bound = 2^(b−1+unsigned) − 1` (Float32),
    /// zero-point 0; `amax ≤ 2^−24` quantizes everything to 0 and reports scale 1.
    func tensorRTParameters(min: Float, max: Float) -> ScaleAndZeroPoint {
        let amax = Swift.max(abs(min), abs(max))
        let maxBound = Float((1 << (format.bits - (format.isSigned ? 1 : 0))) - 1)
        if amax <= Float(sign: .plus, exponent: -24, significand: 1) {
            return ScaleAndZeroPoint(scale: 1, zeroPoint: 0, degenerate: amax == 0 ? .zeroWidth : .belowMinimumScale)
        }
        return ScaleAndZeroPoint(scale: amax / maxBound, zeroPoint: 0)
    }

    /// AIMET TF encodings, as libpymo's `TfEncodingAnalyzer::computeEncoding` (Double):
    /// `num_steps n = 2^bw − 1` (2^bw − 2 for narrow = strict symmetric); 0 in range; `max ≥ min + 0.01`
    /// (`MIN_RANGE`); symmetric `delta = absmax / ⌊n/2⌋`, `offset = −⌈n/2⌉`; asymmetric (and unsigned
    /// symmetric, AIMET's default `unsigned_symmetric` for an unsigned format whose min ≥ 0)
    /// `delta = (max − min)/n`, `offset = −clamp(round(−min/delta), 0, n)` with C `round` (half away).
    /// Codes 0…n with zero-point −offset; signed formats shift the codes by qmin.
    func aimetParameters(min: Float, max: Float) -> ScaleAndZeroPoint {
        let minRange = 0.01  // TfEncodingAnalyzer::MIN_RANGE
        let n = Double(format.qmax) - Double(format.qmin)
        let lo = Swift.min(Double(min), 0)
        var hi = Swift.max(Double(max), 0)
        let flag: DegenerateRange.Reason? = hi == lo ? .zeroWidth : (hi < lo + minRange ? .belowMinimumScale : nil)
        hi = Swift.max(hi, lo + minRange)
        let delta: Double
        let offset: Double
        if symmetry == .symmetric && (lo < 0 || format.isSigned) {
            delta = Swift.max(abs(hi), abs(lo)) / (n / 2).rounded(.down)
            offset = -(n / 2).rounded(.up)
        } else {
            delta = (hi - lo) / n
            if lo < 0 && hi > 0 {
                offset = -Swift.min(n, Swift.max(0, (-lo / delta).rounded(.toNearestOrAwayFromZero)))
            } else {
                offset = (lo / delta).rounded(.toNearestOrAwayFromZero)
            }
        }
        return ScaleAndZeroPoint(scale: Float(delta), zeroPoint: Int32(-offset) + format.qmin, degenerate: flag)
    }
}
