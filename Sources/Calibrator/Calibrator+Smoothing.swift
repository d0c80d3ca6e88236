internal import Observers
internal import QuantCore
internal import WeightRounding

extension Calibrator {
    /// The name of the one activation observer whose range of X·diag(s)⁻¹ follows exactly from per-feature
    /// statistics: min-max (its range is [min_j(min X_j/s_j), max_j(max X_j/s_j)] for s_j > 0). A histogram
    /// observer's range (percentile, MSE, entropy) depends on the distribution of the smoothed values, which
    /// the histogram of X does not determine.
    static let smoothingObserver = "minmax"

    /// Refuses configurations that smooth a layer's input (`weights: smoothing:`) in a way the package could not
    /// record exactly: the weight rounded by another method, or not integer; the input not per tensor, not
    /// integer, its observer other than min-max, or `scheme: auto` (on either side: the candidates would be
    /// compared on unsmoothed statistics).
    /// - Throws: ``CalibrationError/config(_:)`` (exit 78) naming the offending key and the layer.
    static func checkSmoothing(_ policies: [LayerPolicy]) throws(CalibrationError) {
        for policy in policies where !policy.excluded && policy.weights.smoothing != nil {
            let (w, a) = (policy.weights, policy.activations)
            let problems: [(section: String, key: String, value: String, allowed: String)] = [
                w.method.map {
                    ("weights", "smoothing", $0.rawValue, "smoothing with round-to-nearest weights (no method:)")
                },
                w.numberFormat == .int ? nil : ("weights", "format", "\(w.numberFormat)", "int with smoothing"),
                w.scheme == .auto ? ("weights", "scheme", "auto", "symmetric or asymmetric with smoothing") : nil,
                a.numberFormat == .int ? nil : ("activations", "format", "\(a.numberFormat)", "int with smoothing"),
                a.granularity == .perTensor
                    ? nil
                    : (
                        "activations", "granularity", a.granularity.rawValue,
                        "per-tensor with smoothing (the smoothed input gets its per-feature scales from s)"
                    ),
                a.scheme == .auto
                    ? (
                        "activations", "scheme", "auto",
                        "symmetric or asymmetric with smoothing (auto would compare candidates on the unsmoothed input)"
                    ) : nil,
                a.observer.name == smoothingObserver
                    ? nil
                    : (
                        "activations", "observer", a.observer.name,
                        "minmax with smoothing (the range of X·diag(s)⁻¹ follows exactly from per-feature min and "
                            + "max; a histogram observer's does not)"
                    ),
            ].compactMap { $0 }
            guard let problem = problems.first else { continue }
            let base: [ConfigPathComponent] =
                policy.appliedOverrides.last.map { [.key("overrides"), .index($0.index)] } ?? []
            throw .config(
                ConfigError(
                    .invalidValue(problem.value, allowed: problem.allowed + " (layer \(policy.layer))"),
                    at: base + [.key(problem.section), .key(problem.key)]))
        }
    }

    /// Calibrates a weight whose input is smoothed (``SmoothingSetting``) and smooths the input's record with it:
    /// SmoothQuant's s from max|X_j| and the weight's columns (α fixed, or searched by the output error with the
    /// input's per-tensor grid simulated), codes of RTN(W·diag(s)) with s recorded (``CalibratedTensor/inputScales``),
    /// and the input's per-tensor parameters for the range of X·diag(s)⁻¹ derived exactly from the per-feature
    /// ranges (``ActivationSmoothing``); `input` gets per-feature effective scales scale·s_j with one zero point.
    ///
    /// - Throws: ``CalibrationError/weightMethod(layer:dataset:reason:)`` (exit 65) when the layer has no input
    ///   activations, moments or feature ranges, the weight is not a matrix with the input's features, or s or the
    ///   effective scales are not finite and positive.
    func calibrateSmoothedWeight(
        layer: String, file: WeightsFile, dataset: String, settings s: QuantizationSettings,
        smoothing: SmoothingSetting, activations: QuantizationSettings, inputAxis: Int?,
        input: inout ActivationCalibration?
    ) throws(CalibrationError) -> (calibration: WeightCalibration, tensor: CalibratedTensor) {
        func refuse(_ reason: String) -> CalibrationError {
            .weightMethod(layer: layer, dataset: dataset, reason: "smoothing \(smoothing.method.rawValue): \(reason)")
        }
        let (values, shape, elementType, weight, moments, axis) = try methodInput(
            layer: layer, file: file, dataset: dataset, settings: s, inputAxis: inputAxis, input: input,
            refuse: refuse)
        guard var smoothed = input, let features = smoothed.featureRanges, features.mins.count == weight.inputs,
            features.maxs.count == weight.inputs
        else {
            throw refuse("no per-feature ranges of the input's \(weight.inputs) features were observed")
        }
        let symmetry = smoothed.scheme.chosen
        let weightScheme: AffineScheme
        let inputScheme: AffineScheme
        do {
            weightScheme = try s.affineScheme(s.candidateSymmetries[0], granularity: s.granularity(rank: 2))
            inputScheme = try activations.affineScheme(symmetry, granularity: .perTensor)
        } catch {
            throw .quantization(layer: layer, dataset: dataset, error)
        }
        let result: SmoothQuant.Result
        do {
            let alpha: SmoothQuant.Alpha =
                switch smoothing.alpha {
                case .fixed(let value): .fixed(value)
                case .search(let count): .search(count: count)
                }
            result = try SmoothQuant(alpha: alpha).quantize(weight, moments: moments, scheme: weightScheme) {
                Double(Self.smoothedParameters(features, scales: $0, scheme: inputScheme).parameters.scale)
            }
        } catch {
            throw refuse("\(error)")
        }
        let scales = result.weight.inputScales ?? []
        let (low, high, p) = Self.smoothedParameters(features, scales: scales, scheme: inputScheme)
        let effective = scales.map { p.scale * $0 }
        if let j = effective.firstIndex(where: { !$0.isFinite || $0 < AffineScheme.minimumScale }) {
            throw refuse(
                "the effective scale of input feature \(j), \(p.scale) · s_j = \(effective[j]), is not a finite "
                    + "normal Float32")
        }
        var grid: Int?
        if case .search(let count) = smoothing.alpha { grid = count }
        smoothed.channels = ActivationChannels(
            axis: smoothed.rowShape.count, zeroPoint: .shared, rangeMin: features.mins, rangeMax: features.maxs,
            scales: effective, zeroPoints: Array(repeating: p.zeroPoint, count: effective.count))
        (smoothed.scale, smoothed.zeroPoint, smoothed.degenerate) = (p.scale, p.zeroPoint, p.degenerate)
        smoothed.smoothing = ActivationSmoothing(
            method: smoothing.method, alpha: result.alpha, alphaGrid: grid, weightDataset: dataset, rangeMin: low,
            rangeMax: high, scale: p.scale, zeroPoint: p.zeroPoint)
        input = smoothed
        var record = WeightRoundingMethod(name: .smoothquant)
        (record.alpha, record.alphaGrid, record.inputAxis) = (result.alpha, grid, axis)
        let decision = SchemeDecision.decide(
            requested: s.scheme, profile: s.profile, margin: s.autoMargin, measure: "output error",
            errors: [(s.candidateSymmetries[0], result.errors.min() ?? 0)])
        return try packaged(
            result.weight, of: weight, values: values, shape: shape, elementType: elementType, layer: layer,
            dataset: dataset, settings: s, decision: decision, method: record)
    }

    /// The range of X·diag(s)⁻¹ from each feature's range (Float32 divisions, s_j > 0) and the per-tensor
    /// parameters `scheme` gives for it.
    static func smoothedParameters(
        _ features: FeatureRanges, scales: [Float], scheme: AffineScheme
    ) -> (low: Float, high: Float, parameters: AffineScheme.ScaleAndZeroPoint) {
        let low = scales.indices.lazy.map { features.mins[$0] / scales[$0] }.min() ?? 0
        let high = scales.indices.lazy.map { features.maxs[$0] / scales[$0] }.max() ?? 0
        return (low, high, scheme.parameters(min: low, max: high))
    }
}
