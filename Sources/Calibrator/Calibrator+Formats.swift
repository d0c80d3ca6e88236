internal import Foundation
internal import Observers
internal import QuantCore
internal import TensorIO

extension Calibrator {
    /// Refuses a layer whose effective settings (defaults and every matching override stacked) contradict
    /// their number format, naming the key in the last override that applied (or the defaults section).
    static func checkFormats(_ policies: [LayerPolicy]) throws(CalibrationError) {
        for policy in policies where !policy.excluded {
            for (settings, section, activations) in [
                (policy.weights, "weights", false), (policy.activations, "activations", true),
            ] {
                guard let problem = settings.formatProblem(activations: activations) else { continue }
                let base: [ConfigPathComponent] =
                    policy.appliedOverrides.last.map { [.key("overrides"), .index($0.index)] } ?? []
                throw .config(
                    ConfigError(
                        .invalidValue(problem.value, allowed: problem.allowed + " (layer \(policy.layer))"),
                        at: base + [.key(section), .key(problem.key)]))
            }
        }
    }

    /// Calibrates a weight whose number format is not `int`: fixed point (integer codes with scales 2^−n or
    /// 10^−d), a minifloat with a float32 scale per block (amax of the observer's range / maxFinite), or an
    /// MX/NVFP4 block-scaled format (scales from each block's amax, as those formats define them).
    func calibrateFormattedWeight(
        layer: String, file: WeightsFile, dataset: String, settings s: QuantizationSettings
    ) throws(CalibrationError) -> (calibration: WeightCalibration, tensor: CalibratedTensor) {
        let (values, shape, elementType) = try read(dataset, in: file)
        guard !values.isEmpty else {
            throw .observer(
                layer: layer, dataset: dataset, reason: "the weight is empty (shape \(shape)): nothing to calibrate")
        }
        let granularity = s.granularity(rank: shape.count)
        let format = s.numberFormat
        var stored: FormattedWeight
        do {
            let layout = try granularity.layout(shape: shape)
            if let scheme = format.blockScheme {
                let axis = if case .perGroup(let axis, _) = granularity { axis } else { shape.count - 1 }
                stored = try Self.blockScaled(values, shape: shape, scheme: scheme, axis: axis, format: format)
            } else {
                // Symmetric ranges from the configured observer (min-max: the block's amax; others may clip).
                var observer = try observers.makeObserver(
                    s.observer, granularity: granularity, nonFinite: config.nanPolicy.observerPolicy)
                try values.withUnsafeBufferPointer { try observer.observe($0, shape: shape) }
                let ranges = try observer.ranges(
                    for: RangeTarget(try s.affineScheme(.symmetric, granularity: granularity)))
                let amax = zip(ranges.low, ranges.high).map { max(abs($0), abs($1)) }
                if let element = format.elementFormat {
                    stored = try Self.minifloat(values, shape: shape, element: element, layout: layout, amax: amax)
                } else {
                    stored = try Self.fixedPoint(values, settings: s, layout: layout, amax: amax)
                }
                stored.ranges = ranges
            }
        } catch let error as QuantizationError {
            throw .quantization(layer: layer, dataset: dataset, error)
        } catch {
            throw .observer(layer: layer, dataset: dataset, reason: "\(error)")
        }
        let metrics: ErrorMetrics
        do { metrics = try ErrorMetrics(reference: values, reconstruction: stored.restored) } catch {
            throw .quantization(layer: layer, dataset: dataset, error)
        }
        let statistics = values.withUnsafeBufferPointer { TensorStatistics($0) }
        let decision = SchemeDecision(
            requested: .symmetric, chosen: .symmetric, symmetricError: metrics.meanSquaredError,
            reason: "\(format.rawValue) has no zero point")
        let integerFormat: IntegerFormat
        do { integerFormat = try s.integerFormat() } catch {
            throw .quantization(layer: layer, dataset: dataset, error)
        }
        let ranges = stored.ranges
        let calibration = WeightCalibration(
            dataset: dataset, shape: shape, elementType: elementType, observer: s.observer, format: integerFormat,
            profile: s.profile, rounding: .toNearestOrEven, granularity: stored.granularity, scheme: decision,
            observedMin: statistics.finiteCount > 0 ? statistics.min : 0,
            observedMax: statistics.finiteCount > 0 ? statistics.max : 0, parameterShape: stored.parameterShape,
            rangeMins: ranges?.low ?? stored.scales.map { _ in 0 },
            rangeMaxs: ranges?.high ?? stored.scales.map { _ in 0 },
            scales: stored.scales, zeroPoints: stored.scales.map { _ in 0 }, metrics: metrics,
            clippingFraction: stored.clippingFraction(values),
            counts: ranges?.counts ?? NonFiniteCounts(), degenerateRanges: [], numberFormat: format)
        let tensor = CalibratedTensor(
            layer: layer, dataset: dataset, role: "weight", shape: shape, elementType: elementType,
            content: stored.content(format: format, metrics: metrics), values: values)
        return (calibration, tensor)
    }
}

/// A weight in a non-integer number format as computed, before it becomes a ``CalibratedTensor``.
struct FormattedWeight {
    /// The stored form.
    enum Codes {
        case fixed(codes: [Int32], parameters: QuantizationParameters, fractionBits: Int?, fractionDigits: Int?)
        case minifloat(FloatFormatQuantizer.Quantized, granularity: Granularity)
        case blockScaled(BlockScaledQuantizer.Quantized, axis: Int, blockSize: Int)
    }

    var codes: Codes
    /// x̂ of every element.
    var restored: [Float]
    /// The float32 scale of every parameter (block).
    var scales: [Float]
    /// Granularity of the scales.
    var granularity: Granularity
    /// Shape of the scale array.
    var parameterShape: [Int]
    /// Per parameter, the magnitude beyond which codes saturate (scale · (largest code + half its step)).
    var largest: [Float]
    /// The observer's ranges, when an observer chose them.
    var ranges: ObservedRanges?
    /// Which parameter each element uses.
    var layout: ParameterLayout

    /// Share of the finite elements beyond their parameter's largest representable magnitude (saturated).
    func clippingFraction(_ values: [Float]) -> Double {
        var finite = 0
        var clipped = 0
        for (i, x) in values.enumerated() where x.isFinite {
            finite += 1
            if abs(x) > largest[layout.parameterIndex(ofElement: i)] { clipped += 1 }
        }
        return finite > 0 ? Double(clipped) / Double(finite) : 0
    }

    /// The calibrated tensor's content.
    func content(format: NumberFormatSetting, metrics: ErrorMetrics) -> CalibratedTensor.Content {
        switch codes {
        case .fixed(let codes, let parameters, let bits, let digits):
            .fixedPoint(
                codes: codes, parameters: parameters, fractionBits: bits, fractionDigits: digits, metrics: metrics)
        case .minifloat(let q, let granularity):
            .minifloat(format: format, codes: q.codes, scales: q.scales, granularity: granularity, metrics: metrics)
        case .blockScaled(let q, let axis, _):
            .blockScaled(format: format, quantized: q, axis: axis, metrics: metrics)
        }
    }
}

extension Calibrator {
    /// Minifloat codes with scale = amax / maxFinite per block (1 for amax 0, never below the smallest
    /// normal Float): code = RNE(x / scale), saturating.
    static func minifloat(
        _ values: [Float], shape: [Int], element: FloatFormat, layout: ParameterLayout, amax: [Float]
    ) throws -> FormattedWeight {
        let quantizer = try FloatFormatQuantizer(format: element, granularity: layout.granularity)
        let scales = amax.map(quantizer.scale(forAmax:))
        let q = try values.withUnsafeBufferPointer { try quantizer.quantize($0, shape: shape, scales: scales) }
        var restored = [Float](repeating: 0, count: values.count)
        try restored.withUnsafeMutableBufferPointer { try quantizer.dequantize(q, into: $0) }
        return FormattedWeight(
            codes: .minifloat(q, granularity: layout.granularity), restored: restored, scales: scales,
            granularity: layout.granularity, parameterShape: layout.parameterShape,
            largest: scales.map { $0 * saturationBound(element) }, layout: layout)
    }

    /// MX or NVFP4 codes (scales from the blocks' amax).
    static func blockScaled(
        _ values: [Float], shape: [Int], scheme: BlockScaledQuantizer.Scheme, axis: Int, format: NumberFormatSetting
    ) throws -> FormattedWeight {
        let quantizer = try BlockScaledQuantizer(scheme: scheme, axis: axis)
        let q = try values.withUnsafeBufferPointer { try quantizer.quantize($0, shape: shape) }
        var restored = [Float](repeating: 0, count: values.count)
        try restored.withUnsafeMutableBufferPointer { try quantizer.dequantize(q, into: $0) }
        let layout = try quantizer.elements.layout(for: shape)
        let scales = quantizer.blockScales(q)
        return FormattedWeight(
            codes: .blockScaled(q, axis: axis, blockSize: quantizer.blockSize), restored: restored, scales: scales,
            granularity: layout.granularity, parameterShape: layout.parameterShape,
            largest: scales.map { $0 * saturationBound(quantizer.elements.format) }, layout: layout)
    }

    /// Two's-complement fixed point: q = clamp(RNE(x · 2^n)) with E = 2^−n per parameter (`fraction-bits`, or
    /// the largest n with amax · 2^n ≤ qmax), or the seed's decimal form with E = 10^−d (q = ±units of E,
    /// saturating at the largest magnitude of its sign | integer | fraction fields); x̂ = 2^−n · q, or for the
    /// decimal form Float(q / 10^d) (the scales record the Float nearest E).
    static func fixedPoint(
        _ values: [Float], settings s: QuantizationSettings, layout: ParameterLayout, amax: [Float]
    ) throws -> FormattedWeight {
        let format = try s.integerFormat()
        let codes: [Int32]
        let scales: [Float]
        let parameters: QuantizationParameters
        if let digits = s.fractionDigits {
            let fixed = try s.decimalFixedPoint(digits: digits)
            // E = 10^−d correctly rounded to Float (the text "1e-d" parses exactly once).
            let e = Float("1e-\(digits)") ?? 1
            scales = Array(repeating: e, count: layout.parameterCount)
            parameters = try QuantizationParameters(
                format: format, layout: layout, scales: scales, zeroPoints: scales.map { _ in 0 })
            let units = Int64(fixed.unitsPerOne)
            codes = values.map { x in
                // The seed's fields S, I, m as one signed count of E units: ±(I · 10^d + m).
                let v = fixed.encode(Double(x))
                let magnitude = Int64(v.integer) * units + Int64(v.fraction)
                return Int32(clamping: v.isNegative ? -magnitude : magnitude)
            }
        } else {
            let qmax = Double(format.qmax)
            let bits = amax.map { a in s.fractionBits ?? chooseFractionBits(amax: Double(a), qmax: qmax) }
            scales = bits.map { Float(sign: .plus, exponent: -$0, significand: 1) }
            parameters = try QuantizationParameters(
                format: format, layout: layout, scales: scales, zeroPoints: scales.map { _ in 0 })
            codes = try parameters.quantize(values, as: Int32.self)
        }
        // Decimal: x̂ = Float(q / 10^d), the value nearest ±(I + m·E); binary: x̂ = 2^−n · q (exact).
        let restored =
            try s.fractionDigits.map { d in codes.map { FixedPointFormat.decimalValue(units: $0, digits: d) } }
            ?? parameters.dequantize(codes)
        let uniformBits = s.fractionDigits == nil ? uniformFractionBits(scales) : nil
        let largestCode = s.fractionDigits.flatMap { d in try? s.decimalFixedPoint(digits: d) }.map {
            Float($0.maxMagnitude)
        }
        return FormattedWeight(
            codes: .fixed(
                codes: codes, parameters: parameters, fractionBits: uniformBits, fractionDigits: s.fractionDigits),
            restored: restored, scales: scales, granularity: layout.granularity, parameterShape: layout.parameterShape,
            largest: scales.map { largestCode ?? $0 * (Float(format.qmax) + 0.5) }, layout: layout)
    }

    /// The largest n in ``PolicySettings/fractionBitRange`` with amax · 2^n ≤ qmax (products of powers of
    /// two are exact in Double); 0 for amax 0.
    static func chooseFractionBits(amax: Double, qmax: Double) -> Int {
        guard amax > 0, amax.isFinite else { return 0 }
        let range = PolicySettings.fractionBitRange
        var n = min(max(Int((log2(qmax / amax)).rounded(.down)), range.lowerBound), range.upperBound)
        while n < range.upperBound && amax * pow(2, Double(n + 1)) <= qmax { n += 1 }
        while n > range.lowerBound && amax * pow(2, Double(n)) > qmax { n -= 1 }
        return n
    }

    /// maxFinite plus half its ulp, 2^(⌊log2 maxFinite⌋ − m − 1): x / s up to this rounds to ±maxFinite,
    /// beyond it the code saturates (is clipped).
    static func saturationBound(_ format: FloatFormat) -> Float {
        format.maxFinite
            + Float(sign: .plus, exponent: Int(format.maxFinite.exponent) - format.mantissaBits - 1, significand: 1)
    }

    /// n when every scale is the same 2^−n, else `nil`.
    static func uniformFractionBits(_ scales: [Float]) -> Int? {
        guard let first = scales.first, scales.allSatisfy({ $0 == first }) else { return nil }
        return -Int(first.exponent)
    }
}

extension Calibrator {
    /// Why an int32 bias cannot use `s_in · s_w` (kept in float): a minifloat or block-scaled weight, or
    /// a minifloat input activation, has no integer grid; `nil` when both are integer or fixed point.
    static func floatBiasReason(weight: WeightCalibration, input: ActivationCalibration) -> String? {
        if let format = weight.numberFormat, format != .fixed {
            return "the weight's codes are \(format.rawValue) (no integer grid for an int32 bias)"
        }
        if let format = input.numberFormat, format != .int {
            return "the input's codes are \(format.rawValue) (no integer grid for an int32 bias)"
        }
        return nil
    }
}
