extension FloatFormat {
    /// What ``FloatFormat/encode(_:options:)`` does with values beyond the largest finite value.
    public enum Overflow: Sendable, Hashable {
        /// Finite values that round above max finite, and ±Inf, become ±maxFinite
        /// (CUDA's `satfinite`); NaN stays NaN where the format has one.
        case saturate
        /// IEEE behaviour: overflow becomes ±Inf; FN and FNUZ formats (no Inf) give NaN, as
        /// ml_dtypes does for E4M3FN/E4M3FNUZ; formats without Inf and NaN saturate to ±maxFinite
        /// (as ml_dtypes does for FP6/FP4).
        case nonSaturating
    }

    /// How a NaN input is encoded.
    public enum NaNConvention: Sendable, Hashable {
        /// IEEE formats: sign kept, quiet bit set, the top payload bits kept (what `Float16(x)`,
        /// `Float(double)` and hardware conversions do). FN formats: ±NaN code; FNUZ: its NaN code.
        /// Formats without NaN: ±0 with the sign of the NaN.
        case preservePayload
        /// ml_dtypes 0.6 (`astype`): IEEE formats give the canonical quiet NaN with the
        /// input's sign (E5M2 0x7E/0xFE, BF16 0x7FC0/0xFFC0); FN formats ±NaN code; FNUZ its NaN; formats
        /// without NaN give a zero whose sign is the *opposite* of the NaN's (+NaN → −0,
        /// −NaN → +0: ml_dtypes negates its `quiet_NaN()`, which is −0 for these types).
        case mlDtypes
    }

    /// Options of ``FloatFormat/encode(_:options:)``. Rounding is always round-to-nearest,
    /// ties-to-even, applied once to the exact input; overflow is decided on the rounded
    /// magnitude (a value rounding down to max finite is not an overflow).
    public struct EncodeOptions: Sendable, Hashable {
        /// Overflow behaviour.
        public var overflow: Overflow
        /// NaN encoding.
        public var nan: NaNConvention

        /// Creates options from an overflow mode and a NaN convention.
        public init(overflow: Overflow, nan: NaNConvention) {
            self.overflow = overflow
            self.nan = nan
        }

        /// IEEE conversion: non-saturating, payload-preserving (Swift's `Float16(x)`).
        public static let ieee = EncodeOptions(overflow: .nonSaturating, nan: .preservePayload)
        /// ml_dtypes 0.6 `astype` from float32: non-saturating, canonical NaN.
        public static let mlDtypes = EncodeOptions(overflow: .nonSaturating, nan: .mlDtypes)
        /// Saturating to ±maxFinite (the usual choice for scaled FP8/FP6/FP4 quantization).
        public static let saturating = EncodeOptions(overflow: .saturate, nan: .preservePayload)
    }

    /// The code of `x` rounded to nearest-even, computed exactly on the bits of `x`.
    /// This is the generic reference algorithm; for many values use ``FloatFormatCodec``
    /// (same results, vectorized).
    @inlinable
    public func encode(_ x: Float, options: EncodeOptions = .ieee) -> UInt32 {
        let bits = x.bitPattern
        return encodeBits(
            negative: bits >> 31 != 0, magnitude: UInt64(bits & 0x7FFF_FFFF),
            sourceExponentBits: 8, sourceMantissaBits: 23, options: options)
    }

    /// The code of `x` rounded to nearest-even, computed exactly on the bits of `x`
    /// (a single rounding: no detour through `Float`).
    @inlinable
    public func encode(_ x: Double, options: EncodeOptions = .ieee) -> UInt32 {
        let bits = x.bitPattern
        return encodeBits(
            negative: bits >> 63 != 0, magnitude: bits & 0x7FFF_FFFF_FFFF_FFFF,
            sourceExponentBits: 11, sourceMantissaBits: 52, options: options)
    }

    /// Code for a NaN input whose source mantissa is `payload` (`sourceMantissaBits` wide).
    @inlinable
    func nanCode(negative: Bool, payload: UInt64, sourceMantissaBits sm: Int, options: EncodeOptions) -> UInt32 {
        let signCode = negative ? signBit : 0
        switch specials {
        case .finiteAndNaN:
            return signCode | (signBit - 1)
        case .finiteOnly:
            return options.nan == .mlDtypes ? (negative ? 0 : signBit) : signCode
        case .fnuz:
            return signBit
        case .ieee:
            let m = UInt64(mantissaBits)
            let quiet = UInt64(1) << (m - 1)
            let infinity = UInt32(maxFiniteMagnitudeCode + 1)
            guard options.nan == .preservePayload else { return signCode | infinity | UInt32(quiet) }
            // compiler-rt __truncXfYf2: quiet | ((payload & (srcQuiet − 1)) >> (sm − m)) & (quiet − 1)
            let sourcePayload = payload & ((UInt64(1) << UInt64(sm - 1)) - 1)
            let kept = (sourcePayload >> UInt64(sm - mantissaBits)) & (quiet - 1)
            return signCode | infinity | UInt32(quiet | kept)
        }
    }

    /// Code for an input whose rounded magnitude exceeds max finite, or for ±Inf.
    @inlinable
    func overflowCode(negative: Bool, options: EncodeOptions) -> UInt32 {
        let signCode = negative ? signBit : 0
        guard options.overflow == .nonSaturating else { return signCode | maxFiniteMagnitudeCode }
        switch specials {
        case .ieee: return signCode | (maxFiniteMagnitudeCode + 1)  // ±Inf
        case .finiteAndNaN: return signCode | (signBit - 1)  // NaN (ml_dtypes E4M3FN)
        case .finiteOnly: return signCode | maxFiniteMagnitudeCode
        case .fnuz: return signBit  // NaN (ml_dtypes E4M3FNUZ), whatever the sign
        }
    }

    /// Exact round-to-nearest-even of a binary floating-point source given by its sign and
    /// magnitude bits (`sourceExponentBits` exponent bits, IEEE bias, `sourceMantissaBits`
    /// mantissa bits; `sourceMantissaBits >= mantissaBits`).
    ///
    /// The source value is sig · 2^exp2 with an integer significand. The target quantum is
    /// 2^q with q = (unbiased exponent − m) for normal results and q = 1 − bias − m for
    /// subnormal ones; r = RNE(sig · 2^(exp2 − q)) and the magnitude code is
    /// ((E_target − 1) << m) + r (normal, r carries the implicit bit, so a rounding carry
    /// moves into the exponent) or r (subnormal, r == 2^m is the smallest normal).
    @inlinable @inline(__always)
    func encodeBits(
        negative: Bool, magnitude a: UInt64, sourceExponentBits se: Int, sourceMantissaBits sm: Int,
        options: EncodeOptions
    ) -> UInt32 {
        let sourceExponentAllOnes = (UInt64(1) << UInt64(se)) - 1
        let sourceBiased = a >> UInt64(sm)
        let sourceFraction = a & ((UInt64(1) << UInt64(sm)) - 1)
        if sourceBiased == sourceExponentAllOnes {
            if sourceFraction != 0 {
                return nanCode(negative: negative, payload: sourceFraction, sourceMantissaBits: sm, options: options)
            }
            return overflowCode(negative: negative, options: options)
        }
        // Zero results keep the input's sign, except in FNUZ, which has no −0 (ml_dtypes gives +0).
        let zeroCode: UInt32 = negative && specials != .fnuz ? signBit : 0
        if a == 0 { return zeroCode }
        let sourceBias = (1 << (se - 1)) - 1
        let significand: UInt64
        let exp2: Int
        if sourceBiased == 0 {
            significand = sourceFraction
            exp2 = 1 - sourceBias - sm
        } else {
            significand = sourceFraction | (UInt64(1) << UInt64(sm))
            exp2 = Int(sourceBiased) - sourceBias - sm
        }
        let msb = 63 - significand.leadingZeroBitCount
        let targetBiased = exp2 + msb + bias
        let base: UInt64
        let q: Int
        if targetBiased >= 1 {
            base = UInt64(targetBiased - 1) << UInt64(mantissaBits)
            q = targetBiased - bias - mantissaBits
        } else {
            base = 0
            q = 1 - bias - mantissaBits
        }
        let d = q - exp2  // d >= msb − m > −64: a left shift keeps r < 2^(m+1)
        let r: UInt64
        if d <= 0 {
            r = significand << UInt64(-d)
        } else if d > 63 {
            r = 0  // value < 2^(q−1): below half the quantum
        } else {
            let truncated = significand >> UInt64(d)
            let remainder = significand & ((UInt64(1) << UInt64(d)) - 1)
            let half = UInt64(1) << UInt64(d - 1)
            r = truncated + (remainder > half || (remainder == half && truncated & 1 != 0) ? 1 : 0)
        }
        let code = base + r
        if code > UInt64(maxFiniteMagnitudeCode) {
            return overflowCode(negative: negative, options: options)
        }
        return code == 0 ? zeroCode : (negative ? signBit : 0) | UInt32(code)
    }
}
