public import QuantCore

/// The number format of a tensor's codes (`format:` in a weights or activations section).
///
/// - `int`: integer codes with a scale and zero point (`bits`, `signedness`, `narrow-range`; the default).
/// - `fixed`: two's-complement fixed point, x = q · E with E = 2^−n (`fraction-bits` n, or chosen per
///   parameter from the observed range) or, with `fraction-digits` d, the seed's decimal exponent E = 10^−d.
/// - minifloats `fp8_e4m3fn`, `fp8_e5m2`, `fp8_e4m3fnuz`, `fp8_e5m2fnuz`, `fp6_e2m3fn`, `fp6_e3m2fn`,
///   `fp4_e2m1fn`: x = decode(code) · s with a float32 scale s = amax / maxFinite per tensor, channel or group.
/// - OCP Microscaling `mxfp8_e4m3`, `mxfp8_e5m2`, `mxfp6_e2m3`, `mxfp6_e3m2`, `mxfp4`: blocks of 32 with an
///   E8M0 power-of-two scale; `nvfp4`: blocks of 16 FP4 values with an E4M3 scale and a float32 tensor scale.
public enum NumberFormatSetting: String, ConfigChoice, Hashable {
    /// Integer codes (affine).
    case int
    /// Two's-complement fixed point.
    case fixed
    /// OCP FP8 E4M3FN.
    case fp8E4M3FN = "fp8_e4m3fn"
    /// OCP FP8 E5M2.
    case fp8E5M2 = "fp8_e5m2"
    /// FP8 E4M3FNUZ.
    case fp8E4M3FNUZ = "fp8_e4m3fnuz"
    /// FP8 E5M2FNUZ.
    case fp8E5M2FNUZ = "fp8_e5m2fnuz"
    /// OCP MX FP6 E2M3.
    case fp6E2M3FN = "fp6_e2m3fn"
    /// OCP MX FP6 E3M2.
    case fp6E3M2FN = "fp6_e3m2fn"
    /// OCP MX FP4 E2M1.
    case fp4E2M1FN = "fp4_e2m1fn"
    /// MXFP8 with E4M3 elements.
    case mxfp8E4M3 = "mxfp8_e4m3"
    /// MXFP8 with E5M2 elements.
    case mxfp8E5M2 = "mxfp8_e5m2"
    /// MXFP6 with E2M3 elements.
    case mxfp6E2M3 = "mxfp6_e2m3"
    /// MXFP6 with E3M2 elements.
    case mxfp6E3M2 = "mxfp6_e3m2"
    /// MXFP4 (E2M1 elements).
    case mxfp4
    /// NVIDIA NVFP4.
    case nvfp4

    /// Decodes one of the allowed spellings (the error lists them).
    public init(from decoder: any Decoder) throws { self = try Self.decodeChoice(from: decoder) }

    /// The element format of minifloat and block-scaled formats; `nil` for `int` and `fixed`.
    public var elementFormat: FloatFormat? {
        switch self {
        case .int, .fixed: nil
        case .fp8E4M3FN, .mxfp8E4M3: .fp8E4M3FN
        case .fp8E5M2, .mxfp8E5M2: .fp8E5M2
        case .fp8E4M3FNUZ: .fp8E4M3FNUZ
        case .fp8E5M2FNUZ: .fp8E5M2FNUZ
        case .fp6E2M3FN, .mxfp6E2M3: .fp6E2M3
        case .fp6E3M2FN, .mxfp6E3M2: .fp6E3M2
        case .fp4E2M1FN, .mxfp4, .nvfp4: .fp4E2M1
        }
    }

    /// Whether codes are minifloats with a float32 scale per tensor, channel or group.
    public var isMinifloat: Bool { elementFormat != nil && blockScheme == nil }

    /// The block-scaled scheme of MX and NVFP4 formats, `nil` for the others.
    public var blockScheme: BlockScaledQuantizer.Scheme? {
        switch self {
        case .mxfp8E4M3, .mxfp8E5M2, .mxfp6E2M3, .mxfp6E3M2, .mxfp4:
            elementFormat.map { .microscaling(element: $0) }
        case .nvfp4: .nvfp4
        default: nil
        }
    }

    /// Elements per block of block-scaled formats: 32 (MX), 16 (NVFP4).
    public var blockSize: Int? {
        switch blockScheme {
        case .microscaling: 32
        case .nvfp4: 16
        case nil: nil
        }
    }
}
