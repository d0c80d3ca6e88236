internal import Observers
internal import QuantCore

extension Calibrator {
    /// A minifloat activation (per tensor): the observer's symmetric range gives amax and
    /// scale = amax / maxFinite (1 for amax 0, never below the smallest normal Float), zero point 0; the
    /// clipping fraction counts the values beyond ±scale · (maxFinite + half its ulp), which saturate.
    func finishMinifloat(
        _ observers: ActivationObservers, dataset: String, rows: Int, rowShape: [Int]
    ) throws(CalibrationError) -> ActivationCalibration {
        let s = observers.settings
        let histogram = observers.exactHistograms.first ?? ExactHistogram()
        let layer = observers.layer
        guard let element = s.numberFormat.elementFormat else {
            throw .observer(layer: layer, dataset: dataset, reason: "\(s.numberFormat.rawValue) is not a minifloat")
        }
        let format: IntegerFormat
        let ranges: ObservedRanges
        let quantizer: FloatFormatQuantizer
        do {
            format = try s.integerFormat()
            quantizer = try FloatFormatQuantizer(format: element, granularity: .perTensor)
            ranges = try observers.primary.ranges(
                for: RangeTarget(try s.affineScheme(.symmetric, granularity: .perTensor)))
        } catch let error as QuantizationError {
            throw .quantization(layer: layer, dataset: dataset, error)
        } catch {
            throw .observer(layer: layer, dataset: dataset, reason: "\(error)")
        }
        let low = ranges.low.first ?? 0
        let high = ranges.high.first ?? 0
        let scale = quantizer.scale(forAmax: max(abs(low), abs(high)))
        let largest = Double(scale) * Double(Self.saturationBound(element))
        return ActivationCalibration(
            dataset: dataset, rows: rows, rowShape: rowShape, observer: s.observer, format: format, profile: s.profile,
            rounding: .toNearestOrEven,
            scheme: SchemeDecision(
                requested: .symmetric, chosen: .symmetric, reason: "\(s.numberFormat.rawValue) has no zero point"),
            observedMin: histogram.isEmpty ? 0 : histogram.min, observedMax: histogram.isEmpty ? 0 : histogram.max,
            rangeMin: low, rangeMax: high, scale: scale, zeroPoint: 0,
            clippingFraction: histogram.fractionOutside(low: -largest, high: largest), counts: ranges.counts,
            degenerate: nil, numberFormat: s.numberFormat, histogram: ActivationHistogram(merging: [histogram]))
    }
}
