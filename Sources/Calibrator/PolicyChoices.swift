public import QuantCore

// The closed sets of words a configuration file uses for quantization settings. Each decodes with an
// error that lists the allowed spellings.

/// Which range scheme a tensor is quantized with.
public enum SchemeChoice: String, ConfigChoice, Hashable {
    /// Zero point in the middle of the code range; the range is `[-a, a]`.
    case symmetric
    /// Any range containing zero, with a zero point (affine).
    case asymmetric
    /// Evaluate both on the layer's statistics; asymmetric only when it lowers the expected quantization
    /// error by at least the configured margin (`auto-margin`).
    case auto

    /// Decodes one of the allowed spellings (the error lists them).
    public init(from decoder: any Decoder) throws { self = try Self.decodeChoice(from: decoder) }
}

/// How many parameter sets a tensor gets.
public enum GranularityKind: String, ConfigChoice, Hashable {
    /// One scale and zero point for the whole tensor.
    case perTensor = "per-tensor"
    /// One per index along `axis`.
    case perChannel = "per-channel"
    /// One per block of `group-size` consecutive indices along `axis`.
    case perGroup = "per-group"

    /// Decodes one of the allowed spellings (the error lists them).
    public init(from decoder: any Decoder) throws { self = try Self.decodeChoice(from: decoder) }
}

/// Whether the integer codes are signed (`[-2^(b-1), 2^(b-1)-1]`) or unsigned (`[0, 2^b-1]`).
public enum Signedness: String, ConfigChoice, Hashable {
    /// Signed codes.
    case signed
    /// Unsigned codes.
    case unsigned

    /// Decodes one of the allowed spellings (the error lists them).
    public init(from decoder: any Decoder) throws { self = try Self.decodeChoice(from: decoder) }
}

/// Which tensor of a layer a dataset holds.
public enum DatasetRole: String, ConfigChoice, Hashable, Comparable {
    /// The weight (PyTorch `weight`, Keras `kernel`).
    case weight
    /// The bias.
    case bias
    /// The layer's recorded input activation.
    case activation

    /// Decodes one of the allowed spellings (the error lists them).
    public init(from decoder: any Decoder) throws { self = try Self.decodeChoice(from: decoder) }

    /// Declaration order: weight, bias, activation.
    public static func < (a: DatasetRole, b: DatasetRole) -> Bool {
        allCases.firstIndex(of: a) ?? 0 < allCases.firstIndex(of: b) ?? 0
    }
}

/// How `x/s` is rounded (`rounding`).
public enum RoundingChoice: String, ConfigChoice, Hashable {
    /// The compatibility profile's own rule (half away from zero for AIMET, half to even otherwise).
    case profile
    /// Round half to even.
    case halfEven = "half-even"
    /// Round half away from zero.
    case halfAway = "half-away"

    /// Decodes one of the allowed spellings (the error lists them).
    public init(from decoder: any Decoder) throws { self = try Self.decodeChoice(from: decoder) }

    /// The rule used with `profile`.
    public func rule(for profile: CompatibilityProfile) -> RoundingRule {
        switch self {
        case .profile: profile.defaultRounding
        case .halfEven: .toNearestOrEven
        case .halfAway: .toNearestOrAwayFromZero
        }
    }
}
