public import QuantCore

extension QuantizationSettings {
    /// The integer code format (`bits`, `signedness`, `narrow-range`).
    public func integerFormat() throws(QuantizationError) -> IntegerFormat {
        try IntegerFormat(bits: bits, signed: signedness == .signed, narrow: narrowRange)
    }

    /// The granularity for a tensor of rank `rank`, with a negative axis counted from the end (an axis
    /// outside the rank, `axis < −rank` included, is kept as given and rejected by the parameter layout:
    /// it is never wrapped around twice).
    public func granularity(rank: Int) -> Granularity {
        let resolved = axis < 0 && axis + rank >= 0 ? axis + rank : axis
        switch self.granularity {
        case .perTensor: return .perTensor
        case .perChannel: return .perChannel(axis: resolved)
        case .perGroup: return .perGroup(axis: resolved, size: groupSize)
        }
    }

    /// The affine scheme for `symmetry` and `granularity`.
    public func affineScheme(_ symmetry: Symmetry, granularity: Granularity) throws(QuantizationError) -> AffineScheme {
        try AffineScheme(
            format: integerFormat(), symmetry: symmetry, rounding: rounding.rule(for: profile),
            granularity: granularity,
            profile: profile)
    }

    /// The candidate schemes: the configured one, or both for `auto` (only symmetric for profiles that
    /// have no asymmetric mode, TensorRT).
    var candidateSymmetries: [Symmetry] {
        switch scheme {
        case .symmetric: [.symmetric]
        case .asymmetric: [.asymmetric]
        case .auto: profile == .tensorrt ? [.symmetric] : [.symmetric, .asymmetric]
        }
    }
}
