/// A binary floating-point format ExMy: one sign bit, `exponentBits` exponent bits and
/// `mantissaBits` fraction bits, laid out from MSB to LSB as `S | E | M` in the low
/// `bitWidth` bits of a code.
///
/// Values (the standard IEEE 754 forms; the seed's `2^(−bias)` for subnormals and
/// `(uint(E) − Bias)` without `2^` are slips):
/// - normal, `0 < E`:      x = (−1)^s · (1 + M/2^m) · 2^(E − bias)
/// - subnormal, `E == 0`:  x = (−1)^s · (M/2^m) · 2^(1 − bias)   (±0 when M == 0)
/// - special codes according to `specials` (see ``SpecialValues``).
///
/// Invariant (checked by the initializer): every finite value of the format is exactly
/// representable as a `Float`, so ``decode(_:)`` is exact and ``encode(_:options:)`` of a
/// decoded value returns the code back.
public struct FloatFormat: Sendable, Hashable, CustomStringConvertible {
    /// How the format spends its top exponent code (or its top code) on special values.
    public enum SpecialValues: String, Sendable, Hashable, Codable, CaseIterable {
        /// IEEE 754: all-ones exponent is ±Inf (mantissa 0) or NaN (mantissa ≠ 0).
        /// FP32, FP16, BF16, FP8 E5M2.
        case ieee
        /// OCP "FN" (finite + NaN): no infinities; only the all-ones magnitude `S.1…1.1…1`
        /// is NaN and the other all-ones-exponent codes are normal numbers. FP8 E4M3FN.
        case finiteAndNaN
        /// No NaN and no Inf: every code is a finite number. OCP MX FP6 E3M2/E2M3, FP4 E2M1.
        case finiteOnly
        /// "FNUZ" (finite, NaN = unsigned zero's twin): no infinities and no −0; the code
        /// `S=1, rest 0` (0x80 for 8 bits) is the single NaN, every other code is finite.
        /// FP8 E4M3FNUZ / E5M2FNUZ (AMD MI300, Graphcore; ONNX FLOAT8E4M3FNUZ), usually with bias 2^(e−1).
        case fnuz
    }

    /// Number of exponent bits `e` (1…8).
    public let exponentBits: Int
    /// Number of mantissa (fraction) bits `m` (0…23).
    public let mantissaBits: Int
    /// Exponent bias; a normal code with biased exponent E has scale 2^(E − bias).
    public let bias: Int
    /// The special-value convention of the format.
    public let specials: SpecialValues

    /// Creates a format ExMy.
    ///
    /// - Parameters:
    ///   - exponentBits: e, 1…8 (2…8 for ``SpecialValues/ieee``).
    ///   - mantissaBits: m, 0…23 (≥ 1 for ``SpecialValues/ieee``, which needs a NaN mantissa).
    ///   - bias: exponent bias; `nil` means the IEEE default 2^(e−1) − 1.
    ///   - specials: the special-value convention.
    /// - Throws: ``FloatFormatError`` when the layout is impossible or a finite value of
    ///   the format would not be exactly representable as a `Float`.
    public init(
        exponentBits: Int, mantissaBits: Int, bias: Int? = nil, specials: SpecialValues
    ) throws(FloatFormatError) {
        guard (1...8).contains(exponentBits) else {
            throw .exponentBitsOutOfRange(exponentBits)
        }
        guard (0...23).contains(mantissaBits) else {
            throw .mantissaBitsOutOfRange(mantissaBits)
        }
        if specials == .ieee && (exponentBits < 2 || mantissaBits < 1) {
            throw .ieeeNeedsRoom(exponentBits: exponentBits, mantissaBits: mantissaBits)
        }
        let bias = bias ?? ((1 << (exponentBits - 1)) - 1)
        // Largest biased exponent of a finite code: IEEE reserves the all-ones exponent;
        // FN with m == 0 loses the all-ones exponent to its single NaN code.
        let maxBiased: Int
        switch specials {
        case .ieee: maxBiased = (1 << exponentBits) - 2
        case .finiteAndNaN: maxBiased = (1 << exponentBits) - (mantissaBits == 0 ? 2 : 1)
        case .finiteOnly, .fnuz: maxBiased = (1 << exponentBits) - 1
        }
        // Float holds 2^e exactly for e in −149…127 (with 24 significant bits for e ≥ −126).
        let minSubnormalExponent = 1 - bias - mantissaBits
        let maxExponent = maxBiased - bias
        guard minSubnormalExponent >= -149, maxExponent <= 127 else {
            throw .notRepresentableAsFloat(
                bias: bias, minExponent: minSubnormalExponent, maxExponent: maxExponent)
        }
        self.exponentBits = exponentBits
        self.mantissaBits = mantissaBits
        self.bias = bias
        self.specials = specials
    }

    /// Total width in bits: 1 + e + m.
    @inlinable
    public var bitWidth: Int { 1 + exponentBits + mantissaBits }

    /// Number of distinct codes, 2^bitWidth (including NaN/Inf codes and −0).
    public var codeCount: Int { 1 << bitWidth }

    /// Mask of the `bitWidth` low bits that form a code.
    @inlinable
    public var codeMask: UInt32 { UInt32(truncatingIfNeeded: (UInt64(1) << UInt64(bitWidth)) - 1) }

    /// The sign bit of a code, 1 << (e + m).
    @inlinable
    public var signBit: UInt32 { 1 << UInt32(exponentBits + mantissaBits) }

    /// The magnitude code (sign bit clear) of the largest finite value.
    @inlinable
    public var maxFiniteMagnitudeCode: UInt32 {
        let all = signBit - 1
        switch specials {
        case .ieee: return all - (1 << UInt32(mantissaBits))  // exponent all-ones minus 1, mantissa all ones
        case .finiteAndNaN: return all - 1  // S.1…1.1…0: the code below the single NaN
        case .finiteOnly, .fnuz: return all
        }
    }

    /// Largest finite value, e.g. 448 for E4M3FN, 57344 for E5M2, 6 for E2M1.
    public var maxFinite: Float { decode(maxFiniteMagnitudeCode) }

    /// Smallest positive normal value, 2^(1 − bias).
    public var minNormal: Float { Float(sign: .plus, exponent: 1 - bias, significand: 1) }

    /// Smallest positive subnormal value, 2^(1 − bias − m).
    public var minSubnormal: Float {
        Float(sign: .plus, exponent: 1 - bias - mantissaBits, significand: 1)
    }

    /// Whether the format has ±Inf codes.
    public var hasInfinity: Bool { specials == .ieee }

    /// Whether the format has NaN codes.
    public var hasNaN: Bool { specials != .finiteOnly }

    /// Whether `code` (low `bitWidth` bits) is a NaN code of this format.
    @inlinable
    public func isNaN(_ code: UInt32) -> Bool {
        let magnitude = code & (signBit - 1)
        switch specials {
        case .ieee: return magnitude > maxFiniteMagnitudeCode + 1
        case .finiteAndNaN: return magnitude == signBit - 1
        case .finiteOnly: return false
        case .fnuz: return code & codeMask == signBit
        }
    }

    /// E.g. "E4M3FN (bias 7)", "E5M2 (bias 15)", "E2M1 finite (bias 1)".
    public var description: String {
        let suffix: String
        switch specials {
        case .ieee: suffix = ""
        case .finiteAndNaN: suffix = "FN"
        case .finiteOnly: suffix = " finite"
        case .fnuz: suffix = "FNUZ"
        }
        return "E\(exponentBits)M\(mantissaBits)\(suffix) (bias \(bias))"
    }
}

extension FloatFormat {
    // The presets are valid by construction; `unchecked` keeps them free of `try!`.
    private init(unchecked e: Int, _ m: Int, _ specials: SpecialValues, bias: Int? = nil) {
        exponentBits = e
        mantissaBits = m
        self.bias = bias ?? (1 << (e - 1)) - 1
        self.specials = specials
    }

    /// IEEE 754 binary32 (E8M23): Swift's `Float`.
    public static let fp32 = FloatFormat(unchecked: 8, 23, .ieee)
    /// IEEE 754 binary16 (E5M10): Swift's `Float16`.
    public static let fp16 = FloatFormat(unchecked: 5, 10, .ieee)
    /// bfloat16 (E8M7): the top half of a binary32.
    public static let bf16 = FloatFormat(unchecked: 8, 7, .ieee)
    /// OCP FP8 E4M3FN: bias 7, max 448, no Inf, NaN = S.1111.111.
    public static let fp8E4M3FN = FloatFormat(unchecked: 4, 3, .finiteAndNaN)
    /// OCP FP8 E5M2: IEEE-like, bias 15, max 57344, ±Inf and NaN.
    public static let fp8E5M2 = FloatFormat(unchecked: 5, 2, .ieee)
    /// OCP MX FP6 E3M2: bias 3, max 28, every code finite.
    public static let fp6E3M2 = FloatFormat(unchecked: 3, 2, .finiteOnly)
    /// OCP MX FP6 E2M3: bias 1, max 7.5, every code finite.
    public static let fp6E2M3 = FloatFormat(unchecked: 2, 3, .finiteOnly)
    /// OCP MX FP4 E2M1: bias 1, max 6, every code finite.
    public static let fp4E2M1 = FloatFormat(unchecked: 2, 1, .finiteOnly)

    /// FP8 E4M3FNUZ: bias 8, max 240, no Inf, no −0, NaN = 0x80.
    public static let fp8E4M3FNUZ = FloatFormat(unchecked: 4, 3, .fnuz, bias: 8)
    /// FP8 E5M2FNUZ: bias 16, max 57344, no Inf, no −0, NaN = 0x80.
    public static let fp8E5M2FNUZ = FloatFormat(unchecked: 5, 2, .fnuz, bias: 16)

    /// All presets, widest first.
    public static let presets: [FloatFormat] = [
        .fp32, .fp16, .bf16, .fp8E4M3FN, .fp8E5M2, .fp8E4M3FNUZ, .fp8E5M2FNUZ, .fp6E3M2, .fp6E2M3, .fp4E2M1,
    ]
}
