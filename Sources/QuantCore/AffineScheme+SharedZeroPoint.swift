extension AffineScheme {
    /// Per-channel parameters for the ranges `[mins[c], maxs[c]]` with one zero point shared by every
    /// channel (per-channel activations with `zero-point: shared`).
    ///
    /// When the channels' own parameters (``parameters(min:max:)``) already agree on the zero point (every
    /// symmetric grid), they are returned unchanged. Otherwise `z` is the zero point of the whole range
    /// `[min mins, max maxs]` and each channel gets the smallest scale that keeps its range (zero included,
    /// `lo = min(min, 0)`, `hi = max(max, 0)`) on the grid around `z`:
    ///
    ///     s_c = max(hi_c / (qmax − z), lo_c / (qmin − z))   (terms with a zero denominator left out)
    ///
    /// in Double, rounded up to Float (so `hi_c/s_c ≤ qmax − z` and `lo_c/s_c ≥ qmin − z`), then capped as
    /// ``parameters(min:max:)`` caps ptqkit scales. A channel whose range leaves `s_c` below `2^−126`
    /// (a channel that only saw zeros, or a range too narrow) takes the whole range's scale and is reported degenerate; a power-of-two
    /// scheme rounds `s_c` up to a power of two. `mins` and `maxs` have the same count (≥ 1).
    public func sharedZeroPointParameters(mins: [Float], maxs: [Float]) -> [ScaleAndZeroPoint] {
        let own = zip(mins, maxs).map { parameters(min: $0, max: $1) }
        guard let first = own.first, own.contains(where: { $0.zeroPoint != first.zeroPoint }) else { return own }
        let finiteMins = mins.filter(\.isFinite)
        let finiteMaxs = maxs.filter(\.isFinite)
        let whole = parameters(min: finiteMins.min() ?? 0, max: finiteMaxs.max() ?? 0)
        let z = Double(whole.zeroPoint)
        let up = Double(format.qmax) - z
        let down = Double(format.qmin) - z
        return zip(mins, maxs).map { lo, hi in
            let l = lo.isFinite ? Double(Swift.min(lo, 0)) : 0
            let h = hi.isFinite ? Double(Swift.max(hi, 0)) : 0
            let s = Swift.max(up > 0 ? h / up : 0, down < 0 ? l / down : 0)
            guard s >= Double(Float.leastNormalMagnitude) else {
                let reason: DegenerateRange.Reason = h == l ? .zeroWidth : .belowMinimumScale
                return ScaleAndZeroPoint(scale: whole.scale, zeroPoint: whole.zeroPoint, degenerate: reason)
            }
            var scale = Float(s)
            if Double(scale) < s { scale = scale.nextUp }
            if powerOfTwoScale, scale.significandBitPattern != 0 {
                scale = Float(sign: .plus, exponent: scale.exponent + 1, significand: 1)
            }
            return cappedToFiniteCodes(ScaleAndZeroPoint(scale: scale, zeroPoint: whole.zeroPoint))
        }
    }
}
