import QuantCore

extension PackageVerifier {
    /// The affine scheme an activation record names (profile, scheme, format, rounding), or `nil` when
    /// PTQKit writes no such record.
    static func activationScheme(_ a: ActivationRecord) -> AffineScheme? {
        guard let profile = CompatibilityProfile(rawValue: a.profile), let symmetry = Symmetry(rawValue: a.scheme),
            let format = try? IntegerFormat(bits: a.bits, signed: a.signed, narrow: a.narrowRange)
        else { return nil }
        return try? AffineScheme(
            format: format, symmetry: symmetry,
            rounding: a.rounding == "half-away" ? .toNearestOrAwayFromZero : .toNearestOrEven, profile: profile)
    }

    /// A per-channel activation record: `granularity` `per-channel` with an `axis` ≥ 1, no per-tensor
    /// `scale`/`zero_point`, one scale, zero point and range per channel (at least one channel), every scale
    /// finite and > 0, every zero point within the codes, all equal when `zero_point_sharing` is `shared`,
    /// the envelope `[range_min, range_max]` of the channels' ranges, and every scale and zero point what the
    /// profile's formula gives for the channel's range (`AffineScheme.sharedZeroPointParameters` when shared).
    static func checkActivationChannels(
        _ a: ActivationRecord, place: String, scheme: AffineScheme, _ report: inout Report
    ) {
        guard a.granularity == "per-channel", let axis = a.axis, axis >= 1 else {
            report.check(
                "\(place): granularity '\(a.granularity ?? "")' with axis \(a.axis.map(String.init) ?? "none")"
                    + " is not per-channel along a feature axis (≥ 1)")
            return
        }
        report.check(
            a.scale == nil && a.zeroPoint == nil ? nil : "\(place): a per-channel record has no scale or zero_point")
        guard let scales = a.scales, let zeroPoints = a.zeroPoints, let mins = a.channelRangeMin,
            let maxs = a.channelRangeMax, !scales.isEmpty, zeroPoints.count == scales.count,
            mins.count == scales.count, maxs.count == scales.count
        else {
            report.check(
                "\(place): scales, zero_points, channel_range_min and channel_range_max must list every channel once")
            return
        }
        let shared: Bool
        switch a.zeroPointSharing {
        case "shared": shared = true
        case "per-channel": shared = false
        default:
            report.check("\(place): zero_point_sharing '\(a.zeroPointSharing ?? "")' is not per-channel or shared")
            return
        }
        report.check(
            mins.min() == a.rangeMin && maxs.max() == a.rangeMax
                ? nil : "\(place): range [\(a.rangeMin), \(a.rangeMax)] is not the envelope of the channels' ranges")
        if shared {
            report.check(Set(zeroPoints).count == 1 ? nil : "\(place): shared zero points differ between channels")
        }
        let derived =
            shared
            ? scheme.sharedZeroPointParameters(mins: mins, maxs: maxs)
            : zip(mins, maxs).map { scheme.parameters(min: $0, max: $1) }
        var bad: [Int] = []
        for c in scales.indices {
            let valid = scales[c].isFinite && scales[c] > 0 && (a.qmin...max(a.qmin, a.qmax)).contains(zeroPoints[c])
            if !valid || derived[c].scale.bitPattern != scales[c].bitPattern
                || Int(derived[c].zeroPoint) != zeroPoints[c]
            {
                bad.append(c)
            }
        }
        if let c = bad.first {
            report.check(
                "\(place): \(bad.count) of \(scales.count) channels' scale or zero point are not what \(a.profile) gives "
                    + "for their recorded ranges (first: channel \(c), scale \(scales[c]), zero point \(zeroPoints[c]), "
                    + "range [\(mins[c]), \(maxs[c])]; expected scale \(derived[c].scale), zero point "
                    + "\(derived[c].zeroPoint))")
        }
    }
}
