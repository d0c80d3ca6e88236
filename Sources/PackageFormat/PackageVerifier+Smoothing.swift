import QuantCore

extension PackageVerifier {
    /// Every smoothed activation record (`smoothing`, ``ActivationSmoothingRecord``) re-derived from the stored
    /// s: per channel along an axis ≥ 1 with `zero_point_sharing` `shared` and no per-tensor `scale`; a weight
    /// records the same `input_scale_dataset` with method `smoothquant` and the same α; s has one finite,
    /// positive value per channel; the smoothed range is [min_j(channel_range_min_j/s_j),
    /// max_j(channel_range_max_j/s_j)] (float32), (scale, zero_point) what the profile gives for it, every channel
    /// scale the float32 product scale·s_j and every zero point the shared one; `[range_min, range_max]` the
    /// envelope of the channels' ranges. Conversely every `smoothquant` weight's s is named by a smoothed input.
    static func checkSmoothing(_ package: borrowing PackageReader, _ report: inout Report) {
        var named: Set<String> = []
        for layer in package.manifest.layers {
            guard let a = layer.activation, let sm = a.smoothing else { continue }
            named.insert(sm.inputScaleDataset)
            let place = "\(package.path): layer \(layer.name) activation smoothing"
            report.check(checkSmoothed(a, sm, package).map { "\(place): \($0)" })
        }
        for record in package.manifest.tensors where record.quantization?.method?.name == .smoothquant {
            let path = record.quantization?.method?.inputScaleDataset ?? ""
            report.check(
                named.contains(path)
                    ? nil
                    : "\(package.path): \(record.dataset): method smoothquant, but no activation record is smoothed "
                        + "with \(path) (the input would be quantized without dividing by s)")
        }
    }

    /// The first problem of one smoothed record, or nil.
    private static func checkSmoothed(
        _ a: ActivationRecord, _ sm: ActivationSmoothingRecord, _ package: borrowing PackageReader
    ) -> String? {
        guard sm.method == "smoothquant", (0...1).contains(sm.alpha), (sm.alphaGrid ?? 1) >= 1 else {
            return "method '\(sm.method)' with alpha \(sm.alpha) is not smoothquant with an α in [0, 1]"
        }
        guard a.granularity == "per-channel", (a.axis ?? 0) >= 1, a.zeroPointSharing == "shared", a.scale == nil,
            a.zeroPoint == nil, let scales = a.scales, let zeroPoints = a.zeroPoints, let mins = a.channelRangeMin,
            let maxs = a.channelRangeMax, !scales.isEmpty, zeroPoints.count == scales.count,
            mins.count == scales.count, maxs.count == scales.count
        else {
            return "a smoothed input is per-channel along an axis ≥ 1 with a shared zero point and every channel's "
                + "scale, zero point and range listed once"
        }
        guard
            let weight = package.manifest.tensors.first(where: {
                $0.quantization?.method?.inputScaleDataset == sm.inputScaleDataset
            }), let method = weight.quantization?.method
        else {
            return "no weight records input_scale_dataset \(sm.inputScaleDataset)"
        }
        guard method.name == .smoothquant, method.alpha == sm.alpha, method.alphaGrid == sm.alphaGrid else {
            return "the weight \(weight.dataset) records method \(method.name.rawValue) with alpha "
                + "\(method.alpha.map { "\($0)" } ?? "none"), not smoothquant with alpha \(sm.alpha)"
        }
        let s: [Float]
        do {
            guard let (_, stored) = try package.inputScales(of: weight) else { return "s is not stored" }
            s = stored
        } catch {
            return "\(error)"
        }
        guard s.count == scales.count, s.allSatisfy({ $0.isFinite && $0 > 0 }) else {
            return "s (\(sm.inputScaleDataset)) has \(s.count) values for \(scales.count) channels, or one that "
                + "is not finite and positive"
        }
        guard mins.min() == a.rangeMin, maxs.max() == a.rangeMax else {
            return "range [\(a.rangeMin), \(a.rangeMax)] is not the envelope of the channels' ranges"
        }
        let low = s.indices.lazy.map { mins[$0] / s[$0] }.min() ?? 0
        let high = s.indices.lazy.map { maxs[$0] / s[$0] }.max() ?? 0
        guard low.bitPattern == sm.rangeMin.bitPattern, high.bitPattern == sm.rangeMax.bitPattern else {
            return "range [\(sm.rangeMin), \(sm.rangeMax)] is not [min_j(min_j/s_j), max_j(max_j/s_j)] = "
                + "[\(low), \(high)]"
        }
        guard let scheme = activationScheme(a) else { return "profile, scheme or format are not ones PTQKit writes" }
        let derived = scheme.parameters(min: low, max: high)
        guard derived.scale.bitPattern == sm.scale.bitPattern, Int(derived.zeroPoint) == sm.zeroPoint else {
            return "scale \(sm.scale), zero point \(sm.zeroPoint) are not what \(a.profile) gives for the smoothed "
                + "range (scale \(derived.scale), zero point \(derived.zeroPoint))"
        }
        let bad = scales.indices.filter {
            (sm.scale * s[$0]).bitPattern != scales[$0].bitPattern || zeroPoints[$0] != sm.zeroPoint
        }
        guard let c = bad.first else { return nil }
        return "\(bad.count) of \(scales.count) channels' scale or zero point are not scale·s_j and the shared zero "
            + "point (first: channel \(c), scale \(scales[c]), expected \(sm.scale * s[c]); zero point "
            + "\(zeroPoints[c]), expected \(sm.zeroPoint))"
    }
}
