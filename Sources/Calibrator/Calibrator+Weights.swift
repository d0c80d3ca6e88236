internal import HDF5
internal import Observers
internal import QuantCore
internal import TensorIO

extension Calibrator {
    /// Reads a whole dataset as Float32 with its shape and stored element type (`"float32"`, ...), after
    /// checking that it fits the weight memory budget (see ``WeightMemoryBudget``).
    func read(
        _ dataset: String, in weights: WeightsFile
    ) throws(CalibrationError) -> (values: [Float], shape: [Int], elementType: String) {
        do {
            let opened = try weights.file.openDataset(dataset)
            try WeightMemoryBudget(memoryBudget: memoryBudget).check(
                file: weights.path, dataset: dataset, shape: opened.shape)
            return (try opened.read(as: Float.self), opened.shape, opened.elementType.description)
        } catch let error as HDF5Error {
            throw .input(.hdf5(error))
        } catch let error as CalibrationError {
            throw error
        } catch {
            throw .observer(layer: "", dataset: dataset, reason: "\(error)")
        }
    }

    /// The shape and stored element type of a dataset, without reading it.
    func header(_ dataset: String, in weights: WeightsFile) throws(CalibrationError) -> (shape: [Int], type: String) {
        do {
            let opened = try weights.file.openDataset(dataset)
            return (opened.shape, opened.elementType.description)
        } catch {
            throw .input(.hdf5(error))
        }
    }

    /// An empty observer of `settings`' observer for `granularity` (made once per calibration, then copied).
    func observer(_ s: QuantizationSettings, granularity: Granularity) throws -> any Observer {
        try prototypes.observer(
            s.observer, granularity: granularity, nonFinite: config.nanPolicy.observerPolicy, from: observers)
    }

    /// Observes the weight with its granularity, computes the parameters of every candidate scheme,
    /// quantizes the weight once per candidate and measures the error of those codes, and keeps the
    /// configured one (or, for `auto`, asymmetric only when its MSE on the weight is lower by the
    /// margin), with its codes. A weight too large to read whole is calibrated in blocks instead
    /// (``calibrateStreamedWeight(layer:dataset:elementType:blocks:observer:settings:)``, the same result).
    func calibrateWeight(
        layer: String, file: WeightsFile, dataset: String, settings s: QuantizationSettings
    ) throws(CalibrationError) -> (calibration: WeightCalibration, tensor: CalibratedTensor) {
        if s.numberFormat != .int {
            return try calibrateFormattedWeight(layer: layer, file: file, dataset: dataset, settings: s)
        }
        let (declared, declaredType) = try header(dataset, in: file)
        // A layout or observer that cannot be made is reported by the whole read's path below.
        if let layout = try? s.granularity(rank: declared.count).layout(shape: declared),
            let prototype = try? observer(s, granularity: s.granularity(rank: declared.count)),
            let blocks = weightBlocks(
                file: file.path, dataset: dataset, shape: declared, layout: layout, observer: prototype)
        {
            return try calibrateStreamedWeight(
                layer: layer, dataset: dataset, elementType: declaredType, blocks: blocks, observer: prototype,
                settings: s)
        }
        let (values, shape, elementType) = try read(dataset, in: file)
        guard !values.isEmpty else {
            throw .observer(
                layer: layer, dataset: dataset, reason: "the weight is empty (shape \(shape)): nothing to calibrate")
        }
        let granularity = s.granularity(rank: shape.count)
        struct Candidate {
            var symmetry: Symmetry
            var ranges: ObservedRanges
            var parameters: QuantizationParameters
            var codes: [Int32]
            var metrics: ErrorMetrics
        }
        var candidates: [Candidate] = []
        let format: IntegerFormat
        do {
            format = try s.integerFormat()
            let layout = try granularity.layout(shape: shape)
            var observer = try self.observer(s, granularity: granularity)
            let schemes = try s.candidateSymmetries.map { try s.affineScheme($0, granularity: granularity) }
            let dataRanges = try values.withUnsafeBufferPointer {
                try Self.dataMSERanges(
                    observer: observer, layout: layout, values: $0, shape: shape, targets: schemes.map(RangeTarget.init)
                )
            }
            if dataRanges == nil { try values.withUnsafeBufferPointer { try observer.observe($0, shape: shape) } }
            for (k, symmetry) in s.candidateSymmetries.enumerated() {
                let scheme = schemes[k]
                let ranges = try dataRanges?[k] ?? observer.ranges(for: RangeTarget(scheme))
                let parameters = try ranges.parameters(scheme, shape: shape)
                // The codes a package stores; x̂ = s·(q − z) is bit-identical to fake-quantizing x.
                let codes = try parameters.quantize(values, as: Int32.self)
                let metrics = try ErrorMetrics(reference: values, reconstruction: try parameters.dequantize(codes))
                candidates.append(
                    Candidate(
                        symmetry: symmetry, ranges: ranges, parameters: parameters, codes: codes, metrics: metrics))
            }
        } catch let error as QuantizationError {
            throw .quantization(layer: layer, dataset: dataset, error)
        } catch {
            throw .observer(layer: layer, dataset: dataset, reason: "\(error)")
        }
        let decision = Self.weightScheme(s, errors: candidates.map { ($0.symmetry, $0.metrics.meanSquaredError) })
        guard let chosen = candidates.first(where: { $0.symmetry == decision.chosen }) else {
            throw .observer(layer: layer, dataset: dataset, reason: "no candidate scheme")
        }
        let p = chosen.parameters
        let statistics = values.withUnsafeBufferPointer { TensorStatistics($0) }
        let calibration = WeightCalibration(
            dataset: dataset, shape: shape, elementType: elementType, observer: s.observer, format: format,
            profile: s.profile,
            rounding: p.rounding, granularity: granularity, scheme: decision,
            observedMin: statistics.finiteCount > 0 ? statistics.min : 0,
            observedMax: statistics.finiteCount > 0 ? statistics.max : 0, parameterShape: p.layout.parameterShape,
            rangeMins: chosen.ranges.low, rangeMaxs: chosen.ranges.high, scales: p.scales, zeroPoints: p.zeroPoints,
            metrics: chosen.metrics, clippingFraction: Self.clippingFraction(values, parameters: p),
            counts: chosen.ranges.counts, degenerateRanges: p.warnings)
        var tensor = CalibratedTensor(
            layer: layer, dataset: dataset, role: "weight", shape: shape, elementType: elementType,
            content: .affine(
                codes: chosen.codes, parameters: p, symmetry: decision.chosen, profile: s.profile,
                schemeReason: s.scheme == .auto ? decision.reason : nil, metrics: chosen.metrics),
            values: values)
        tensor.schemeDecision = decision
        return (calibration, tensor)
    }

    /// The scheme of a weight whose candidates have these MSEs on the weight (see ``SchemeDecision``).
    static func weightScheme(_ s: QuantizationSettings, errors: [(Symmetry, Double)]) -> SchemeDecision {
        SchemeDecision.decide(
            requested: s.scheme, profile: s.profile, margin: s.autoMargin, measure: "MSE on the weight", errors: errors)
    }

    /// Fraction of the finite elements whose code is clamped: outside their parameter's representable
    /// range widened by half a step, `[s·(qmin − z) − s/2, s·(qmax − z) + s/2]`.
    static func clippingFraction(_ values: [Float], parameters p: QuantizationParameters) -> Double {
        let (clipped, finite) = values.withUnsafeBufferPointer { clippedCount($0, parameters: p) }
        return finite > 0 ? Double(clipped) / Double(finite) : 0
    }

    /// The clamped elements of `values` (see ``clippingFraction(_:parameters:)``) and the finite ones.
    static func clippedCount(
        _ values: UnsafeBufferPointer<Float>, parameters p: QuantizationParameters
    ) -> (clipped: Int, finite: Int) {
        let ranges = (0..<p.scales.count).map { p.clippingBounds(parameter: $0) }
        var clipped = 0
        var finite = 0
        // Runs of elements sharing one parameter: the whole tensor, or `inner` elements per channel.
        let run: Int
        switch p.layout.granularity {
        case .perTensor: run = Swift.max(values.count, 1)
        case .perChannel: run = Swift.max(p.layout.inner, 1)
        case .perGroup:
            for (i, x) in values.enumerated() where x.isFinite {
                finite += 1
                if !ranges[p.layout.parameterIndex(ofElement: i)].contains(x) { clipped += 1 }
            }
            return (clipped, finite)
        }
        for start in stride(from: 0, to: values.count, by: run) {
            let range = ranges[p.layout.parameterIndex(ofElement: start)]
            let counted = clippedCount(
                UnsafeBufferPointer(rebasing: values[start..<Swift.min(start + run, values.count)]),
                low: range.lowerBound, high: range.upperBound)
            clipped += counted.clipped
            finite += counted.finite
        }
        return (clipped, finite)
    }

    /// The finite elements of `values` outside `[low, high]`, and the finite ones (eight lanes at a time:
    /// `x − x = 0` exactly when x is finite; for a finite x, `x ∉ [low, high]` is `x < low || x > high`).
    static func clippedCount(
        _ values: UnsafeBufferPointer<Float>, low: Float, high: Float
    ) -> (clipped: Int, finite: Int) {
        var clippedLanes = SIMD8<Int32>()
        var finiteLanes = SIMD8<Int32>()
        let (lo, hi) = (SIMD8<Float>(repeating: low), SIMD8<Float>(repeating: high))
        var clipped = 0
        var finite = 0
        var i = 0
        if let base = values.baseAddress {
            let raw = UnsafeRawPointer(base)
            while i + 8 <= values.count {
                let x = raw.loadUnaligned(fromByteOffset: i &* 4, as: SIMD8<Float>.self)
                let isFinite = (x - x) .== SIMD8<Float>()
                finiteLanes &+= SIMD8<Int32>().replacing(with: 1, where: isFinite)
                clippedLanes &+= SIMD8<Int32>().replacing(with: 1, where: isFinite .& ((x .< lo) .| (x .> hi)))
                i &+= 8
                // Flush before an Int32 lane could overflow.
                if i & 0x3FFF_FFF8 == 0 {
                    clipped += Int(clippedLanes.wrappedSum())
                    finite += Int(finiteLanes.wrappedSum())
                    clippedLanes = SIMD8<Int32>()
                    finiteLanes = SIMD8<Int32>()
                }
            }
        }
        clipped += Int(clippedLanes.wrappedSum())
        finite += Int(finiteLanes.wrappedSum())
        while i < values.count {
            let x = values[i]
            if x.isFinite {
                finite += 1
                if x < low || x > high { clipped += 1 }
            }
            i += 1
        }
        return (clipped, finite)
    }

    /// The bias as int32 with scale `s_in · s_w` (per output channel or per tensor) and zero point 0, or
    /// kept in float when the input scale is unknown or the weight's scales do not line up with it; with
    /// its codes (or values) as a package stores them.
    func calibrateBias(
        layer: String, file: WeightsFile, dataset: String, weight: WeightCalibration?, input: ActivationCalibration?
    ) throws(CalibrationError) -> (calibration: BiasCalibration, tensor: CalibratedTensor) {
        let (values, shape, elementType) = try read(dataset, in: file)
        func tensor(_ content: CalibratedTensor.Content) -> CalibratedTensor {
            CalibratedTensor(
                layer: layer, dataset: dataset, role: "bias", shape: shape, elementType: elementType, content: content,
                values: values)
        }
        func float(_ reason: String) -> (calibration: BiasCalibration, tensor: CalibratedTensor) {
            (
                BiasCalibration(
                    dataset: dataset, shape: shape, elementType: elementType, quantized: false, reason: reason,
                    scales: []),
                tensor(.float32(values: values, note: reason))
            )
        }
        guard let weight else { return float("the layer's weight is not quantized") }
        guard let input else { return float("the input's scale is unknown (no activation dataset for the layer)") }
        guard input.channels == nil else {
            return float("the input is quantized per channel: no single input scale to fold into int32 bias codes")
        }
        if let reason = Self.floatBiasReason(weight: weight, input: input) { return float(reason) }
        // s_bias[c] = s_in · s_w[c], in Float32 as the integer kernels compute it
        let scales: [Float]
        switch weight.granularity {
        case .perTensor:
            scales = [input.scale * weight.scales[0]]
        case .perChannel(let axis):
            let channels = weight.shape.indices.contains(axis) ? weight.shape[axis] : 0
            guard channels == values.count else {
                return float("the weight has \(channels) channels along axis \(axis), the bias \(values.count) values")
            }
            scales = weight.scales.map { input.scale * $0 }
        case .perGroup:
            return float("per-group weights have several scales per output channel")
        }
        // s_in · s_w overflows (or underflows to 0) for ranges near Float.greatestFiniteMagnitude (or
        // subnormal): no int32 code can represent the bias then.
        guard scales.allSatisfy({ $0.isFinite && $0 >= AffineScheme.minimumScale }) else {
            return float(
                "the bias scale s_in · s_w is not a finite normal Float (the ranges are too wide or too narrow)")
        }
        let perChannel = scales.count > 1
        guard !perChannel || (shape.count == 1 && scales.count == values.count) else {
            return float("the bias of shape \(shape) does not have one value per output channel")
        }
        let (codes, restored, saturated) = Int32Bias.quantize(values, scales: scales)
        let metrics: ErrorMetrics
        do {
            metrics = try ErrorMetrics(reference: values, reconstruction: restored)
        } catch {
            throw .quantization(layer: layer, dataset: dataset, error)
        }
        let reason = perChannel ? "s_in · s_w[c] (per output channel)" : "s_in · s_w (per tensor)"
        return (
            BiasCalibration(
                dataset: dataset, shape: shape, elementType: elementType, quantized: true, reason: reason, bits: 32,
                scales: scales, zeroPoint: 0, metrics: metrics, saturated: saturated),
            tensor(.int32(codes: codes, scales: scales, reason: reason, metrics: metrics))
        )
    }
}
