public import Observers
public import QuantCore

/// Quantization settings for one kind of tensor (weights or activations) as written in one section of a
/// configuration: the defaults or an override. Every key is optional; absent keys inherit.
///
/// Keys (YAML/JSON): `observer`, `bits` (2...16), `scheme` (`symmetric`, `asymmetric`, `auto`),
/// `auto-margin` (0 ≤ m < 1), `granularity` (`per-tensor`, `per-channel`, `per-group`), `axis`,
/// `group-size` (> 0), `profile` (`ptqkit`, `pytorch`, `onnxruntime`, `tensorrt`, `aimet`), `signedness`
/// (`signed`, `unsigned`), `narrow-range`, `rounding` (`profile`, `half-even`, `half-away`), `zero-point`
/// (`per-channel`, `shared`; per-channel activations only).
/// (`signed`, `unsigned`), `narrow-range`, `rounding` (`profile`, `half-even`, `half-away`), `format`
/// (``NumberFormatSetting``), `fraction-bits` and `fraction-digits` (for `format: fixed`), `moments`
/// (`none`, `per-feature`, `gram`; activations only: which ``InputMoments`` of the layer's input to collect);
/// weights only: `method` (``WeightRoundingMethod/Name``: `rtn`, `gptq`, `importance-clip`, `awq`),
/// `damping` (GPTQ, 0 ≤ d ≤ 1, default 0.01), `block-size` (GPTQ, ≥ 1, default 128), `act-order` (GPTQ, default false),
/// `alpha-grid` (AWQ: how many α = k/n in [0, 1) are tried, 1…1000, default 20), `smoothing`
/// (``SmoothingSetting``: SmoothQuant's per-input-feature scale between the layer's input and weight).
public struct PolicySettings: Codable, Sendable, Hashable {
    /// Observer and its options; setting it replaces the inherited observer and options as a whole.
    public var observer: ObserverSpec?
    /// Integer bit width, 2...16.
    public var bits: Int?
    /// Range scheme.
    public var scheme: SchemeChoice?
    /// For `auto`: the relative error reduction asymmetric must reach to be chosen (0.1 = 10 %).
    public var autoMargin: Double?
    /// Granularity of the parameters.
    public var granularity: GranularityKind?
    /// Axis of per-channel/per-group parameters (negative counts from the last axis).
    public var axis: Int?
    /// Elements per group along the axis, for `per-group`.
    public var groupSize: Int?
    /// Compatibility profile (whose parameter formulas to reproduce).
    public var profile: CompatibilityProfile?
    /// Signed or unsigned codes.
    public var signedness: Signedness?
    /// Whether the most negative code is left out (`[-127, 127]` for signed 8-bit).
    public var narrowRange: Bool?
    /// Rounding of `x/s`.
    public var rounding: RoundingChoice?
    /// Per-channel activations: one zero point per channel or one shared.
    public var zeroPoint: ZeroPointSharing?
    /// Number format of the codes (`int` when absent everywhere).
    public var format: NumberFormatSetting?
    /// Fixed point: the number n of fraction bits (E = 2^−n); absent: chosen from the range.
    public var fractionBits: Int?
    /// Fixed point: decimal fraction digits d (E = 10^−d, the seed's decimal exponent).
    public var fractionDigits: Int?
    /// Activations only: the input moments to collect (``InputMomentsLevel``; absent: inherited, `none`).
    public var moments: InputMomentsLevel?
    /// Weights only: how the codes are chosen (absent: inherited, `rtn`).
    public var method: WeightRoundingMethod.Name?
    /// Weights only, GPTQ: damping as a fraction of the mean diagonal of H.
    public var damping: Double?
    /// Weights only, GPTQ: columns per lazy-update block.
    public var blockSize: Int?
    /// Weights only, GPTQ: round columns in descending order of diag(H).
    public var actOrder: Bool?
    /// Weights only, AWQ: the number of exponents α searched.
    public var alphaGrid: Int?
    /// Weights only: SmoothQuant smoothing of the layer's input into its weight (``SmoothingSetting``).
    public var smoothing: SmoothingSetting?

    /// Bit widths allowed for integer formats.
    public static let bitRange: ClosedRange<Int> = 2...16
    /// Allowed `axis` values, -32...31: HDF5 datasets have at most 32 dimensions (`H5S_MAX_RANK`), so an
    /// axis outside this range fits no tensor and is a configuration error (exit 78), while an axis
    /// beyond one tensor's rank is that tensor's error.
    public static let axisRange: ClosedRange<Int> = -32...31

    /// Settings with every key absent.
    public init() {}

    enum CodingKeys: String, CodingKey, CaseIterable {
        case observer, bits, scheme
        case autoMargin = "auto-margin"
        case granularity, axis
        case groupSize = "group-size"
        case profile, signedness
        case narrowRange = "narrow-range"
        case rounding
        case zeroPoint = "zero-point"
        case format
        case fractionBits = "fraction-bits"
        case fractionDigits = "fraction-digits"
        case moments
        case method, damping
        case blockSize = "block-size"
        case actOrder = "act-order"
        case alphaGrid = "alpha-grid"
        case smoothing
    }

    /// Decodes a section, rejecting unknown keys and out-of-domain values with their key paths.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.strictContainer(keyedBy: CodingKeys.self)
        observer = try c.decodeIfPresent(ObserverSpec.self, forKey: .observer)
        bits = try c.decodeIfPresent(Int.self, forKey: .bits, in: Self.bitRange)
        scheme = try c.decodeIfPresent(SchemeChoice.self, forKey: .scheme)
        autoMargin = try c.decodeIfPresent(Double.self, forKey: .autoMargin, allowed: "0 <= margin < 1") {
            $0 >= 0 && $0 < 1
        }
        granularity = try c.decodeIfPresent(GranularityKind.self, forKey: .granularity)
        axis = try c.decodeIfPresent(Int.self, forKey: .axis, in: Self.axisRange)
        groupSize = try c.decodeIfPresent(Int.self, forKey: .groupSize, in: 1...Int.max)
        profile = try c.decodeChoiceIfPresent(CompatibilityProfile.self, forKey: .profile)
        signedness = try c.decodeIfPresent(Signedness.self, forKey: .signedness)
        narrowRange = try c.decodeIfPresent(Bool.self, forKey: .narrowRange)
        rounding = try c.decodeIfPresent(RoundingChoice.self, forKey: .rounding)
        zeroPoint = try c.decodeIfPresent(ZeroPointSharing.self, forKey: .zeroPoint)
        format = try c.decodeIfPresent(NumberFormatSetting.self, forKey: .format)
        fractionBits = try c.decodeIfPresent(Int.self, forKey: .fractionBits, in: Self.fractionBitRange)
        fractionDigits = try c.decodeIfPresent(Int.self, forKey: .fractionDigits, in: Self.fractionDigitRange)
        moments = try c.decodeChoiceIfPresent(InputMomentsLevel.self, forKey: .moments)
        method = try c.decodeChoiceIfPresent(WeightRoundingMethod.Name.self, forKey: .method)
        if method == .smoothquant {
            throw ConfigError(
                .invalidValue(
                    "smoothquant",
                    allowed: "rtn, gptq, importance-clip, awq (SmoothQuant is set with smoothing: "
                        + "{method: smoothquant, alpha: …})"),
                codingPath: c.codingPath + [CodingKeys.method])
        }
        damping = try c.decodeIfPresent(Double.self, forKey: .damping, allowed: "0 <= damping <= 1") {
            $0 >= 0 && $0 <= 1
        }
        blockSize = try c.decodeIfPresent(Int.self, forKey: .blockSize, in: 1...Int.max)
        actOrder = try c.decodeIfPresent(Bool.self, forKey: .actOrder)
        alphaGrid = try c.decodeIfPresent(Int.self, forKey: .alphaGrid, in: 1...1000)
        smoothing = try c.decodeIfPresent(SmoothingSetting.self, forKey: .smoothing)
    }

    /// Allowed `fraction-bits`: E = 2^−n stays a normal Float and q · E finite for 16-bit codes.
    public static let fractionBitRange: ClosedRange<Int> = -64...64
    /// Allowed `fraction-digits` (E = 10^−d).
    public static let fractionDigitRange: ClosedRange<Int> = 1...9
}
