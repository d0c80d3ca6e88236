extension FloatFormat {
    /// The value of `code` (only its low `bitWidth` bits are used) as an exact `Float`.
    ///
    /// - normal:    (−1)^s · (2^m + M) · 2^(E − bias − m)   = (−1)^s · (1 + M/2^m) · 2^(E − bias)
    /// - subnormal: (−1)^s · M · 2^(1 − bias − m)           = (−1)^s · (M/2^m) · 2^(1 − bias)
    /// - ±Inf for IEEE all-ones exponent with M == 0.
    /// - NaN, sign kept: IEEE formats widen the payload like a hardware conversion
    ///   (quiet bit set, M shifted to the top of the Float mantissa, as `Float(Float16)`);
    ///   the single FN NaN decodes to the canonical quiet NaN ±0x7FC00000 (as ml_dtypes), the
    ///   FNUZ NaN (sign bit alone) to 0xFFC00000 (ml_dtypes: its sign bit is set).
    @inlinable
    public func decode(_ code: UInt32) -> Float {
        let m = UInt32(mantissaBits)
        let signMask = signBit
        let negative = code & signMask != 0
        let magnitude = code & (signMask - 1)
        let biased = magnitude >> m
        let fraction = magnitude & ((1 << m) - 1)
        let floatSign: UInt32 = negative ? 0x8000_0000 : 0
        switch specials {
        case .ieee where biased == (1 << UInt32(exponentBits)) - 1:
            if fraction == 0 { return Float(bitPattern: floatSign | 0x7F80_0000) }
            return Float(bitPattern: floatSign | 0x7FC0_0000 | (fraction << (23 - m)))
        case .finiteAndNaN where magnitude == signMask - 1:
            return Float(bitPattern: floatSign | 0x7FC0_0000)
        case .fnuz where negative && magnitude == 0:
            return Float(bitPattern: 0xFFC0_0000)
        default:
            break
        }
        let significand = biased == 0 ? fraction : fraction | (1 << m)
        let exponent = (biased == 0 ? 1 : Int(biased)) - bias - mantissaBits
        // significand < 2^24 and the value is in Float's range (init invariant): exact.
        return Float(
            sign: negative ? .minus : .plus, exponent: exponent, significand: Float(significand))
    }
}
