/// What a calibrated range is for: the integer grid it will be quantized onto.
///
/// Range searches that depend on the target (MSE, entropy) evaluate candidate ranges on exactly
/// this grid: codes `qmin…qmax`, symmetric ranges centred on zero or asymmetric ones with a zero
/// point. Min-max and percentile ranges ignore it.
public struct RangeTarget: Sendable, Hashable, Codable {
    /// Bit width (2…16).
    public var bits: Int
    /// Whether the range is symmetric about zero (zero point in the middle of the code range).
    public var symmetric: Bool
    /// Smallest code.
    public var qmin: Int
    /// Largest code.
    public var qmax: Int

    /// Creates a target from its parts.
    public init(bits: Int, symmetric: Bool, qmin: Int, qmax: Int) {
        self.bits = bits
        self.symmetric = symmetric
        self.qmin = qmin
        self.qmax = qmax
    }

    /// The usual grids: signed `[−2^(b−1), 2^(b−1)−1]` (or `[−2^(b−1)+1, …]` when `narrow`),
    /// unsigned `[0, 2^b−1]`.
    public static func integer(bits: Int, signed: Bool, symmetric: Bool, narrow: Bool = false) -> RangeTarget {
        let half = 1 << (bits - 1)
        if signed {
            return RangeTarget(bits: bits, symmetric: symmetric, qmin: narrow ? -half + 1 : -half, qmax: half - 1)
        }
        return RangeTarget(bits: bits, symmetric: symmetric, qmin: 0, qmax: (1 << bits) - 1 - (narrow ? 1 : 0))
    }

    /// Signed 8-bit, symmetric: the default for range searches.
    public static let int8Symmetric = RangeTarget.integer(bits: 8, signed: true, symmetric: true)

    /// Number of quantization steps, `qmax − qmin`.
    public var steps: Int { qmax - qmin }
}
