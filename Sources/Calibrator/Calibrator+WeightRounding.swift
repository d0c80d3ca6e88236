internal import Observers
internal import QuantCore
internal import TensorIO
internal import WeightRounding

extension Calibrator {
    /// Calibrates a layer's weight with a calibration-driven method (`weights: method:` other than `rtn`) from the
    /// layer input's moments (``ActivationCalibration/inputMoments``, collected at the level
    /// ``LayerPolicy/inputMomentsLevel`` asks for): GPTQ, importance-weighted clipping or AWQ (module
    /// WeightRounding; AWQ's codes quantize W·diag(s), s recorded in ``CalibratedTensor/inputScales``). For
    /// `scheme: auto` each candidate is rounded and the one with the lower output error tr(ΔW·H·ΔWᵀ)/N (importance-weighted error Σ_j Σx²_j·Δw_j² for importance-clip) wins by the margin.
    ///
    /// - Throws: ``CalibrationError/weightMethod(layer:dataset:reason:)`` (exit 65) for a weight the method cannot
    ///   handle: not integer codes, not a matrix (a convolution kernel), non-finite values, no input activations
    ///   or moments for the layer, a feature count that differs from the weight's inputs, or a damped Hessian
    ///   that is not positive definite.
    func calibrateRoundedWeight(
        layer: String, file: WeightsFile, dataset: String, settings s: QuantizationSettings,
        method: WeightRoundingMethod.Name, inputAxis: Int?, input: ActivationCalibration?
    ) throws(CalibrationError) -> (calibration: WeightCalibration, tensor: CalibratedTensor) {
        func refuse(_ reason: String) -> CalibrationError {
            .weightMethod(layer: layer, dataset: dataset, reason: "method \(method.rawValue): \(reason)")
        }
        let (values, shape, elementType, weight, moments, axis) = try methodInput(
            layer: layer, file: file, dataset: dataset, settings: s, inputAxis: inputAxis, input: input,
            refuse: refuse)
        let granularity = s.granularity(rank: 2)
        struct Candidate {
            var symmetry: Symmetry
            var rounded: RoundedWeight
            var error: Double
        }
        var candidates: [Candidate] = []
        var alphas: [Symmetry: Double] = [:]
        do throws(WeightRoundingError) {
            for symmetry in s.candidateSymmetries {
                let scheme: AffineScheme
                do {
                    scheme = try s.affineScheme(symmetry, granularity: granularity)
                } catch {
                    throw .quantization("\(error)")
                }
                let rounded: RoundedWeight
                switch method {
                case .importanceClip, .rtn:  // rtn takes calibrateWeight's path; never here
                    rounded = try ImportanceClipping().quantize(weight, moments: moments, scheme: scheme)
                case .smoothquant:  // configured with `smoothing:` (calibrateSmoothedWeight); never here
                    throw .invalidSetting("SmoothQuant is configured with smoothing:, not method:")
                case .awq:
                    let awq = ActivationAwareScaling(alphas: AlphaGrid.points(count: s.alphaGrid ?? 20))
                    let result = try awq.quantize(weight, moments: moments, scheme: scheme)
                    rounded = result.weight
                    alphas[symmetry] = result.alpha
                case .gptq:
                    let gptq = GPTQ(
                        damping: s.damping ?? 0.01, blockSize: s.blockSize ?? 128, actOrder: s.actOrder ?? false)
                    rounded = try gptq.quantize(weight, moments: moments, scheme: scheme)
                }
                let error = try Self.methodError(rounded, weight: weight, moments: moments)
                candidates.append(Candidate(symmetry: symmetry, rounded: rounded, error: error))
            }
        } catch {
            throw refuse("\(error)")
        }
        let measure = moments.gram != nil ? "output error tr(ΔW·H·ΔWᵀ)/N" : "importance-weighted error Σ Σx²·Δw²"
        let decision = SchemeDecision.decide(
            requested: s.scheme, profile: s.profile, margin: s.autoMargin, measure: measure,
            errors: candidates.map { ($0.symmetry, $0.error) })
        guard let chosen = candidates.first(where: { $0.symmetry == decision.chosen }) else {
            throw refuse("no candidate scheme")
        }
        var record = WeightRoundingMethod(name: method)
        switch method {
        case .gptq:
            (record.damping, record.blockSize, record.actOrder) = (
                s.damping ?? 0.01, s.blockSize ?? 128, s.actOrder ?? false
            )
        case .awq:
            (record.alpha, record.alphaGrid, record.inputAxis) = (alphas[chosen.symmetry], s.alphaGrid ?? 20, axis)
        case .rtn, .importanceClip, .smoothquant:
            break
        }
        return try packaged(
            chosen.rounded, of: weight, values: values, shape: shape, elementType: elementType, layer: layer,
            dataset: dataset, settings: s, decision: decision, method: record)
    }

    /// What a calibration-driven method reads: the weight `dataset` as a matrix (values as stored, its shape and
    /// element type, the `[out, in]` view along the input axis) and the moments of the layer's input.
    /// - Throws: `refuse(reason)` for a weight that is not integer codes or not a matrix, no input or no rows, or
    ///   moments whose feature count is not the weight's inputs.
    func methodInput(
        layer: String, file: WeightsFile, dataset: String, settings s: QuantizationSettings, inputAxis: Int?,
        input: ActivationCalibration?, refuse: (String) -> CalibrationError
    ) throws(CalibrationError) -> (
        values: [Float], shape: [Int], elementType: String, weight: WeightMatrix, moments: InputMoments, axis: Int
    ) {
        guard s.numberFormat == .int else {
            throw refuse("rounds onto integer grids; the weight's format is \(s.numberFormat)")
        }
        guard let input else {
            throw refuse("needs the layer's input activations (no activation dataset was found for the layer)")
        }
        guard let moments = input.inputMoments, moments.rows > 0 else {
            throw refuse("no input moments were collected from \(input.dataset) (no rows)")
        }
        let (values, shape, elementType) = try read(dataset, in: file)
        guard shape.count == 2 else {
            throw refuse("handles matrices (rank 2); this weight has shape \(shape) (a convolution kernel?)")
        }
        let axis = inputAxis ?? Self.inputAxis(of: s.granularity(rank: 2))
        do {
            let weight = try WeightMatrix(stored: values, shape: shape, inputAxis: axis)
            try weight.check(moments)
            return (values, shape, elementType, weight, moments, axis)
        } catch let error as QuantizationError {
            throw .quantization(layer: layer, dataset: dataset, error)
        } catch {
            throw refuse("\(error)")
        }
    }

    /// The calibration record and stored tensor of `rounded` (codes of W·diag(s) when it records s), chosen by
    /// `method` with `decision`: error metrics of the effective weight against the original `values`, clipping
    /// counted on the range the codes cover.
    /// - Throws: ``CalibrationError`` when the effective weight or its metrics cannot be computed.
    func packaged(
        _ rounded: RoundedWeight, of weight: WeightMatrix, values: [Float], shape: [Int], elementType: String,
        layer: String, dataset: String, settings s: QuantizationSettings, decision: SchemeDecision,
        method record: WeightRoundingMethod
    ) throws(CalibrationError) -> (calibration: WeightCalibration, tensor: CalibratedTensor) {
        let p = rounded.parameters
        let format: IntegerFormat
        let effective: [Float]
        do {
            format = try s.integerFormat()
            effective = try Self.stored(rounded.effectiveWeight(weight), like: weight)
        } catch {
            throw .weightMethod(layer: layer, dataset: dataset, reason: "method \(record.name.rawValue): \(error)")
        }
        let metrics: ErrorMetrics
        do {
            metrics = try ErrorMetrics(reference: values, reconstruction: effective)
        } catch {
            throw .quantization(layer: layer, dataset: dataset, error)
        }
        // the range the codes cover is that of W·diag(s) for AWQ: clipping is counted on it
        let quantized = rounded.inputScales.map { Self.scaled(weight, by: $0) } ?? values
        var counts = NonFiniteCounts()
        counts.finite = UInt64(values.count)
        var calibration = WeightCalibration(
            dataset: dataset, shape: shape, elementType: elementType, observer: s.observer, format: format,
            profile: s.profile, rounding: p.rounding, granularity: p.granularity, scheme: decision,
            observedMin: values.min() ?? 0, observedMax: values.max() ?? 0, parameterShape: p.layout.parameterShape,
            rangeMins: rounded.rangeMins, rangeMaxs: rounded.rangeMaxs, scales: p.scales,
            zeroPoints: p.zeroPoints, metrics: metrics,
            clippingFraction: Self.clippingFraction(quantized, parameters: p), counts: counts,
            degenerateRanges: p.warnings)
        calibration.method = record
        var tensor = CalibratedTensor(
            layer: layer, dataset: dataset, role: "weight", shape: shape, elementType: elementType,
            content: .affine(
                codes: rounded.codes, parameters: p, symmetry: decision.chosen, profile: s.profile,
                schemeReason: s.scheme == .auto ? decision.reason : nil, metrics: metrics),
            values: values)
        tensor.schemeDecision = decision
        tensor.roundingMethod = record
        tensor.inputScales = rounded.inputScales
        return (calibration, tensor)
    }

    /// `w` (`[out, in]`, Double) as Float32 in the stored orientation of `weight`.
    static func stored(_ w: [Double], like weight: WeightMatrix) -> [Float] {
        weight.stored(w.map { Float($0) })
    }

    /// W·diag(s) in the stored orientation of `weight`, Float32 (what AWQ's codes quantize).
    static func scaled(_ weight: WeightMatrix, by s: [Float]) -> [Float] {
        let n = weight.inputs
        return weight.stored(weight.values.indices.map { Float(weight.values[$0] * Double(s[$0 % n])) })
    }

    /// The input axis of a matrix weight from its granularity when the layout does not say: the group axis of
    /// per-group parameters, the other axis of per-channel ones, 1 (PyTorch `[out, in]`) per tensor.
    static func inputAxis(of granularity: Granularity) -> Int {
        switch granularity {
        case .perTensor: 1
        case .perChannel(let axis): axis == 0 ? 1 : 0
        case .perGroup(let axis, _): axis
        }
    }

    /// The method's objective for the `auto` decision: tr(ΔW·G·ΔWᵀ)/N with the Gram matrix, else the
    /// importance-weighted error Σ_j Σx²_j·Σ_o ΔW_oj² / N.
    static func methodError(
        _ rounded: RoundedWeight, weight: WeightMatrix, moments: InputMoments
    ) throws(WeightRoundingError) -> Double {
        var delta = try rounded.effectiveWeight(weight)
        for k in delta.indices { delta[k] -= weight.values[k] }
        let n = Double(Swift.max(moments.rows, 1))
        if let gram = moments.gram {
            return OutputError.trace(delta: delta, gram: gram, rows: weight.outputs, features: weight.inputs) / n
        }
        var total = 0.0
        for (k, d) in delta.enumerated() { total += moments.sumOfSquares[k % weight.inputs] * d * d }
        return total / n
    }
}
