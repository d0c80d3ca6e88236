public import Observers
public import QuantCore

/// The complete quantization settings of one tensor kind (weights or activations) of one layer: the
/// built-in defaults, then the configuration's defaults, then every matching override, applied in
/// order.
public struct QuantizationSettings: Codable, Sendable, Hashable {
    /// Observer and options.
    public var observer: ObserverSpec
    /// Integer bit width, 2...16.
    public var bits: Int
    /// Range scheme (possibly `auto`).
    public var scheme: SchemeChoice
    /// For `auto`: the relative reduction of the expected quantization error that asymmetric must reach.
    public var autoMargin: Double
    /// Granularity.
    public var granularity: GranularityKind
    /// Axis of per-channel/per-group parameters (negative counts from the last axis).
    public var axis: Int
    /// Group size for per-group parameters.
    public var groupSize: Int
    /// Compatibility profile.
    public var profile: CompatibilityProfile
    /// Signed or unsigned codes.
    public var signedness: Signedness
    /// Whether the most negative code is left out.
    public var narrowRange: Bool
    /// Rounding of `x/s`.
    public var rounding: RoundingChoice
    /// Per-channel activations: one zero point per channel (default) or one shared by all.
    public var zeroPoint: ZeroPointSharing = .perChannel
    /// Number format of the codes; `nil` is `int` (and keeps the recorded policy of integer layers as before).
    public var format: NumberFormatSetting?
    /// Fixed point: fraction bits n (E = 2^−n), `nil` to choose them from the range.
    public var fractionBits: Int?
    /// Fixed point: decimal fraction digits d (E = 10^−d).
    public var fractionDigits: Int?
    /// Activations: the input moments the configuration asks for (`nil`: none, and the recorded policy
    /// stays as before). ``LayerPolicy/inputMomentsLevel`` is the level a layer collects.
    public var moments: InputMomentsLevel?
    /// Weights: how the codes are chosen (`nil`: round to nearest, and the recorded policy stays as before).
    public var method: WeightRoundingMethod.Name?
    /// Weights, GPTQ: damping as a fraction of the mean diagonal of H (`nil`: 0.01).
    public var damping: Double?
    /// Weights, GPTQ: columns per lazy-update block (`nil`: 128).
    public var blockSize: Int?
    /// Weights, GPTQ: descending diag(H) column order (`nil`: false).
    public var actOrder: Bool?
    /// Weights, AWQ: the number of exponents α searched (`nil`: 20).
    public var alphaGrid: Int?
    /// Weights: SmoothQuant smoothing of the layer's input into the weight (`nil`: none).
    public var smoothing: SmoothingSetting?

    /// Creates settings from their parts.
    public init(
        observer: ObserverSpec, bits: Int, scheme: SchemeChoice, autoMargin: Double = 0.1,
        granularity: GranularityKind, axis: Int = 0, groupSize: Int = 128, profile: CompatibilityProfile = .ptqkit,
        signedness: Signedness = .signed, narrowRange: Bool, rounding: RoundingChoice = .profile
    ) {
        self.observer = observer
        self.bits = bits
        self.scheme = scheme
        self.autoMargin = autoMargin
        self.granularity = granularity
        self.axis = axis
        self.groupSize = groupSize
        self.profile = profile
        self.signedness = signedness
        self.narrowRange = narrowRange
        self.rounding = rounding
    }

    /// Built-in weight defaults: min-max, int8 symmetric narrow (`[-127, 127]`), per output channel
    /// (axis 0, PyTorch's `[out, in]` layout).
    public static let weightDefaults = QuantizationSettings(
        observer: ObserverSpec("minmax"), bits: 8, scheme: .symmetric, granularity: .perChannel, axis: 0,
        narrowRange: true)

    /// Built-in activation defaults: min-max, int8 asymmetric (`[-128, 127]` with a zero point), per tensor;
    /// per channel along the last axis (the features) when `granularity: per-channel` is set.
    public static let activationDefaults = QuantizationSettings(
        observer: ObserverSpec("minmax"), bits: 8, scheme: .asymmetric, granularity: .perTensor, axis: -1,
        narrowRange: false)

    /// These settings with every key present in `section` replacing the current value.
    public func applying(_ section: PolicySettings) -> QuantizationSettings {
        var s = self
        if let v = section.observer { s.observer = v }
        if let v = section.bits { s.bits = v }
        if let v = section.scheme { s.scheme = v }
        if let v = section.autoMargin { s.autoMargin = v }
        if let v = section.granularity { s.granularity = v }
        if let v = section.axis { s.axis = v }
        if let v = section.groupSize { s.groupSize = v }
        if let v = section.profile { s.profile = v }
        if let v = section.signedness { s.signedness = v }
        if let v = section.narrowRange { s.narrowRange = v }
        if let v = section.rounding { s.rounding = v }
        if let v = section.zeroPoint { s.zeroPoint = v }
        if let v = section.moments { s.moments = v == InputMomentsLevel.none ? nil : v }
        if let v = section.method { s.method = v == .rtn ? nil : v }
        if let v = section.damping { s.damping = v }
        if let v = section.blockSize { s.blockSize = v }
        if let v = section.actOrder { s.actOrder = v }
        if let v = section.alphaGrid { s.alphaGrid = v }
        if let v = section.smoothing { s.smoothing = v.method == .none ? nil : v }
        s.applyFormat(of: section)
        return s
    }
}
