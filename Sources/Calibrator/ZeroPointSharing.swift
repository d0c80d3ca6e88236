/// Whether per-channel activation parameters share one zero point (`zero-point`).
public enum ZeroPointSharing: String, ConfigChoice, Hashable {
    /// Each channel its own zero point, from its own range (default).
    case perChannel = "per-channel"
    /// One zero point for every channel (hardware that takes per-channel scales but one zero point); each
    /// channel's scale is then the smallest that keeps its range on the grid around it
    /// (`AffineScheme.sharedZeroPointParameters(mins:maxs:)`).
    case shared

    /// Decodes one of the allowed spellings (the error lists them).
    public init(from decoder: any Decoder) throws { self = try Self.decodeChoice(from: decoder) }
}
